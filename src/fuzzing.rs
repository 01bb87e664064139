//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), also run over the checked-in corpus by the test
//! suite (`tests/fuzz_smoke.rs`): each takes arbitrary bytes, must never panic, and checks what must hold
//! for any input.

use std::path::{Path, PathBuf};

use crate::address::Address;
use crate::backend::maildir::files;

/// The manifest loader and validation: any bytes as a manifest file.
pub fn manifest(data: &[u8]) {
    let repo = crate::manifest::load_texts(
        Path::new("/repo"),
        [(PathBuf::from("/repo/staff.yaml"), data)],
        crate::manifest::LoadOptions::default(),
    );
    let validated = crate::desired::validate(&repo);
    for d in validated.diagnostics.iter() {
        // Every diagnostic names a file; a terminal never receives a control character from it.
        assert!(!d.location.file.as_os_str().is_empty());
        let shown = crate::diagnostics::terminal_safe(&d.one_line()).into_owned();
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
    }
}

/// The address grammar: what it accepts is lowercase, storable, and reads back as itself.
pub fn address(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = text.parse::<Address>() {
        assert_eq!(a.as_str(), text.to_ascii_lowercase());
        assert!(a.is_storable());
        assert_eq!(a.as_str().parse::<Address>().as_ref(), Ok(&a));
        assert!(
            !a.as_str()
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ':' | '/' | '#' | '"' | '\\'))
        );
        assert!(a.local().len() <= crate::address::MAX_LOCAL);
    }
}

/// The passwd-file parser: every line it reads as an account is written back byte for byte, and the file
/// is written back as it was.
pub fn passwd(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = Path::new("/srv/mail");
    let derived = |a: &Address| root.join("mail").join(a.domain()).join(a.local());
    let mut entries = Vec::new();
    let mut kept = Vec::new();
    for (i, line) in files::file_lines(text).enumerate() {
        let pos = i as files::Pos;
        match files::PasswdEntry::parse(line, i + 1, pos, root, derived) {
            Ok(Some(e)) => {
                assert_eq!(e.line(), line);
                entries.push(e);
            }
            Ok(None) => kept.push((pos, line.to_string())),
            Err(_) => return,
        }
    }
    let written = files::render_passwd(entries.iter(), &kept);
    assert_eq!(written, as_written_back(text));
}

/// What a file reads as once written back: its own bytes, with a line end added to a last line that had
/// none (the oracle is the input, never the parser's own line splitter).
fn as_written_back(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// The virtual-map parser: the file is written back as it was.
pub fn virtual_map(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (aliases, lines, kept) = files::parse_virtual(text);
    let written = files::render_virtual(&aliases, &lines, &kept);
    if !text.is_empty() {
        assert_eq!(written, as_written_back(text));
    }
}

/// The webhook payload and signature parsers: any headers and body, never a panic, never a push without a
/// valid signature.
pub fn webhook(data: &[u8]) {
    let _ = crate::serve::hooks::pushed_ref(data);
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (head, body) = data.split_at(split);
    let mut headers = axum::http::HeaderMap::new();
    for line in String::from_utf8_lossy(head).lines() {
        if let Some((k, v)) = line.split_once(':')
            && let (Ok(k), Ok(v)) = (
                axum::http::HeaderName::from_bytes(k.trim().as_bytes()),
                axum::http::HeaderValue::from_str(v.trim()),
            )
        {
            headers.insert(k, v);
        }
    }
    let secret = b"fuzz-secret";
    if let Ok(push) = crate::serve::hooks::verify(&headers, body, secret) {
        // Only a correct signature (or the GitLab token itself) gets here.
        let signed = headers
            .get("x-gitlab-token")
            .is_some_and(|t| t.as_bytes() == secret)
            || headers.contains_key("x-hub-signature-256")
            || headers.contains_key("x-gitea-signature");
        assert!(signed, "{push:?}");
    }
}

/// Whether an accepted address goes through every server file and request mailops writes unchanged: a
/// passwd line, the virtual map, a Dovecot ACL line, Modoboa's import CSV and its JSON.
///
/// # Errors
/// Where it does not.
pub fn storable_everywhere(a: &Address) -> Result<(), String> {
    let root = Path::new("/srv/mail");
    let home = root.join("mail").join(a.domain()).join(a.local());
    let line = files::PasswdEntry::new(a.clone(), "{PLAIN}x".into(), (1, 1), home.clone()).line();
    let back = files::PasswdEntry::parse(&line, 1, 0, root, |_| home.clone())
        .map_err(|e| e.to_string())?
        .ok_or("the passwd line is not read back as an account")?;
    if &back.address != a || back.home != home || back.line() != line {
        return Err(format!("passwd: {line}"));
    }
    let target: Address = "owner@x.vn"
        .parse()
        .map_err(|e: crate::address::AddressError| e.to_string())?;
    let aliases = std::collections::BTreeMap::from([(a.clone(), target.clone())]);
    let text = files::render_virtual(&aliases, &files::AliasLines::default(), &[]);
    let (read, _, _) = files::parse_virtual(&text);
    if read != aliases {
        return Err(format!("virtual: {text}"));
    }
    let acl = format!("user={a} lrwstipe");
    if acl.split(' ').next().and_then(|u| u.strip_prefix("user=")) != Some(a.as_str()) {
        return Err(format!("acl: {acl}"));
    }
    let new = crate::backend::NewAccount {
        address: a.clone(),
        display_name: "X".into(),
        given_name: None,
        family_name: None,
        quota: None,
        aliases: std::collections::BTreeSet::from([a.clone()]),
        enabled: true,
    };
    let csv = crate::backend::modoboa::wire::import_csv(&[(&new, "pw".into())]).ok_or("no CSV")?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        if &record[1] != a.as_str() {
            return Err(format!("csv: {csv}"));
        }
    }
    let json = serde_json::json!({ "username": a.as_str() }).to_string();
    let value: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    if value["username"] != a.as_str() {
        return Err(format!("json: {json}"));
    }
    Ok(())
}
