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
status-plan-outcome = Đã thực hiện { $applied }, bị chặn { $blocked }, thất bại { $failed }; thay đổi thủ công được giữ nguyên: { $held }.
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

## validate: gợi ý chuẩn
hint-invalid-date = viết ngày theo dạng YYYY-MM-DD, ví dụ 2024-05-01
hint-invalid-quota = viết một số nguyên kèm đơn vị: 2GiB, 500MiB, 1GB, hoặc `unlimited`
hint-invalid-address = viết đầy đủ địa chỉ, ví dụ `anvtt@bdt.binhthuan.gov.vn`
hint-invalid-email = viết đầy đủ địa chỉ, ví dụ `an.vo@gmail.com`
hint-self-delegation = chủ sở hữu hộp thư luôn có quyền truy cập; chỉ ghi người khác vào danh sách ủy quyền
hint-duplicate-entry = xóa mục bị lặp lại
hint-empty-field = điền giá trị, hoặc bỏ trường này
hint-name-mismatch = givenName và familyName phải là các từ trong fullName, viết đúng như trong đó
hint-out-of-range = xem khoảng giá trị cho phép trong tài liệu của trường (mailops schema)
hint-invalid-field = so sánh với các trường của tài nguyên trong `mailops schema` hoặc examples/bdt-binhthuan
hint-invalid-file-type = viết phần mở rộng bằng chữ thường, không có dấu chấm, ví dụ `pdf`
hint-contradictory-attachment-policy = chỉ giữ loại tệp này trong một danh sách
hint-invalid-domain = một tên miền viết thường, ví dụ `bdt.binhthuan.gov.vn`
hint-no-domains = liệt kê các tên miền thư của cơ quan trong spec.domains
hint-unknown-domain = dùng một tên miền của Organization, hoặc thêm tên miền vào spec.domains
hint-unused-reason = xóa `reason`
hint-alias-is-address = xóa bí danh này; chính địa chỉ đã nhận thư về đây
hint-owner-is-delegate = xóa chủ sở hữu khỏi danh sách ủy quyền
hint-file-too-large = mỗi tệp khai báo mô tả một hoặc vài người; hãy tách tệp lớn (hoặc tăng --max-file-size)
hint-unreadable = kiểm tra đường dẫn có tồn tại và đọc được không
hint-symlink-dangling = xóa liên kết hoặc trỏ nó tới một tệp bên trong kho
hint-too-deep = tệp khai báo chỉ sâu vài cấp; hãy kiểm tra thụt lề

## validate: khung của mỗi chẩn đoán
diag-at = tại { $location }
diag-in-resource-field = trong { $resource }, trường { $field }
diag-in-resource = trong { $resource }
diag-in-field = trường { $field }
diag-hint = gợi ý: { $hint }
diag-summary = { $errors } lỗi, { $warnings } cảnh báo

