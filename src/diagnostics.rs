//! Diagnostics: problems found in the desired state, each tied to a file, line, column, resource and field.
//!
//! Diagnostics accumulate (errors and warnings together) so that `validate` reports every problem at once.
//! They are plain data; [`render_text`] and [`render_json`] are the two views.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde::Serialize;

use crate::i18n::{Lang, Msg};

/// How serious a diagnostic is. Errors make the desired state unusable; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The repository cannot be applied until this is fixed.
    Error,
    /// Worth fixing, but the repository is still valid.
    Warning,
}

/// A position in a source file: 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in Unicode scalar values.
    pub column: usize,
}

impl Position {
    /// A position from 1-based line and column.
    #[must_use]
    pub const fn new(line: usize, column: usize) -> Self {
        Self { line, column }
    }
}

/// Where something is: a file (relative to the repository root when possible) and, if known, a position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file, as shown to the user.
    pub file: PathBuf,
    /// The position in the file; `None` for problems about a whole file or folder.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

impl Location {
    /// A location at a position in a file.
    #[must_use]
    pub fn at(file: impl Into<PathBuf>, position: Position) -> Self {
        Self {
            file: file.into(),
            position: Some(position),
        }
    }

    /// A location naming a whole file or folder.
    #[must_use]
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            position: None,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}:{}", self.file.display(), p.line, p.column),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// What a diagnostic says: a [`Msg`] in the Fluent files (shown in the reader's language), or text that has
/// no translation (a parser's own words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// Translated.
    Msg(Msg),
    /// As it is.
    Plain(String),
}

impl Text {
    /// In English: what JSON reports and statuses record, whatever the reader's language.
    #[must_use]
    pub fn english(&self) -> String {
        self.to_lang(Lang::En)
    }

    /// In `lang`.
    #[must_use]
    pub fn to_lang(&self, lang: Lang) -> String {
        match self {
            Text::Msg(m) => m.to_lang(lang),
            Text::Plain(s) => s.clone(),
        }
    }
}

impl From<Msg> for Text {
    fn from(m: Msg) -> Self {
        Text::Msg(m)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Plain(s)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::Plain(s.to_string())
    }
}

/// A secondary location that helps explain a diagnostic ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// What this location is (in English).
    pub message: String,
    /// Where it is.
    #[serde(flatten)]
    pub location: Location,
    /// [`Related::message`] in any language.
    #[serde(skip)]
    pub text: Text,
}

/// One problem found in the desired state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `unknown-unit`; scripts may match on it.
    pub code: &'static str,
    /// What is wrong, in one sentence (in English; [`Diagnostic::message_text`] in the reader's language).
    pub message: String,
    /// Where it is.
    #[serde(flatten)]
    pub location: Location,
    /// The resource it belongs to, as `Kind/name`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The field path inside the resource, e.g. `spec.unit`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// How to fix it (in English; [`Diagnostic::hint_text`] in the reader's language).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Other places that explain the problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// The message in any language.
    #[serde(skip)]
    text: Option<Text>,
    /// The hint in any language.
    #[serde(skip)]
    hint_source: Option<Text>,
}

impl Diagnostic {
    /// `file:line:column: message (resource, field)` on one line (statuses and metrics labels show it).
    #[must_use]
    pub fn one_line(&self) -> String {
        self.one_line_in(Lang::En)
    }

    /// [`Diagnostic::one_line`] in `lang` (the status page, which a person reads).
    #[must_use]
    pub fn one_line_in(&self, lang: Lang) -> String {
        let message = self
            .text
            .as_ref()
            .map_or_else(|| self.message.clone(), |t| t.to_lang(lang));
        let mut line = self.location.file.display().to_string();
        if let Some(p) = self.location.position {
            line.push_str(&format!(":{}:{}", p.line, p.column));
        }
        line.push_str(&format!(": {message}"));
        let context: Vec<&str> = [self.resource.as_deref(), self.field.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !context.is_empty() {
            line.push_str(&format!(" ({})", context.join(", ")));
        }
        line
    }

    /// A new error.
    #[must_use]
    pub fn error(code: &'static str, location: Location, message: impl Into<Text>) -> Self {
        Self::new(Severity::Error, code, location, message)
    }

    /// A new warning.
    #[must_use]
    pub fn warning(code: &'static str, location: Location, message: impl Into<Text>) -> Self {
        Self::new(Severity::Warning, code, location, message)
    }

    fn new(severity: Severity, code: &'static str, location: Location, message: impl Into<Text>) -> Self {
        let text = message.into();
        Self {
            severity,
            code,
            message: text.english(),
            location,
            resource: None,
            field: None,
            hint: None,
            related: Vec::new(),
            text: Some(text),
            hint_source: None,
        }
    }

    /// The message in the reader's language.
    #[must_use]
    pub fn message_text(&self) -> String {
        self.text
            .as_ref()
            .map_or_else(|| self.message.clone(), |t| t.to_lang(crate::i18n::current()))
    }

    /// The hint in the reader's language.
    #[must_use]
    pub fn hint_text(&self) -> Option<String> {
        match &self.hint_source {
            Some(t) => Some(t.to_lang(crate::i18n::current())),
            None => self.hint.clone(),
        }
    }

    /// Names the resource (`Kind/name`).
    #[must_use]
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Names the field path.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Adds a hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<Text>) -> Self {
        let text = hint.into();
        self.hint = Some(text.english());
        self.hint_source = Some(text);
        self
    }

