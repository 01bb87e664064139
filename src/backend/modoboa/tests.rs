use super::*;

#[test]
fn reads_the_server_url() {
    let c = ModoboaConfig::from_url("modoboa+http://127.0.0.1:8000").unwrap();
    assert_eq!(c.base.as_str(), "http://127.0.0.1:8000/");
    assert_eq!(c.requests_per_second, NonZeroU32::new(4));
    let c =
        ModoboaConfig::from_url("modoboa+https://mail.example.vn/admin?requests-per-second=0&page-size=200")
            .unwrap();
    assert_eq!(c.base.as_str(), "https://mail.example.vn/admin/");
    assert_eq!(c.requests_per_second, None);
    assert_eq!(c.page_size, 200);
    for bad in [
        "modoboa+ftp://x",
        "modoboa+http://admin:pw@x",
        "modoboa+http://x?speed=1",
        "modoboa+http://x?page-size=many",
    ] {
        assert!(ModoboaConfig::from_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_import_file_quotes_what_needs_it() {
    let new = |address: &str, given: Option<&str>, family: &str, aliases: &[&str]| NewAccount {
        address: address.parse().unwrap(),
        display_name: "Ban Dân tộc; tỉnh".into(),
        given_name: given.map(str::to_string),
        family_name: Some(family.into()),
        quota: Some("2GiB".parse().unwrap()),
        aliases: aliases.iter().map(|a| a.parse().unwrap()).collect(),
        enabled: true,
    };
    let an = new("anvtt@x.vn", Some("An"), "Võ Thị Thu", &["an@x.vn"]);
    let agency = new("bdt@x.vn", None, "", &[]);
    let csv = import_csv(&[(&an, "{SHA512-CRYPT}$6$x".into()), (&agency, "p;w".into())]).unwrap();
    assert_eq!(
        csv,
        "account;anvtt@x.vn;{SHA512-CRYPT}$6$x;An;Võ Thị Thu;True;SimpleUsers;anvtt@x.vn;2048\n\
         account;bdt@x.vn;\"p;w\";;\"Ban Dân tộc; tỉnh\";True;SimpleUsers;bdt@x.vn;2048\n\
         alias;an@x.vn;True;anvtt@x.vn\n"
    );
    let mut unlimited = an.clone();
    unlimited.quota = Some(Quota::Unlimited);
    assert!(import_csv(&[(&unlimited, String::new())]).is_none());
}

#[test]
fn passwords_are_hashed_the_servers_way() {
    let h = Scheme::Sha512(5000)
        .hash(&Secret::new("Str0ngPassw0rd".into()))
        .unwrap();
    assert!(h.starts_with("{SHA512-CRYPT}$6$"), "{h}");
    let h = Scheme::Sha512(70000).hash(&Secret::new("x".into())).unwrap();
    assert!(h.starts_with("{SHA512-CRYPT}$6$rounds=70000$"), "{h}");
    let h = Scheme::Sha256(6000).hash(&Secret::new("x".into())).unwrap();
    assert!(h.starts_with("{SHA256-CRYPT}$5$rounds=6000$"), "{h}");
}

#[test]
fn quotas_are_whole_megabytes() {
    assert_eq!(quota_text("2GiB".parse().unwrap()).unwrap(), "2048");
    assert_eq!(quota_text(Quota::Unlimited).unwrap(), "0");
    assert!(quota_text("1500KiB".parse().unwrap()).is_err());
    assert_eq!(quota_from(&json!("2048")), Some("2GiB".parse().unwrap()));
    assert_eq!(quota_from(&json!("0")), Some(Quota::Unlimited));
    assert_eq!(quota_from(&json!(1024)), Some("1GiB".parse().unwrap()));
}

#[test]
fn error_bodies_are_summarised() {
    assert_eq!(
        describe_body(r#"{"username":["user with this username already exists."]}"#),
        "username: user with this username already exists."
    );
    assert_eq!(describe_body(r#"{"detail":"Invalid token."}"#), "Invalid token.");
    assert_eq!(
        describe_body("<!doctype html><html><title>Sorry</title></html>"),
        "an HTML error page"
    );
}

/// A server on 127.0.0.1 that answers each connection with the next canned response (shapes recorded
/// from Modoboa 2.12.0: its HTML error page, DRF's 429), for the faults a live Modoboa gives only under
/// load. Returns the URL and, at the end, the request lines it saw.
fn canned(responses: Vec<String>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for r in responses {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let text = String::from_utf8_lossy(&buf).to_string();
            seen.push(text.lines().next().unwrap_or_default().to_string());
            s.write_all(r.as_bytes()).unwrap();
        }
        seen
    });
    (format!("modoboa+http://{addr}?requests-per-second=0"), handle)
}

fn response(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
        body.len()
    )
}

fn backend(url: &str) -> ModoboaBackend {
    let mut config = ModoboaConfig::from_url(url).unwrap();
    config.retry.initial_backoff = Duration::from_millis(10);
    let token = Secret::new("0123456789abcdef0123456789abcdef01234567".into());
    ModoboaBackend::new(config, token, vec!["x.vn".into()]).unwrap()
}

#[tokio::test]
async fn html_errors_and_throttling_are_retried() {
    let domains = r#"{"count":1,"next":null,"previous":null,"results":[{"pk":3,"name":"x.vn"}]}"#;
    let accounts = r#"{"count":1,"next":null,"previous":null,"results":[{"pk":9,"username":"anvtt@x.vn",
        "first_name":"An","last_name":"Võ Thị Thu","is_active":true,"mailbox":{"use_domain_quota":false,
        "quota":"2048"},"aliases":["an@x.vn"],"last_login":null}]}"#;
    let (url, server) = canned(vec![
        response(
            "500 Internal Server Error",
            "Content-Type: text/html\r\n",
            "<!doctype html><h1>Sorry</h1>",
        ),
        response(
            "429 Too Many Requests",
            "Retry-After: 1\r\nContent-Type: application/json\r\n",
            r#"{"detail":"Request was throttled. Expected available in 1 second."}"#,
        ),
        response("200 OK", "Content-Type: application/json\r\n", domains),
        response("200 OK", "Content-Type: application/json\r\n", accounts),
    ]);
    let b = backend(&url);
    let o = b.observe().await.unwrap();
    assert!(o.complete);
    assert_eq!(o.accounts.len(), 1);
    let a = &o.accounts[0];
    assert_eq!(a.id.as_deref(), Some("9"));
    assert_eq!(a.display_name, "Võ Thị Thu An");
    assert_eq!(a.given_name.as_deref(), Some("An"));
    assert_eq!(a.quota, Some("2GiB".parse().unwrap()));
    assert_eq!(b.requests(), 4);
    let seen = server.join().unwrap();
    assert_eq!(seen[0], "GET /api/v2/domains/?page_size=1000&page=1 HTTP/1.1");
    assert_eq!(seen[2], seen[0], "the same request, retried");
    assert_eq!(
        seen[3],
        "GET /api/v2/accounts/?domain=3&page_size=1000&page=1 HTTP/1.1"
    );
}

#[tokio::test]
async fn a_refused_token_is_reported_without_it() {
    let (url, server) = canned(vec![response(
        "401 Unauthorized",
        "Content-Type: application/json\r\n",
        r#"{"detail":"Invalid token."}"#,
    )]);
    let e = backend(&url).observe().await.unwrap_err().to_string();
    server.join().unwrap();
    assert!(e.contains("HTTP 401") && e.contains("Invalid token."), "{e}");
    assert!(!e.contains("0123456789abcdef"), "{e}");
}

#[test]
fn the_wait_of_a_throttled_request() {
    let mut h = reqwest::header::HeaderMap::new();
    assert_eq!(
        retry_after(
            &h,
            r#"{"detail":"Request was throttled. Expected available in 3 seconds."}"#
        ),
        Some(Duration::from_secs(3))
    );
    h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
    assert_eq!(retry_after(&h, ""), Some(Duration::from_secs(7)));
}
