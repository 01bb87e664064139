//! The naming policy of rule II.2, as pure functions.
//!
//! A personal address is `<given name><initial of the family name><initials of the middle names>`, folded
//! to lowercase ASCII, with an optional `.<extension>`: Võ Thị Thu An → `anvtt`, K'Rẻm → `remk`,
//! Lỷ Khì Lằn → `lanlk`. Folding decomposes (NFD), drops combining marks and maps `đ`/`Đ` to `d` by hand,
//! since that letter has no decomposition. Apostrophes and hyphens split words.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Why a name cannot be turned into an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingError {
    /// The full name has no letters at all.
    #[error("the name is empty")]
    Empty,
    /// A character that has no ASCII form under the policy.
    #[error("`{ch}` in `{word}` has no ASCII form under the naming policy")]
    Unfoldable {
        /// The word.
        word: String,
        /// The character.
        ch: char,
    },
    /// An explicit given or family name that is not part of the full name.
    #[error("`{part}` is not part of the full name `{full}`")]
    NotInFullName {
        /// The given or family name as written.
        part: String,
        /// The full name.
        full: String,
    },
    /// Given and family name overlap.
    #[error("the family name `{0}` is also the given name")]
    Overlap(String),
}

/// Why an extension is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    /// Empty.
    #[error("the extension is empty")]
    Empty,
    /// Too long.
    #[error("the extension `{0}` is longer than {1} characters")]
    TooLong(String, usize),
    /// Has a digit.
    #[error("the extension `{0}` contains a digit")]
    Digit(String),
    /// Has something other than a–z.
    #[error("the extension `{0}` may only hold lowercase ASCII letters a–z")]
    NotLetters(String),
    /// Uses the agency's name.
    #[error("the extension `{0}` uses the agency's name `{1}`")]
    AgencyName(String, String),
}

/// Rules for extensions: length and names that may not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionRules {
    /// Longest extension (rule II.2: 6).
    pub max_length: usize,
    /// The agency's short name and other reserved words, lowercase.
    pub reserved: Vec<String>,
}

impl Default for ExtensionRules {
    fn default() -> Self {
        Self {
            max_length: 6,
            reserved: Vec::new(),
        }
    }
}

/// A full name split into the parts the address is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    /// The given name's words (tên), usually one.
    pub given: Vec<String>,
    /// The family name (họ).
    pub family: Option<String>,
    /// Middle names (tên lót / tên đệm) in order.
    pub middle: Vec<String>,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}')
}

