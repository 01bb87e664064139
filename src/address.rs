//! The one address grammar of mailops. Every address (a manifest's, a server's, a saved plan's) becomes an
//! [`Address`] only through [`Address::from_str`], so what this module accepts is all that ever reaches a
//! server file, an API call or a terminal; backends check [`Address::is_storable`] again before writing.
//!
//! - local part: a dot-atom of ASCII letters (kept lowercase), digits and `.`, `-`, `_`, `+`; not starting
//!   with `.`, `-` or `+`, not ending with `.`, no `..`; 1 to 64 octets;
//! - domain: at least two LDH labels (letters, digits, `-`; 1 to 63 octets; not starting or ending with
//!   `-`), at most 253 octets, a top-level label that is not all digits;
//! - no quoted strings, comments, `/`, `:`, `#`, whitespace, control or non-ASCII characters anywhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest local part (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL: usize = 64;
/// The longest domain (RFC 1035).
pub const MAX_DOMAIN: usize = 253;

/// What an address is, for hints: `ho.ten+x@domain`.
pub const GRAMMAR_HINT: &str = "an address is letters a–z, digits and `.` `-` `_` `+` before the @ (at most 64, no `..`), then a domain such as bdt.binhthuan.gov.vn; no quotes, spaces, `/`, `:` or `#`";

/// A mail address, lowercase, in the grammar of this module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address {
    // `local@domain` in one allocation (100k mailboxes hold several addresses each); `at` is the `@`.
    text: String,
    at: usize,
}

/// Why an address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid e-mail address ({reason})")]
pub struct AddressError {
    input: String,
    reason: &'static str,
}

impl AddressError {
    /// Why, in a few words.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// Why a local part is refused, if it is.
fn local_problem(local: &str) -> Option<&'static str> {
    if local.is_empty() {
        return Some("nothing before the @");
    }
    if local.len() > MAX_LOCAL {
        return Some("more than 64 characters before the @");
    }
    if local.starts_with('"') {
        return Some("quoted local parts are not accepted");
    }
    if let Some(c) = local
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '+')))
    {
        return Some(match c {
            c if c.is_whitespace() => "spaces are not allowed",
            c if c.is_control() => "control characters are not allowed",
            c if !c.is_ascii() => "only ASCII letters are allowed (write the name without accents)",
            '/' | '\\' => "`/` and `\\` are not allowed",
            ':' => "`:` is not allowed",
            '#' => "`#` is not allowed",
            _ => "only letters, digits and . - _ + are allowed before the @",
        });
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Some("the part before the @ may not start or end with a dot");
    }
    if local.contains("..") {
        return Some("two dots in a row");
    }
    if local.starts_with('-') || local.starts_with('+') {
        return Some("the part before the @ may not start with - or +");
    }
    None
}

/// Why a domain is refused, if it is.
fn domain_problem(domain: &str) -> Option<&'static str> {
    if domain.is_empty() {
        return Some("nothing after the @");
    }
    if domain.len() > MAX_DOMAIN {
        return Some("the domain is longer than 253 characters");
    }
    if !domain.is_ascii() {
        return Some("only ASCII domains are accepted (write an internationalised domain in its xn-- form)");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Some("the domain needs at least two parts, e.g. bdt.binhthuan.gov.vn");
    }
    for l in &labels {
        if l.is_empty() {
            return Some("an empty part in the domain");
        }
        if l.len() > 63 {
            return Some("a part of the domain is longer than 63 characters");
        }
        if !l
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Some("a domain has only letters, digits and - between its dots");
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Some("a part of the domain may not start or end with -");
        }
    }
    if labels
        .last()
        .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some("the domain may not end with a number");
    }
    None
}

impl Address {
    /// Builds an address from a local part and a domain (both lowercased).
    ///
    /// # Errors
    /// When the result is not in the grammar.
    pub fn new(local: &str, domain: &str) -> Result<Self, AddressError> {
        format!("{local}@{domain}").parse()
    }

    /// The part before `@`.
    #[must_use]
    pub fn local(&self) -> &str {
        &self.text[..self.at]
    }

    /// The part after `@`.
    #[must_use]
    pub fn domain(&self) -> &str {
        &self.text[self.at + 1..]
    }