## validate: một Mailbox hoặc SharedMailbox
diag-address-unknown-domain = `{ $address }` không thuộc các tên miền của Organization
hint-domains = các tên miền: { $domains }
diag-listed-twice = `{ $item }` được liệt kê hai lần
diag-self-delegation = `{ $name }` không thể tự ủy quyền cho chính mình
diag-unknown-mailbox = không có Mailbox nào tên là `{ $name }`
hint-did-you-mean-mailbox = có phải ý bạn là `{ $name }`? Mailbox được gọi theo metadata.name
hint-name-a-mailbox = gọi Mailbox theo metadata.name, ví dụ `mai-sen`
hint-as-in-full-name = viết đúng như trong fullName
diag-unfoldable-name = không suy ra được địa chỉ: { $error }
hint-unfoldable-name = kiểm tra chính tả; với tên không có dạng tiếng Việt/Latin, hãy ghi `address` và `reason`
hint-did-you-mean = có phải ý bạn là `{ $name }`?
hint-units = các đơn vị: { $units }
diag-unknown-unit = đơn vị `{ $unit }` chưa được khai báo trong Organization
hint-extension = quy định II.2: từ 1 đến { $max } chữ cái thường, không có chữ số, không trùng tên cơ quan
diag-unknown-domain = tên miền `{ $domain }` không phải là tên miền của Organization
diag-alias-is-address = bí danh `{ $alias }` chính là địa chỉ của hộp thư
diag-negative-order = thứ tự (order) { $order } là số âm
diag-empty-title = chức vụ (title) để trống
hint-empty-title = ghi chức vụ, hoặc bỏ trường này
diag-reason-without-address = `reason` chỉ có tác dụng khi có ghi `address`
diag-reason-not-needed = địa chỉ đã theo đúng quy tắc đặt tên; không cần lý do
diag-address-convention = địa chỉ `{ $address }` không theo quy tắc đặt tên
diag-address-convention-gives = địa chỉ `{ $address }` không theo quy tắc đặt tên (theo quy tắc là `{ $expected }`)
hint-address-convention = bỏ `address` để dùng địa chỉ suy ra từ họ tên, hoặc thêm `reason:` giải thích ngoại lệ (quy định II.2)
diag-backup-is-own-address = backupEmail `{ $address }` là chính địa chỉ của hộp thư này nên không dùng làm địa chỉ dự phòng được
hint-backup-outside = ghi một địa chỉ bên ngoài hộp thư này (địa chỉ cá nhân hoặc của cơ quan khác)
hint-email-example = ví dụ `ten.ho@gmail.com`
diag-end-before-start = ngày kết thúc (endDate) { $end } trước ngày bắt đầu (startDate) { $start }
diag-empty-display-name = tên hiển thị (displayName) để trống
diag-missing-owner = hộp thư chung của cơ quan chưa có chủ sở hữu
hint-missing-owner = quy định IV.3: người đứng đầu cơ quan quản lý hộp thư này; thêm `owner: <tên Mailbox>`
diag-owner-is-delegate = `{ $name }` vừa là chủ sở hữu vừa là người được ủy quyền

## validate và mọi lệnh: khung của một lỗi
validate-valid = { $path } hợp lệ: { $people } hộp thư cá nhân, { $shared } hộp thư chung của cơ quan
diag-warnings-denied = cảnh báo được coi là lỗi
hint-warnings-denied = sửa các cảnh báo, hoặc chạy lại không có --deny-warnings
error-label = lỗi
error-caused-by = Nguyên nhân: { $cause }

## validate: địa chỉ giữa các tài nguyên
diag-former-address-kept = `{ $address }` là địa chỉ cũ của { $owner }, máy chủ vẫn giữ làm bí danh (naming.keepOldAddressAsAlias): không thể làm địa chỉ của hộp thư này
diag-kept-here = được giữ ở đây
hint-former-address-kept = hãy đặt địa chỉ khác cho hộp thư này, hoặc xóa `{ $address }` khỏi formerAddresses của hộp thư kia khi bí danh đó có thể bỏ
diag-former-address-in-use = địa chỉ cũ `{ $address }` nay đang được { $holder } sử dụng
diag-used-here = đang dùng ở đây
hint-former-address-in-use = thư gửi đến địa chỉ cũ sẽ về người đang giữ địa chỉ đó; khi đã chủ ý như vậy, hãy xóa nó khỏi formerAddresses
diag-address-collision = địa chỉ `{ $address }` đã là địa chỉ của { $holder }
diag-alias-conflict = bí danh `{ $address }` là địa chỉ của { $holder }
diag-duplicate-alias = bí danh `{ $address }` đã là bí danh của { $holder }
diag-taken-by = đã thuộc về { $holder }
hint-address-collision = chọn địa chỉ khác; hai hộp thư không thể dùng chung một địa chỉ
hint-alias-conflict = xóa bí danh này, hoặc chuyển nó sang hộp thư cần nhận thư
hint-agree-extension = thống nhất phần mở rộng với cán bộ công nghệ thông tin (quy định II.2) và ghi `extension:`
hint-agree-extension-free = thống nhất phần mở rộng với cán bộ công nghệ thông tin (quy định II.2) và ghi `extension:`; còn trống: { $free }

