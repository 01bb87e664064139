//! The status page of a running `mailops watch`, loaded in a real browser (headless Chromium) as the IT
//! officer would: the revision in force and when it was applied, the last plan, a quota raised by hand on
//! the server, a mailbox suspended and waiting for deletion with its date, and the last error with its file
//! and line (in the page's language); in Vietnamese and in English; no script, no secret. A screenshot of
//! each language is written to `target/status-page/` for a person to look at.

mod common;

use common::browser::{Chromium, visible_text};
use common::watcher::Watcher;

fn shots() -> std::path::PathBuf {
    let dir = common::root().join("target/status-page");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_person_reads_the_status_page_of_watch_in_a_browser() {
    let chromium = Chromium::new();
    let dir = tempfile::tempdir().unwrap();
    let agency = dir.path().join("agency");
    common::copy_dir(&common::root().join(common::EXAMPLE), &agency);
    let mail = dir.path().join("mail");
    let server = format!("maildir:{}", mail.display());
    let folder = agency.display().to_string();
    let watcher = Watcher::start(
        &[&folder, "--server", &server, "--interval", "1s", "--lang", "vi"],
        &[],
    );
    let s = watcher.wait_for("the first apply", 60, |s| s["revision"] == "local");
    let applied_at = s["appliedAt"].as_str().unwrap().to_string();

    // A person leaves: the manifest goes, the mailbox is suspended and waits for its deletion.
    std::fs::remove_file(agency.join("staff/ban-dan-toc/k-rem.yaml")).unwrap();
    let s = watcher.wait_for("a pending removal", 20, |s| {
        !s["pendingRemovals"].as_array().unwrap().is_empty()
    });
    let leaving = s["pendingRemovals"][0]["address"].as_str().unwrap().to_string();
    let day = chrono::NaiveDate::parse_from_str(
        s["pendingRemovals"][0]["deleteAfter"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    // The officer raises a quota on the server by hand (drift is only reported by default).
    let passwd = std::fs::read_to_string(mail.join("passwd")).unwrap();
    let raised: String = passwd
        .lines()
        .map(|l| {
            let l = if l.starts_with("anvtt@") {
                l.replace("storage=2048M", "storage=4096M")
            } else {
                l.to_string()
            };
            l + "\n"
        })
        .collect();
    assert_ne!(raised, passwd);
    std::fs::write(mail.join("passwd"), raised).unwrap();
    watcher.wait_for("the drift", 20, |s| !s["drift"].as_array().unwrap().is_empty());
    // Then a new manifest with a unit that does not exist: refused, the last good revision stays.
    std::fs::write(
        agency.join("staff/ban-dan-toc/nguyen-van-moi.yaml"),
        common::new_hire("nguyen-van-moi", "Nguyễn Văn Mới", "phong-khong-co"),
    )
    .unwrap();
    let s = watcher.wait_error("invalid", 20);
    assert_eq!(s["revision"], "local");
    let detail = s["lastError"]["details"][0].as_str().unwrap().to_string();
    assert!(detail.contains("nguyen-van-moi.yaml:"), "{s:#}");
    assert!(
        detail.contains("unit `phong-khong-co` is not defined in the Organization"),
        "{s:#}"
    );

    // What the officer sees, in Vietnamese (the language the agency runs it in).
    let html = chromium.dom(&format!("{}/", watcher.base), "en-US,en");
    let doc = scraper::Html::parse_document(&html);
    let select = |css: &str| doc.select(&scraper::Selector::parse(css).unwrap()).count();
    assert_eq!(select("script"), 0, "{html}");
    assert_eq!(select("meta[http-equiv=refresh][content='10']"), 1, "{html}");
    assert_eq!(select("html[lang=vi]"), 1, "{html}");
    let seen = visible_text(&html);
    let applied = chrono::DateTime::parse_from_rfc3339(&applied_at).unwrap();
    for want in [
        "mailops — trạng thái đồng bộ".to_string(),
        "Phiên bản đang áp dụng Phiên bản local".to_string(),
        format!("Áp dụng lúc {}", applied.format("%H:%M:%S UTC, %d/%m/%Y")),
        "Tài khoản bị thay đổi thủ công trên máy chủ".to_string(),
        "anvtt@bdt.binhthuan.gov.vn quota chỉ báo cáo".to_string(),
        "Hộp thư chờ xóa".to_string(),
        format!("{leaving} {}", day.format("%d/%m/%Y")),
        "Lỗi gần nhất Tệp khai báo không hợp lệ".to_string(),
        // The diagnostic in the page's language (`/status` keeps it in English).
        detail.replace(
            "unit `phong-khong-co` is not defined in the Organization",
            "đơn vị `phong-khong-co` chưa được khai báo trong Organization",
        ),
        "Trang tự làm mới sau mỗi 10 giây.".to_string(),
    ] {
        assert!(seen.contains(&want), "«{want}» is not on the page:\n{seen}");
    }
    for secret in ["{SHA512-CRYPT}", "$6$", "password"] {
        assert!(!html.contains(secret), "{secret} on the page");
    }
    chromium.screenshot(
        &format!("{}/", watcher.base),
        "vi",
        &shots().join("status-vi.png"),
        1100,
        1500,
    );

    // A reader who asks for English, by the link on the page.
    let html = chromium.dom(&format!("{}/?lang=en", watcher.base), "vi");
    let seen = visible_text(&html);
    for want in [
        "Revision in force Revision local".to_string(),
        "Accounts changed by hand on the server".to_string(),
        "anvtt@bdt.binhthuan.gov.vn quota reported".to_string(),
        format!("{leaving} {}", day.format("%Y-%m-%d")),
        "Last error A manifest is not valid".to_string(),
        detail,
    ] {
        assert!(seen.contains(&want), "«{want}» is not on the page:\n{seen}");
    }
    chromium.screenshot(
        &format!("{}/?lang=en", watcher.base),
        "en",
        &shots().join("status-en.png"),
        1100,
        1500,
    );

    // Fixed: the error goes, the page says so.
    std::fs::remove_file(agency.join("staff/ban-dan-toc/nguyen-van-moi.yaml")).unwrap();
    watcher.wait_for("the error cleared", 20, |s| s["lastError"].is_null());
    let seen = visible_text(&chromium.dom(&format!("{}/", watcher.base), "vi"));
    assert!(seen.contains("Lỗi gần nhất Không có lỗi."), "{seen}");
    let (code, _) = watcher.stop();
    assert_eq!(code, 0);
}