    /// Adds a related location.
    #[must_use]
    pub fn related(mut self, message: impl Into<Text>, location: Location) -> Self {
        let text = message.into();
        self.related.push(Related {
            message: text.english(),
            location,
            text,
        });
        self
    }

    /// Whether this is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one diagnostic; one without a hint gets the standard hint for its code.
    pub fn push(&mut self, mut diagnostic: Diagnostic) {
        if diagnostic.hint.is_none()
            && let Some(h) = default_hint(diagnostic.code)
        {
            diagnostic = diagnostic.hint(h);
        }
        self.items.push(diagnostic);
    }

    /// Adds many.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Number of errors.
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    #[must_use]
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Whether any error is present.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Whether there is nothing at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics in report order: by file, position, then severity.
    #[must_use]
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (&a.location, a.severity, a.code, &a.message).cmp(&(&b.location, b.severity, b.code, &b.message))
        });
        v
    }

    /// Iterates in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// The standard hint for a diagnostic code, used when the check that found it has nothing more specific.
#[must_use]
pub fn default_hint(code: &str) -> Option<Msg> {
    Some(match code {
        "invalid-date" => crate::msg!("hint-invalid-date"),
        "invalid-quota" => crate::msg!("hint-invalid-quota"),
        "invalid-address" => crate::msg!("hint-invalid-address"),
        "invalid-email" => crate::msg!("hint-invalid-email"),
        "self-delegation" => crate::msg!("hint-self-delegation"),
        "duplicate-alias" | "duplicate-delegate" | "duplicate-domain" | "duplicate-unit" => {
            crate::msg!("hint-duplicate-entry")
        }
        "empty-field" => crate::msg!("hint-empty-field"),
        "name-mismatch" => crate::msg!("hint-name-mismatch"),
        "out-of-range" => crate::msg!("hint-out-of-range"),
        "invalid-field" => crate::msg!("hint-invalid-field"),
        "invalid-file-type" => crate::msg!("hint-invalid-file-type"),
        "contradictory-attachment-policy" => crate::msg!("hint-contradictory-attachment-policy"),
        "invalid-domain" => crate::msg!("hint-invalid-domain"),
        "no-domains" => crate::msg!("hint-no-domains"),
        "unknown-domain" => crate::msg!("hint-unknown-domain"),
        "unused-reason" => crate::msg!("hint-unused-reason"),
        "alias-is-address" => crate::msg!("hint-alias-is-address"),
        "owner-is-delegate" => crate::msg!("hint-owner-is-delegate"),
        "file-too-large" => crate::msg!("hint-file-too-large"),
        "unreadable" => crate::msg!("hint-unreadable"),
        "symlink-dangling" => crate::msg!("hint-symlink-dangling"),
        "too-deep" => crate::msg!("hint-too-deep"),
        _ => return None,
    })
}

/// The machine-readable report of `validate --output json`. Versioned: fields are only ever added.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Format version of this report.
    pub version: u32,
    /// Whether the repository is valid (no errors).
    pub valid: bool,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<&'a Diagnostic>,
}

