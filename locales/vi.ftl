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