## validate: Organization
diag-invalid-short-name = tên viết tắt (shortName) `{ $name }` phải gồm chữ cái ASCII viết thường
hint-short-name = tên viết tắt của cơ quan, ví dụ `bdt`; quy định II.2 không cho dùng nó làm phần mở rộng của địa chỉ
diag-unknown-naming-domain = tên miền đặt tên `{ $domain }` không phải là tên miền của Organization
diag-max-extension-length = maxExtensionLength { $value } nằm ngoài khoảng 1..=32
hint-max-extension-length = quy định II.2 đặt là 6
diag-reserved-extension = phần mở rộng dành riêng `{ $extension }` phải gồm chữ cái ASCII viết thường
diag-no-domains = Organization chưa có tên miền nào
diag-invalid-domain = `{ $domain }` không phải là tên miền hợp lệ
diag-domain-twice = tên miền `{ $domain }` được liệt kê hai lần
diag-no-units = Organization chưa có đơn vị nào
hint-no-units = mỗi Mailbox đều ghi đơn vị của mình
diag-invalid-unit-id = mã đơn vị `{ $unit }` không hợp lệ
hint-unit-id = chữ cái ASCII viết thường, chữ số và dấu gạch nối, ví dụ `trung-tam-dvmn`
diag-unit-twice = đơn vị `{ $unit }` được khai báo hai lần
diag-empty-unit-name = tên đơn vị để trống
diag-unknown-parent-unit = đơn vị cấp trên `{ $parent }` của `{ $unit }` không phải là một đơn vị khác đã khai báo
diag-protected-unknown-domain = địa chỉ được bảo vệ `{ $address }` không thuộc các tên miền của Organization
diag-out-of-range = { $value } nằm ngoài khoảng cho phép (từ 0 trở lên)
diag-out-of-range-max = { $value } nằm ngoài khoảng cho phép (từ 0 đến { $max })
diag-invalid-file-type = `{ $extension }` không phải là phần mở rộng của tệp
diag-too-many-file-types = { $count } loại tệp, nhiều hơn mức tối đa { $max }
hint-too-many-file-types = chỉ liệt kê các loại tệp quy định nêu; quy định III.3 nêu mười bốn loại
diag-invalid-rule-reference = `{ $rule }` không thể dẫn chiếu trong thông báo từ chối của máy chủ thư
hint-rule-reference = tối đa 60 ký tự ASCII: chữ cái, chữ số, khoảng trắng và `.,:;()/-`, ví dụ `III.3`
diag-allowed-and-forbidden = `{ $extension }` vừa được cho phép vừa bị cấm
hint-allowed-and-forbidden = chỉ giữ trong một danh sách: `forbidden` cho tệp thực thi, `allowed` hoặc `compressed` cho các loại khác

## validate: toàn bộ kho
diag-no-organization = không có Organization nào trong { $folder }
hint-no-organization = thêm một tệp khai báo Organization với các tên miền, đơn vị và quy tắc đặt tên (xem examples/bdt-binhthuan/organization.yaml)
diag-multiple-organizations = mỗi kho chỉ chứa đúng một Organization
diag-first-organization = Organization thứ nhất
hint-multiple-organizations = giữ một Organization cho mỗi kho; mỗi cơ quan dùng một kho riêng
diag-invalid-name = `{ $name }` không phải là tên tài nguyên hợp lệ
hint-invalid-name = dùng chữ cái ASCII viết thường, chữ số và dấu gạch nối, tối đa 63 ký tự, ví dụ `vo-thi-thu-an`
diag-duplicate-resource = đã có một { $kind } khác tên là `{ $name }`
diag-first-defined-here = khai báo lần đầu ở đây
hint-duplicate-resource = metadata.name là định danh cố định của tài nguyên và không được trùng