/// Splits a full name into words: whitespace, apostrophes and hyphens separate words (K'Rẻm → K, Rẻm).
#[must_use]
pub fn words(full_name: &str) -> Vec<String> {
    let nfc: String = full_name.nfc().collect();
    nfc.split(|c: char| c.is_whitespace() || is_apostrophe(c) || is_hyphen(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Normalises a full name for display: NFC, single spaces, trimmed. Case is kept as written.
#[must_use]
pub fn display_name(full_name: &str) -> String {
    let nfc: String = full_name.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folds text to lowercase ASCII letters: NFD, combining marks dropped, `đ`/`Đ` → `d`.
///
/// # Errors
/// [`NamingError::Unfoldable`] for a character that is not a Latin letter with marks (digits included).
pub fn fold(word: &str) -> Result<String, NamingError> {
    let mut out = String::with_capacity(word.len());
    for c in word.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c.to_ascii_lowercase(),
        };
        if !c.is_ascii_lowercase() {
            return Err(NamingError::Unfoldable {
                word: word.to_string(),
                ch: c,
            });
        }
        out.push(c);
    }
    Ok(out)
}

fn same_word(a: &str, b: &str) -> bool {
    let a: String = a.nfc().flat_map(char::to_lowercase).collect();
    let b: String = b.nfc().flat_map(char::to_lowercase).collect();
    a == b
}

/// Finds `part`'s words as a consecutive run in `all` (case-insensitive), skipping the positions in `taken`.
fn find_run(all: &[String], part: &[String], taken: &[usize]) -> Option<usize> {
    if part.is_empty() || part.len() > all.len() {
        return None;
    }
    (0..=all.len() - part.len()).find(|&start| {
        (0..part.len()).all(|i| !taken.contains(&(start + i)) && same_word(&all[start + i], &part[i]))
    })
}

/// Splits a full name into given, family and middle names.
///
/// Without hints the Kinh order applies: family name first, given name last, middle names between. With an
/// explicit `given` (and optionally `family`) for names that do not follow that order, the given name's words
/// are found in the full name, the family name is the explicit one or else the first remaining word, and the
/// other words are middle names in order.
///
/// # Errors
/// [`NamingError::Empty`] for a name without words, [`NamingError::NotInFullName`] when a hint is not part of
/// the full name, [`NamingError::Overlap`] when family and given name are the same words.
pub fn split_name(
    full_name: &str,
    given: Option<&str>,
    family: Option<&str>,
) -> Result<NameParts, NamingError> {
    let all = words(full_name);
    if all.is_empty() {
        return Err(NamingError::Empty);
    }
    let not_in = |part: &str| NamingError::NotInFullName {
        part: part.to_string(),
        full: display_name(full_name),
    };
    let given_at = match given {
        Some(g) => {
            let gw = words(g);
            let start = find_run(&all, &gw, &[]).ok_or_else(|| not_in(g))?;
            (start..start + gw.len()).collect::<Vec<_>>()
        }
        None => vec![all.len() - 1],
    };
    let family_at = match family {
        Some(f) => {
            let fw = words(f);
            if fw.len() == 1 && given_at.len() == 1 && same_word(&fw[0], &all[given_at[0]]) {
                return Err(NamingError::Overlap(f.to_string()));
            }
            let start = find_run(&all, &fw, &given_at).ok_or_else(|| not_in(f))?;
            (start..start + fw.len()).collect::<Vec<_>>()
        }
        None => (0..all.len())
            .find(|i| !given_at.contains(i))
            .into_iter()
            .collect(),
    };
    let middle = (0..all.len())
        .filter(|i| !given_at.contains(i) && !family_at.contains(i))
        .map(|i| all[i].clone())
        .collect();
    Ok(NameParts {
        given: given_at.iter().map(|&i| all[i].clone()).collect(),
        family: (!family_at.is_empty()).then(|| {
            family_at
                .iter()
                .map(|&i| all[i].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        middle,
    })
}

fn initial(word: &str) -> Result<String, NamingError> {
    Ok(fold(word)?.chars().next().map(String::from).unwrap_or_default())
}

/// The local part derived from the name's parts, without extension.
///
/// # Errors
/// [`NamingError::Unfoldable`] when a word cannot be folded to ASCII.
pub fn derive_local_part(parts: &NameParts) -> Result<String, NamingError> {
    let mut local = String::new();
    for g in &parts.given {
        local.push_str(&fold(g)?);
    }
    if let Some(f) = &parts.family {
        // A family name of several words (rare) contributes the initial of each.
        for w in words(f) {
            local.push_str(&initial(&w)?);
        }
    }
    for m in &parts.middle {
        local.push_str(&initial(m)?);
    }
    if local.is_empty() {
        return Err(NamingError::Empty);
    }
    Ok(local)
}

/// Derives the local part straight from a full name (Kinh order).
///
/// # Errors
/// As [`split_name`] and [`derive_local_part`].
pub fn derive(full_name: &str) -> Result<String, NamingError> {
    derive_local_part(&split_name(full_name, None, None)?)
}

/// Checks an extension against rule II.2: 1 to `max_length` lowercase ASCII letters, no digits, not the
/// agency's name.
///
/// # Errors
/// The first rule broken.
pub fn check_extension(extension: &str, rules: &ExtensionRules) -> Result<(), ExtensionError> {
    if extension.is_empty() {
        return Err(ExtensionError::Empty);
    }
    if extension.chars().any(|c| c.is_ascii_digit()) {
        return Err(ExtensionError::Digit(extension.to_string()));
    }
    if !extension.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(ExtensionError::NotLetters(extension.to_string()));
    }
    if extension.chars().count() > rules.max_length {
        return Err(ExtensionError::TooLong(extension.to_string(), rules.max_length));
    }
    if let Some(r) = rules
        .reserved
        .iter()
        .find(|r| !r.is_empty() && extension.contains(r.as_str()))
    {
        return Err(ExtensionError::AgencyName(extension.to_string(), r.clone()));
    }
    Ok(())
}

/// The local part with an optional extension: `anvtt` or `anvtt.ctt`.
#[must_use]
pub fn with_extension(local: &str, extension: Option<&str>) -> String {
    match extension {
        Some(e) => format!("{local}.{e}"),
        None => local.to_string(),
    }
}

fn initials_of(text: &str) -> Option<String> {
    let mut s = String::new();
    for w in words(text) {
        s.push_str(&initial(&w).ok()?);
    }
    (!s.is_empty()).then_some(s)
}

/// Suggests extensions for a colliding address, best first, without choosing one: the initials of the title
/// (Chánh Thanh tra → `ctt`), of the unit's name, the family name and the middle names, each kept only if it
/// passes [`check_extension`] and `is_free(candidate)` says the resulting local part is not taken.
#[must_use]
pub fn suggest_extensions(
    parts: &NameParts,
    title: Option<&str>,
    unit_name: Option<&str>,
    rules: &ExtensionRules,
    is_free: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut candidates: Vec<String> = Vec::new();
    candidates.extend(title.and_then(initials_of));
    candidates.extend(unit_name.and_then(initials_of));
    candidates.extend(
        parts
            .family
            .as_deref()
            .and_then(|f| fold(&f.replace(' ', "")).ok()),
    );
    candidates.extend(parts.middle.iter().rev().filter_map(|m| fold(m).ok()));
    let mut out: Vec<String> = Vec::new();
    for c in candidates {
        if out.len() == 4 {
            break;
        }
        if !out.contains(&c) && check_extension(&c, rules).is_ok() && is_free(&c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
