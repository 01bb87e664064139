# mailops: thông báo bằng tiếng Việt. Mỗi thông báo ở đây có bản tiếng Anh tương ứng trong en.ftl (tests/i18n.rs).

## apply: xác nhận trên terminal
apply-confirm = Thực hiện { $count } thay đổi? [y/N]{" "}
apply-cancelled = Đã hủy: không có thay đổi nào được thực hiện.
apply-no-answer = không có câu trả lời (đầu vào chuẩn đã đóng): không có thay đổi nào được thực hiện
apply-confirm-hint = trả lời y để thực hiện; --yes thực hiện mà không hỏi

## plan: không bao giờ ghi gì lên máy chủ
plan-folder-missing = lưu ý: thư mục { $folder } chưa tồn tại: lập kế hoạch như với máy chủ trống (apply sẽ tạo thư mục)

## man: trang hướng dẫn
man-written = đã ghi { $count } trang hướng dẫn (man) vào { $folder }

## plan: khung của kế hoạch (văn bản và Markdown)
plan-title = Kế hoạch mailops cho { $path }{ $revisions }, tính đến ngày { $date }
plan-at-revision = {" "}tại phiên bản { $revision }
plan-as-of = tính đến ngày { $date }
plan-findings = Cần lưu ý:
plan-no-changes = Không có thay đổi. Máy chủ đã khớp với trạng thái mong muốn.
plan-no-changes-review = Không có thay đổi giữa hai phiên bản.
md-title = Kế hoạch mailops
md-no-changes = **Không có thay đổi.** Máy chủ đã khớp với trạng thái mong muốn.
md-no-changes-review = **Không có thay đổi** giữa hai phiên bản.
md-summary-header = | tạo mới | đổi tên | cập nhật | quyền truy cập | tạm khóa | xóa | bị chặn |
plan-summary = Kế hoạch: { $parts }
summary-create = tạo mới { $count }
summary-adopt = tiếp nhận { $count }
summary-rename = đổi tên { $count }
summary-update = cập nhật { $count }
summary-resume = mở khóa lại { $count }
summary-access = thay đổi quyền truy cập { $count }
summary-suspend = tạm khóa { $count }
summary-delete = xóa { $count }
summary-blocked = bị chặn { $count }

## apply: kết quả
apply-passwords-written = mật khẩu mới đã được ghi vào { $file } (quyền 0600)
apply-summary = Kết quả: đã thực hiện { $applied }, bị chặn { $blocked }, thất bại { $failed }.

## plan: ai được cấp hoặc mất quyền truy cập (văn bản và Markdown)
plan-access-changes = Thay đổi quyền truy cập
level-owner = chủ sở hữu
level-delegate = ủy quyền
access-nobody = không ai
access-rotated = ; thông tin đăng nhập đã được đổi và giao cho người nhận bàn giao
access-handover = { $mailbox } được bàn giao: { $from } → { $to }{ $rotated }
access-grant = { $who } được cấp quyền { $level } vào { $mailbox }
access-revoke = { $who } bị thu hồi quyền { $level } vào { $mailbox }
access-create = { $name } được cấp hộp thư mới { $mailbox }
access-resume = { $name } được đăng nhập lại vào { $mailbox }
access-suspend = { $name } bị tạm khóa đăng nhập vào { $mailbox } (thư được giữ lại; xóa sau ngày { $date })
access-delete = { $name } mất hẳn { $mailbox } (đã xóa)
access-blocked = bị chặn: { $line } — { $reason }

## watch và operator: trang trạng thái tại /
status-title = mailops — trạng thái đồng bộ
status-language = Ngôn ngữ
status-source = Nguồn
status-reference = Nhánh hoặc thẻ theo dõi
status-server = Máy chủ thư
status-drift-mode = Thay đổi thủ công trên máy chủ
status-drift-mode-heal = được khôi phục theo kho git
status-drift-mode-report = chỉ được báo cáo, không hoàn tác
status-revision-heading = Phiên bản đang áp dụng
status-revision = Phiên bản
status-applied-at = Áp dụng lúc
status-none-yet = chưa có
status-fetched = Phiên bản mới nhất đã lấy về
status-fetched-not-applied = chưa được áp dụng
status-last-reconcile = Lần đồng bộ gần nhất
status-result-success = thành công
status-result-failure = thất bại
status-next-reconcile = Lần đồng bộ tiếp theo
status-failures = Số lần thất bại liên tiếp
status-plan-heading = Kế hoạch gần nhất
status-plan-none = Chưa có kế hoạch nào được thực hiện.
status-plan-when = Kế hoạch cho phiên bản { $revision }, lúc { $time }
status-plan-outcome = Đã thực hiện { $applied }, bị chặn { $blocked }, thất bại { $failed }, giữ nguyên thay đổi thủ công { $held }.
status-drift-heading = Tài khoản bị thay đổi thủ công trên máy chủ
status-drift-none = Không có tài khoản nào bị thay đổi thủ công.
status-drift-missing = tài khoản không còn trên máy chủ
status-drift-healed = đã khôi phục
status-drift-reported = chỉ báo cáo
status-col-mailbox = Hộp thư
status-col-differs = Khác biệt
status-col-handling = Xử lý
status-col-delete-after = Xóa sau ngày
status-removals-heading = Hộp thư chờ xóa
status-removals-none = Không có hộp thư nào đang chờ xóa.
status-removals-note = Các hộp thư này đã bị tạm khóa; thư được giữ lại đến ngày xóa.
status-error-heading = Lỗi gần nhất
status-error-none = Không có lỗi.
status-error-when = lúc { $time }, phiên bản { $revision }
status-kind-fetch = Không lấy được kho git
status-kind-history-rewritten = Lịch sử kho git đã bị viết lại
status-kind-verify = Chữ ký của commit không hợp lệ
status-kind-empty = Phiên bản không còn tệp khai báo nào
status-kind-invalid = Tệp khai báo không hợp lệ
status-kind-observe = Không đọc được máy chủ thư
status-kind-apply = Có thay đổi thất bại trên máy chủ thư
status-kind-state = Không ghi được tệp trạng thái
status-operator-heading = Bộ điều khiển Kubernetes
status-namespace-heading = Không gian tên { $namespace }
status-namespaces-none = Chưa có không gian tên nào được đồng bộ.
status-refresh = Trang tự làm mới sau mỗi { $seconds } giây. Dữ liệu cho máy:
status-generated = tạo lúc { $time }
status-kind-config = Cấu hình không hợp lệ
status-kind-kubernetes = Không làm việc được với Kubernetes API
status-kind-server = Máy chủ thư từ chối yêu cầu
status-kind-other = Lỗi ({ $kind })
status-plan-at = Lập lúc { $time }