## validate: đọc các tệp
diag-cannot-read-path = không đọc được { $path }: { $error }
hint-give-a-folder = hãy chỉ đường dẫn tới thư mục chứa Organization và các tệp khai báo nhân sự
diag-cannot-read = không đọc được: { $error }
diag-symlink-outside = liên kết tượng trưng trỏ ra ngoài kho (tới { $target })
hint-symlink-outside = chép tệp vào trong kho, hoặc xóa liên kết
diag-symlink-dangling = không theo được liên kết tượng trưng: { $error }
diag-file-too-large = tệp có { $size } byte, vượt giới hạn { $max } byte
hint-split-large-files = mỗi tệp khai báo mô tả một hoặc vài người; hãy tách tệp lớn
diag-cannot-read-file = không đọc được tệp: { $error }
diag-not-utf8 = tệp không phải UTF-8 hợp lệ (byte { $byte })
hint-not-utf8 = lưu tệp dạng UTF-8 (Unicode, TCVN 6909:2001), không dùng TCVN3/VNI hay bảng mã cũ khác
diag-not-a-mapping = tài liệu không phải là một ánh xạ (mapping)
hint-not-a-mapping = mỗi tài liệu là một tài nguyên gồm apiVersion, kind, metadata và spec
diag-missing-kind = tài nguyên thiếu `kind`
diag-unknown-kind = không biết kind `{ $kind }`
diag-unknown-api-version = không biết apiVersion `{ $version }` cho kind { $kind }
diag-missing-api-version = tài nguyên thiếu `apiVersion`
hint-api-version = dùng `apiVersion: { $version }`
hint-known-kinds = các tài nguyên của mailops là { $kinds } (apiVersion { $version })
diag-control-character = `{ $field }` chứa ký tự điều khiển ({ $character })
hint-control-character = hãy xóa nó: họ tên, chức vụ và địa chỉ không chứa xuống dòng, tab hay mã điều khiển terminal
diag-format-character = `{ $field }` chứa ký tự định dạng ẩn ({ $character }: ký tự đảo chiều văn bản, khoảng trắng độ rộng 0 hoặc tương tự)
hint-format-character = hãy xóa nó: ký tự này làm văn bản hiển thị khác với nội dung thật, với người duyệt và trong danh bạ
hint-known-fields = các trường có ở đây: { $fields }
diag-unknown-field = trường không xác định `{ $field }`
diag-missing-field = thiếu trường bắt buộc `{ $field }`
hint-invalid-type = kiểm tra kiểu của giá trị; đặt trong dấu ngoặc kép những chữ mà YAML sẽ đọc thành số hoặc true/false
hint-yaml-tab = YAML chỉ thụt lề bằng dấu cách; hãy thay tab bằng dấu cách
hint-yaml-syntax = kiểm tra thụt lề, dấu ngoặc kép, và mọi `[` và `{"{"}` đều được đóng
hint-duplicate-key = mỗi khóa chỉ xuất hiện một lần trong một ánh xạ; hãy xóa một trong hai
hint-alias-bomb = tệp khai báo không cần anchor hay alias; hãy viết thẳng giá trị
hint-complex-key = khóa là tên đơn giản như `fullName`

## validate: lịch làm việc
diag-too-many-dates = { $count } ngày, nhiều hơn mức tối đa { $max }
diag-holiday-on-weekend = { $day } là { $weekday ->
        [Sat] Thứ Bảy
       *[Sun] Chủ Nhật
    }: vốn đã không phải ngày làm việc
diag-not-a-weekend-day = { $day } là { $weekday ->
        [Mon] Thứ Hai
        [Tue] Thứ Ba
        [Wed] Thứ Tư
        [Thu] Thứ Năm
       *[Fri] Thứ Sáu
    }, không phải Thứ Bảy hay Chủ Nhật
diag-invalid-utc-offset = `{ $offset }` không phải là độ lệch múi giờ như +07:00
hint-calendar-date = viết ngày theo dạng YYYY-MM-DD, ví dụ 2027-01-01
hint-not-a-weekend-day = ngày nghỉ trong tuần ghi vào `holidays`; `workingWeekends` liệt kê các Thứ Bảy và Chủ Nhật phải làm việc
hint-holiday-on-weekend = hãy xóa nó: Thứ Bảy và Chủ Nhật vốn không phải ngày làm việc
hint-duplicate-date = xóa ngày bị lặp
hint-utc-offset = viết độ lệch theo dạng +HH:MM; Việt Nam là "+07:00"
hint-too-many-dates = mỗi danh sách tối đa 1.000 ngày
diag-invalid-yaml = YAML không hợp lệ: { $detail }
diag-too-deep = lồng sâu quá { $max } cấp
diag-yaml-control-character = YAML không hợp lệ: ký tự điều khiển { $character } (YAML chỉ cho phép ký tự in được)
diag-alias-key = không hỗ trợ dùng alias làm khóa của ánh xạ
diag-collection-key = không hỗ trợ dùng ánh xạ hay dãy làm khóa của ánh xạ
diag-duplicate-key = khóa `{ $key }` bị lặp
diag-alias-bomb = các alias làm tài liệu này nở ra hơn { $max } nút (một "quả bom" alias?)