/// Renders the JSON report.
#[must_use]
pub fn render_json(diagnostics: &Diagnostics) -> String {
    let report = JsonReport {
        version: 1,
        valid: !diagnostics.has_errors(),
        errors: diagnostics.error_count(),
        warnings: diagnostics.warning_count(),
        diagnostics: diagnostics.sorted(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// Source texts by file, used to show the offending line under each diagnostic.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    sources: BTreeMap<PathBuf, String>,
}

impl SourceMap {
    /// Remembers the (NFC-normalised) text of a file.
    pub fn insert(&mut self, file: impl Into<PathBuf>, text: String) {
        self.sources.insert(file.into(), text);
    }

    /// Adds the texts of `other` (a part of the same repository read apart).
    pub fn append(&mut self, other: SourceMap) {
        // One by one: `BTreeMap::append` rebuilds the whole map, which for a part per file is quadratic.
        self.sources.extend(other.sources);
    }

    /// The text of a file, if known.
    #[must_use]
    pub fn get(&self, file: &Path) -> Option<&str> {
        self.sources.get(file).map(String::as_str)
    }
}

/// Byte offset of a 1-based line and character column in `text`, clamped to the text.
#[must_use]
pub fn byte_offset(text: &str, position: Position) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == position.line {
            let col = position.column.saturating_sub(1);
            let within = line
                .char_indices()
                .nth(col)
                .map_or(line.trim_end_matches('\n').len(), |(b, _)| b);
            return offset + within;
        }
        offset += line.len();
    }
    text.len()
}

/// Whether `c` is an invisible formatting character (Unicode's general category Cf): bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width spaces and joiners (U+200B–U+200D),
/// the byte-order mark, the soft hyphen. None belongs in a name, a title or an address, and each can make
/// a reviewer read something else than what is there (`Trojan Source`).
#[must_use]
pub fn is_format(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.general_category() == GeneralCategory::Format
}

/// `text` with every control character written out visibly (`\u{1b}`), except newlines and tabs: what a
/// manifest or a server says can never move the cursor, clear the screen or set a terminal's title.
#[must_use]
pub fn escape_controls(text: &str) -> String {
    terminal_safe_with(text, false)
}

/// [`escape_controls`], keeping the colour sequences mailops itself writes (`ESC [ digits ; … m`): the
/// boundary every line printed to a terminal goes through.
#[must_use]
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let harmless = |c: char| c == '\n' || c == '\t' || c == '\r';
    if !text.chars().any(|c| c.is_control() && !harmless(c)) && !text.replace("\r\n", "").contains('\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(terminal_safe_with(text, true))
}