## plan: từng thay đổi, trong danh sách theo đơn vị (văn bản và Markdown)
change-create = tạo mới
change-create-quota = tạo mới, dung lượng { $quota }
change-adopt = tiếp nhận tài khoản đã có (không thay đổi gì trên máy chủ)
change-rename = đổi tên { $from } → { $to }, giữ nguyên thư{ $alias } (nhận ra nhờ { $by })
change-rename-alias = ; địa chỉ cũ được giữ làm bí danh
rename-by-inventory = danh mục tài khoản mailops quản lý
rename-by-former-addresses = formerAddresses (các địa chỉ cũ)
rename-by-previous-revision = phiên bản trước
rename-by-backend-id = mã tài khoản trên máy chủ
change-update = cập nhật { $fields }
change-suspend = tạm khóa ({ $why }); thư được giữ lại, xóa sau ngày { $date }
suspend-removed = đã bị gỡ khỏi kho git
suspend-end-date = đã qua ngày kết thúc (endDate) { $date }
change-resume = mở khóa lại: được đăng nhập trở lại
change-delete-archived = xóa (tạm khóa từ ngày { $date }); thư được lưu trữ trước khi xóa
change-delete-kept = xóa (tạm khóa từ ngày { $date }); thư vẫn nằm trên đĩa của máy chủ
change-grant = cấp quyền { $level } cho { $grantee }
change-revoke = thu hồi quyền { $level } của { $grantee }
change-handover = bàn giao cho { $to }; thông tin đăng nhập được đổi
change-blocked = BỊ CHẶN { $verb }: { $reason }
verb-create = tạo mới
verb-adopt = tiếp nhận
verb-rename = đổi tên
verb-update = cập nhật
verb-resume = mở khóa lại
verb-handover = bàn giao
verb-grant = cấp quyền
verb-revoke = thu hồi quyền
verb-suspend = tạm khóa
verb-delete = xóa
verb-blocked = bị chặn

## plan: vì sao một thay đổi bị chặn
block-deletion-budget = vượt giới hạn xóa: kế hoạch yêu cầu gỡ bỏ { $requested } hộp thư, mỗi lần chạy chỉ được tối đa { $max } hộp thư và { $percent }% của { $managed } hộp thư đang quản lý
block-empty-desired-state = trạng thái mong muốn trống hoặc không đọc được; không gỡ bỏ gì dựa trên đó
block-partial-observation = máy chủ chỉ đọc được một phần; không tạo hay gỡ bỏ tài khoản nào dựa trên đó
block-protected = địa chỉ này được Organization bảo vệ
block-rename-unsupported = máy chủ này không đổi tên được mà không mất thư (không bao giờ làm bằng cách xóa rồi tạo mới)
block-address-taken = địa chỉ mới đang thuộc về tài khoản { $holder }

## plan: những điều cần lưu ý
finding-unmanaged = tài khoản { $address } trên máy chủ không do mailops quản lý: không có trong danh mục, không bao giờ bị động tới
finding-missing = { $identity } ({ $address }) do mailops quản lý nhưng không còn trên máy chủ
finding-pending-deletion = { $address } đang bị tạm khóa; có thể bị xóa sau ngày { $date }
finding-not-yet-started = { $identity } ({ $address }) bắt đầu làm việc từ ngày { $date }; hộp thư sẽ được tạo vào ngày đó
finding-partial-observation = máy chủ chỉ đọc được một phần: { $problems }
finding-not-enforced = máy chủ này không áp dụng được { $what }: { $count } hộp thư yêu cầu nhưng không hộp thư nào được đặt
finding-foreign-entries = giữ nguyên như hiện có: { $problems }
enforce-quotas = hạn mức dung lượng

## plan: danh sách theo đơn vị
plan-other-accounts = Hộp thư chung của cơ quan và các tài khoản khác
plan-nobody-gains-access = Không ai được cấp thêm hay bị mất quyền truy cập.
plan-policy-changes = Thay đổi chính sách (Organization)
plan-changed-by-hand = đã bị sửa thủ công trên máy chủ
plan-field-none = trống
md-blocked-warning = { $count } thay đổi bị các quy tắc an toàn chặn lại; xem bên dưới.
md-unit-changes = { $count } thay đổi
md-changes-header = | | địa chỉ | người dùng | thay đổi |
md-policy-header = | trường | trước | sau |
md-findings = Cần lưu ý
md-blocked = **bị chặn** { $verb }: { $reason }