## lỗi: phiên bản, tệp trạng thái, xem xét thay đổi
error-revision-empty = phiên bản { $revision } không còn tệp khai báo nào; không có gì được thực hiện
error-invalid-planned = { $what } không hợp lệ; chưa lập kế hoạch nào
error-invalid-applied = { $what } không hợp lệ; không có gì được thực hiện
hint-revision-unsigned = chỉ áp dụng các commit được người ký hợp lệ ký, trong phạm vi đường dẫn của người đó
hint-revision-empty = một phiên bản xóa mọi tệp khai báo không bao giờ được áp dụng: phiên bản tốt gần nhất vẫn giữ hiệu lực
hint-revision-invalid-planned = sửa các lỗi ở trên (mailops validate cũng liệt kê chúng)
hint-revision-invalid = phiên bản tốt gần nhất vẫn giữ hiệu lực
hint-state-lost = mất tệp trạng thái vẫn an toàn: `mailops adopt` sẽ dựng lại nó
hint-state-locked = chờ lần chạy kia kết thúc
hint-journal = nhật ký cho biết lần chạy bị gián đoạn đã thực hiện những thay đổi nào; hãy giữ nó, và chạy lại apply khi đọc được máy chủ
hint-review-open = chạy bên trong một bản sao (clone) của kho, hoặc chỉ rõ thư mục
hint-review-read = lấy nhánh gốc về trước, ví dụ `git fetch origin main`
hint-review-invalid-head = sửa các lỗi ở trên; `mailops validate` liệt kê chúng trên bản checkout

## watch và operator
watch-started = mailops watch: { $source } → { $server } mỗi { $interval }, thay đổi thủ công: { $drift }; đang lắng nghe tại http://{ $address }
watch-attachments-reloaded = chính sách tệp đính kèm: đã chạy lệnh nạp lại
watch-stopped = mailops watch: đã dừng
operator-started = mailops operator: đang lắng nghe tại http://{ $address }
operator-stopped = mailops operator: đã dừng