    /// The whole address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it may be written into a line-, colon-, space- or slash-separated server file as it is. Always
    /// true for an address of this grammar; backends check it again before writing, whatever the caller.
    #[must_use]
    pub fn is_storable(&self) -> bool {
        local_problem(self.local()).is_none() && domain_problem(self.domain()).is_none()
    }
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: &'static str| AddressError {
            input: crate::diagnostics::escape_controls(s),
            reason,
        };
        if s.trim() != s {
            return Err(err("leading or trailing spaces"));
        }
        if s.is_empty() {
            return Err(err("empty"));
        }
        let Some(at) = s.rfind('@') else {
            return Err(err("no @"));
        };
        if s[..at].contains('@') {
            return Err(err("more than one @"));
        }
        let text = s.to_ascii_lowercase();
        if let Some(reason) = local_problem(&text[..at]).or_else(|| domain_problem(&text[at + 1..])) {
            return Err(err(reason));
        }
        Ok(Self { text, at })
    }
}

impl TryFrom<String> for Address {
    type Error = AddressError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.text
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Checks a domain name (the Organization's domains): lowercase, in the grammar above.
#[must_use]
pub fn is_valid_domain(domain: &str) -> bool {
    domain == domain.to_ascii_lowercase() && domain_problem(domain).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_lowercased() {
        let a: Address = "AnVTT@BDT.binhthuan.gov.vn".parse().unwrap();
        assert_eq!(a.to_string(), "anvtt@bdt.binhthuan.gov.vn");
        assert_eq!(a.local(), "anvtt");
        assert_eq!(a.domain(), "bdt.binhthuan.gov.vn");
        for good in [
            "a.b@x.vn",
            "a_b+c-d@x-y.vn",
            "a1@x1.vn",
            "x@xn--bcher-kva.example",
        ] {
            assert!(good.parse::<Address>().is_ok(), "{good}");
        }
    }

    #[test]
    fn everything_a_server_file_could_mistake_is_refused() {
        for bad in [
            "anvtt",
            "an vtt@x.vn",
            "an@localhost",
            "a@@x.vn",
            "ân@x.vn",
            " a@x.vn",
            "A <a@x.vn>",
            "\"evil:{PLAIN}x:1000:1000::/tmp/pw::\"@bdt.binhthuan.gov.vn",
            "\"x/../../../tmp/esc\"@bdt.binhthuan.gov.vn",
            "#hash@bdt.binhthuan.gov.vn",
            "\"x evil@attacker.example ,\"@bdt.binhthuan.gov.vn",
            "anvtt/inner@bdt.binhthuan.gov.vn",
            "a:b@x.vn",
            "a\tb@x.vn",
            "a\nb@x.vn",
            "a\u{1b}[2J@x.vn",
            ".a@x.vn",
            "a.@x.vn",
            "a..b@x.vn",
            "-a@x.vn",
            "+a@x.vn",
            "a(comment)@x.vn",
            "a@x_y.vn",
            "a@-x.vn",
            "a@x-.vn",
            "a@x..vn",
            "a@x.vn.",
            "a@1.2.3.4",
            "a@[127.0.0.1]",
            "a@x/y.vn",
            "a\\b@x.vn",
            "",
            "@x.vn",
            "a@",
        ] {
            assert!(bad.parse::<Address>().is_err(), "{bad:?}");
        }
        let long = format!("{}@x.vn", "a".repeat(65));
        assert!(long.parse::<Address>().is_err());
        let ok = format!("{}@x.vn", "a".repeat(64));
        assert!(ok.parse::<Address>().is_ok());
    }

    #[test]
    fn the_reason_is_named_and_control_characters_are_not_echoed() {
        let e = "a\u{1b}]0;PWNED\u{7}@x.vn".parse::<Address>().unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
        assert_eq!(e.reason(), "control characters are not allowed");
        let e = "\"x\"@x.vn".parse::<Address>().unwrap_err();
        assert_eq!(e.reason(), "quoted local parts are not accepted");
    }

    #[test]
    fn domains() {
        assert!(is_valid_domain("bdt.binhthuan.gov.vn"));
        assert!(!is_valid_domain("bdt"));
        assert!(!is_valid_domain("BDT.vn"));
        assert!(!is_valid_domain("bdt.vn\n"));
    }
}
