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