## lỗi của các lệnh
error-write-state = không ghi được tệp trạng thái
error-signers-file = không dùng được tệp danh sách người ký (allowed-signers)
error-nothing-written = không có gì được ghi
error-nothing-rendered = không có gì được tạo ra
error-leader-election = bầu chọn bản chạy chính (leader election) thất bại
error-crd-yaml = không ghi được CRD dạng YAML
error-runtime = không khởi động được môi trường chạy
error-man-pages = không tạo được trang hướng dẫn (man)
error-record-revision = không ghi lại được phiên bản đã áp dụng
error-read-logins = không đọc được lịch sử đăng nhập của máy chủ
error-read-revisions = không đọc được các phiên bản
error-open-server = không mở được máy chủ
error-open-git = không mở được kho git
error-list-domains = không liệt kê được các tên miền của máy chủ
error-cannot-create = không tạo được { $path }
error-cannot-read = không đọc được { $path }
error-cannot-write = không ghi được { $path }
error-cannot-listen = không lắng nghe được tại { $address }
error-derive-address = không suy ra được địa chỉ từ `{ $name }`
hint-derive-address = kiểm tra chính tả, hoặc dùng --given cho tên không theo thứ tự họ tên của người Kinh
error-read-organization = không đọc được Organization từ { $path }
error-not-verified = chưa được xác minh: không được áp dụng gì từ phiên bản này
hint-sign-commits = ký commit bằng một khóa SSH được phép: git config gpg.format ssh; git commit -S
error-invalid-directory = { $what } không hợp lệ; không ghi danh bạ nào
error-report-future = ngày { $day } ở tương lai; báo cáo chỉ lập cho hôm nay hoặc một ngày đã qua
error-kubernetes-api = không kết nối được Kubernetes API
hint-kubernetes-api = chạy trong một pod có service account, hoặc với một kubeconfig
error-webhook-secret-empty = tệp khóa bí mật của webhook { $path } đang trống
error-no-such-domain = máy chủ không có tên miền `{ $domain }`
hint-server-domains = các tên miền của máy chủ: { $domains }
error-import-interrupted = một lần apply trên máy chủ này đã bị gián đoạn
hint-import-interrupted = chạy `mailops apply` với kho mà lần đó đang áp dụng trước, rồi mới import
error-import-partial = không đọc được toàn bộ máy chủ: { $problems }
hint-import-partial = import phải thấy mọi tài khoản; hãy thử lại khi máy chủ trả lời
error-not-empty = { $path } không trống
hint-not-empty = import ghi ra một kho mới: hãy chỉ một thư mục mới hoặc trống, hoặc dùng --force để ghi vào thư mục này (tệp trùng tên bị thay, các tệp khác được giữ)
error-sheet-problems = { $path } có { $count } lỗi; không có gì được ghi
error-import-would-be-invalid = kho mà lệnh nhập sẽ ghi ra { $path } không hợp lệ; chưa ghi gì
error-import-invalid = kho vừa ghi ra { $path } không hợp lệ
hint-import-invalid = sửa các lỗi ở trên (có một tệp khai báo khác đã nằm trong thư mục, hoặc một giá trị cần xem lại)
error-saved-plan = { $path }: { $error }; không có gì được thực hiện
hint-plan-version = lập kế hoạch mới bằng phiên bản mailops này: mailops plan --server … --out plan.json
error-server-changed = máy chủ đã thay đổi từ khi lập kế hoạch này; không có gì được thực hiện
hint-make-new-plan = lập kế hoạch mới: mailops plan --server … --out plan.json
error-plan-differs = kế hoạch đã lưu không còn khớp với kho và máy chủ hiện nay; không có gì được thực hiện
hint-make-new-plan-repository = lập kế hoạch mới từ kho: mailops plan --server … --out plan.json
error-attachments-not-installed = chính sách tệp đính kèm chưa được cài đặt
hint-attachments-not-installed = các hộp thư vẫn được đồng bộ bình thường; hãy sửa lỗi này rồi chạy lại
error-invalid-render = { $what } không hợp lệ; không tạo ra gì
error-no-attachment-policy = Organization { $organization } không khai báo chính sách tệp đính kèm
hint-no-attachment-policy = thêm `spec.attachments` (allowed, compressed, forbidden) vào Organization
error-token-file = không đọc được tệp token { $path }
error-token-empty = tệp token { $path } đang trống
error-state-file = không dùng được tệp trạng thái
error-read-server = không đọc được máy chủ
error-journal = không xử lý được nhật ký của lần chạy bị gián đoạn
error-journal-start = không bắt đầu được nhật ký { $path }
error-audit-log = không mở được nhật ký kiểm tra (audit log) { $path }
error-record = việc ghi nhận các thay đổi bị lỗi giữa chừng; không thực hiện thêm gì nữa
error-git-remote = không dùng được kho git từ xa
error-nothing-applied = không có gì được thực hiện
error-revision-not-verified = phiên bản chưa được xác minh; không có gì được thực hiện
error-fetched-unreadable = không đọc được phiên bản vừa lấy về
error-read-revisions-to-compare = không đọc được các phiên bản cần so sánh
error-invalid-head = phiên bản mới { $revision } không hợp lệ; không lập kế hoạch nào

## lưu ý của các lệnh
note-address-repository-errors = lưu ý: { $path } có { $count } lỗi; hãy chạy `mailops validate { $path }` (việc trùng địa chỉ chỉ được kiểm tra với phần đọc được)
note-directory-warnings = lưu ý: có { $count } cảnh báo; chạy `mailops validate { $path }` để xem
note-report-partial = lưu ý: không đọc được toàn bộ máy chủ ({ $problems }); những người máy chủ không cho thấy được ghi là không có trên máy chủ
note-journal-resolved = lưu ý: đã xử lý nhật ký của lần chạy bị gián đoạn ({ $run }): { $finished } thay đổi đã được thực hiện, { $unfinished } thay đổi cần làm lại
note-apply-interrupted = lưu ý: một lần apply đã bị gián đoạn; lần apply tiếp theo sẽ hoàn tất nó trước mọi việc khác
note-base-errors = lưu ý: phiên bản gốc có { $count } lỗi; phần hợp lệ của nó được dùng