fn terminal_safe_with(text: &str, keep_colour: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if keep_colour && c == '\u{1b}' {
            let seq = rest[1..].strip_prefix('[').map(|after| {
                let n = after
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || *b == b';')
                    .count();
                (after.as_bytes().get(n) == Some(&b'm')).then_some(n + 3)
            });
            if let Some(Some(len)) = seq {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        // A line ending `\r\n` (CSV, vCard) is kept; a lone `\r` would overwrite the line on screen.
        let line_end = c == '\r' && rest[1..].starts_with('\n');
        if c.is_control() && c != '\n' && c != '\t' && !line_end {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Renders diagnostics for a terminal, rustc-style, with the offending source line where known.
#[must_use]
pub fn render_text(diagnostics: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let mut files = SimpleFiles::new();
    let mut ids: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let config = term::Config::default();
    let mut out = Vec::new();
    let mut shown: BTreeMap<&'static str, usize> = BTreeMap::new();
    for d in diagnostics.sorted() {
        let seen = shown.entry(d.code).or_default();
        *seen += 1;
        if *seen > FULL_PER_CODE {
            out.extend(compact_line(d, color).into_bytes());
            continue;
        }
        let mut cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(d.code)
        .with_message(d.message_text());
        let mut notes = Vec::new();
        let mut label_for = |loc: &Location, primary: bool, msg: String, notes: &mut Vec<String>| {
            let text = loc.position.and_then(|p| sources.get(&loc.file).map(|t| (p, t)));
            match text {
                Some((p, t)) => {
                    let id = *ids
                        .entry(loc.file.clone())
                        .or_insert_with(|| files.add(loc.file.display().to_string(), t.to_string()));
                    let start = byte_offset(t, p);
                    let end = token_end(t, start);
                    let label = if primary {
                        Label::primary(id, start..end)
                    } else {
                        Label::secondary(id, start..end)
                    };
                    Some(label.with_message(msg))
                }
                None => {
                    notes.push(if primary {
                        crate::t!("diag-at", location = loc.to_string())
                    } else {
                        format!("{msg}: {loc}")
                    });
                    None
                }
            }
        };
        let primary_msg = d.field.clone().unwrap_or_default();
        let mut labels: Vec<Label<usize>> = Vec::new();
        labels.extend(label_for(&d.location, true, primary_msg, &mut notes));
        for r in &d.related {
            let message = r.text.to_lang(crate::i18n::current());
            labels.extend(label_for(&r.location, false, message, &mut notes));
        }
        match (&d.resource, &d.field) {
            (Some(r), Some(f)) => notes.push(crate::t!(
                "diag-in-resource-field",
                resource = r.as_str(),
                field = f.as_str()
            )),
            (Some(r), None) => notes.push(crate::t!("diag-in-resource", resource = r.as_str())),
            (None, Some(f)) => notes.push(crate::t!("diag-in-field", field = f.as_str())),
            (None, None) => {}
        }
        if let Some(h) = d.hint_text() {
            notes.push(crate::t!("diag-hint", hint = h));
        }
        cs = cs.with_labels(labels).with_notes(notes);
        if color {
            let mut buf = codespan_reporting::term::termcolor::Ansi::new(Vec::new());
            let _ = term::emit_to_write_style(&mut buf, &config, &files, &cs);
            out.extend(buf.into_inner());
        } else {
            let mut s = String::new();
            let _ = term::emit_to_string(&mut s, &config, &files, &cs);
            out.extend(s.into_bytes());
        }
    }
    let mut text = String::from_utf8_lossy(&out).into_owned();
    let (e, w) = (diagnostics.error_count(), diagnostics.warning_count());
    text.push_str(&summary_line(e, w));
    text
}

/// Diagnostics of one code shown in full; the rest get one line each (every one is still listed).
const FULL_PER_CODE: usize = 3;

/// `warning[code]: file:line:col: Mailbox/x spec.field: message` on one line.
fn compact_line(d: &Diagnostic, color: bool) -> String {
    let (start, end) = match (color, d.severity) {
        (false, _) => ("", ""),
        (true, Severity::Error) => ("\x1b[1;31m", "\x1b[0m"),
        (true, Severity::Warning) => ("\x1b[1;33m", "\x1b[0m"),
    };
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let what: Vec<&str> = [d.resource.as_deref(), d.field.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    format!(
        "{start}{severity}[{}]{end}: {}: {}: {}\n",
        d.code,
        d.location,
        what.join(" "),
        d.message_text()
    )
}

fn summary_line(errors: usize, warnings: usize) -> String {
    format!(
        "{}\n",
        crate::t!("diag-summary", errors = errors, warnings = warnings)
    )
}

/// End of the token that starts at `start`: up to the end of the line, but at most one YAML scalar wide.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let line = &rest[..line_len];
    let trimmed = line.trim_end();
    let token = trimmed
        .find(": ")
        .map_or(trimmed.len(), |i| if i == 0 { trimmed.len() } else { i });
    start
        + token
            .max(1)
            .min(line_len.max(1))
            .min(text.len() - start.min(text.len()))
}

#[cfg(test)]
mod terminal_tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(
            escape_controls("x\u{1b}[2J\u{1b}]0;PWNED\u{7}"),
            "x\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}"
        );
        assert_eq!(
            terminal_safe("\u{1b}[1;31merror\u{1b}[0m: a\tb\n"),
            "\u{1b}[1;31merror\u{1b}[0m: a\tb\n"
        );
        assert_eq!(terminal_safe("\u{1b}[2J\u{9b}2J\r"), "\\u{1b}[2J\\u{9b}2J\\u{d}");
        assert_eq!(terminal_safe("a,b\r\nc\r\n"), "a,b\r\nc\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_count_characters_not_bytes() {
        let text = "a: 1\nname: Võ Thị\nx: y\n";
        assert_eq!(byte_offset(text, Position::new(1, 1)), 0);
        assert_eq!(byte_offset(text, Position::new(2, 7)), 11);
        // Column 10 on line 2 is after "Võ T", a multi-byte character before it.
        assert_eq!(&text[byte_offset(text, Position::new(2, 11))..][..1], "h");
        assert_eq!(byte_offset(text, Position::new(3, 1)), text.find("x:").unwrap());
    }

    #[test]
    fn summary_pluralises() {
        assert_eq!(summary_line(1, 0), "1 error, 0 warnings\n");
        assert_eq!(summary_line(2, 1), "2 errors, 1 warning\n");
    }
}