## import: danh sách nhân sự và máy chủ
diag-list-not-utf8 = tệp không phải văn bản UTF-8 (byte { $byte }): hãy lưu dạng "CSV UTF-8"
diag-list-not-csv = không phải CSV: { $error }
diag-list-too-many-rows = nhiều hơn { $max } dòng
diag-list-spreadsheet = không đọc được bảng tính: { $error }
diag-list-too-large = tệp lớn hơn { $max } MiB
diag-list-zip-entries = bảng tính có { $count } thành phần, nhiều hơn { $max }: không đọc
diag-list-zip-entry = thành phần `{ $entry }` của bảng tính khi giải nén lớn hơn { $max } MiB: không đọc (danh sách cán bộ nhỏ hơn nhiều; đây là dấu hiệu của "bom zip")
diag-list-zip-unpacked = bảng tính khi giải nén lớn hơn { $max } MiB: không đọc
diag-list-cell-too-far = có ô chứa dữ liệu ở hàng { $row }, cột { $column }: danh sách cán bộ dùng tối đa { $columns } cột và { $rows } hàng, nên không đọc bảng tính (hãy xóa phần nằm ngoài danh sách, hoặc chép danh sách sang trang tính mới)
diag-list-no-header = không có dòng tiêu đề: danh sách cần cột `Họ và tên` (hoặc `Full name`), và thường có `Tài khoản người dùng`, `Chức vụ`, `Email dự phòng`, `Đơn vị`
diag-list-second-column = cột `{ $column }` xuất hiện lần thứ hai
diag-list-cell-too-long = ô dài hơn { $max } ký tự
diag-list-control = ô chứa ký tự điều khiển (có thể che chữ hoặc di chuyển con trỏ)
diag-list-format = ô chứa ký tự định dạng ẩn ({ $character }: ký tự đảo chiều văn bản, khoảng trắng độ rộng 0 hoặc tương tự)
diag-list-no-name = dòng này không có họ và tên
hint-list-no-name = ghi đầy đủ họ và tên, họ trước (Võ Thị Thu An)
diag-list-not-an-address = `{ $value }` không phải là địa chỉ: { $error }
diag-list-twice = `{ $address }` được liệt kê hai lần (lần đầu ở dòng { $first })
diag-list-not-an-email = `{ $value }` không phải là địa chỉ thư điện tử: { $error }
diag-import-no-address = không tạo được địa chỉ cho { $name }: { $error }
diag-import-no-address-quoted = không tạo được địa chỉ cho `{ $name }`: { $error }
hint-import-write-address = ghi địa chỉ đã thống nhất với cán bộ công nghệ thông tin vào cột tài khoản
hint-import-agree-extension = thống nhất phần mở rộng và ghi địa chỉ vào cột tài khoản, ví dụ { $examples }
diag-import-collision = { $name } chưa có tài khoản, và địa chỉ theo quy định II.2, `{ $derived }`, đã là của { $holder }
diag-import-naming-domain = không tài khoản nào cho biết tên miền của địa chỉ cá nhân
hint-import-naming-domain = hãy ghi rõ: --naming-domain bdt.binhthuan.gov.vn
diag-import-owner-unknown = chưa biết ai là chủ sở hữu hộp thư chung { $address }: máy chủ không lưu thông tin này
hint-import-owner = ghi người đứng đầu cơ quan: --shared { $address }=CHỦ_SỞ_HỮU (một địa chỉ hoặc một metadata.name)
diag-import-owner-not-imported = chủ sở hữu `{ $owner }` của { $address } không có trong số người được import
hint-import-owner-name = ghi chủ sở hữu bằng địa chỉ tài khoản hoặc metadata.name của người đó
diag-import-name-too-long = tên của { $address } trên máy chủ dài { $length } ký tự; tệp khai báo chỉ chứa tối đa { $max }
hint-import-name-too-long = rút ngắn tên trên máy chủ, rồi import lại
