//! Reads a repository folder into raw resources, keeping the file, line and column of every field.
//!
//! # Guarantees
//! - Every `*.yaml` / `*.yml` file below the root is read (hidden files and folders such as `.git` are
//!   skipped), in a stable order; each may hold several documents.
//! - All text is normalised to Unicode NFC before parsing, so `Võ` typed in decomposed form is the same name.
//! - Nothing is ever half-loaded silently: every file or document that cannot be read becomes an error
//!   diagnostic naming the file, line and field, and the rest of the repository is still checked.
//!
//! # Refused input
//! Symlinks leading outside the root, files over [`LoadOptions::max_file_size`], non-UTF-8 bytes, YAML syntax
//! errors, duplicate keys, alias expansion bombs, unknown fields, and resources of unknown kind or apiVersion.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use unicode_normalization::UnicodeNormalization;

pub use super::resource::{Kind, Loaded, Origin, Resource};
use super::spans;
use super::types::{API_VERSION, ObjectMeta};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Position, SourceMap, Text};

/// Largest manifest file read by default (1 MiB: a staff file is a few hundred bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Limits for reading a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Files larger than this are refused.
    pub max_file_size: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// Everything read from a repository: the resources that could be read, and what could not.
#[derive(Debug, Clone, Default)]
pub struct LoadedRepository {
    /// The root folder (or file) as given.
    pub root: PathBuf,
    /// Resources in file order.
    pub resources: Vec<Resource>,
    /// Problems found while reading.
    pub diagnostics: Diagnostics,
    /// The NFC text of every file read, for showing source lines in reports.
    pub sources: SourceMap,
}

/// Reads every manifest below `root` (a folder, or a single file).
///
/// # Errors
/// Never fails as a whole: unreadable parts become error diagnostics in the result, including a root that
/// does not exist.
#[must_use]
pub fn load_repository(root: &Path, options: LoadOptions) -> LoadedRepository {
    let mut repo = LoadedRepository {
        root: root.to_path_buf(),
        ..LoadedRepository::default()
    };
    let files = match list_files(root, &mut repo.diagnostics) {
        Some(f) => f,
        None => return repo,
    };
    tracing::debug!(root = %root.display(), files = files.len(), "reading manifests");
    // In slices, so that the parts read apart and not yet merged stay a few thousand resources.
    for slice in files.chunks(PARALLEL_SLICE) {
        let parts = in_parallel(slice, |file, part| load_file(file, options, part));
        repo.append(parts);
    }
    // The doubling vector's spare room back (for a large vector, a remap rather than a copy).
    repo.resources.shrink_to_fit();
    repo
}

/// Files read on every core before their parts are merged.
const PARALLEL_SLICE: usize = 2048;

/// Reads each of `items` with `read` into a part of its own, on every core; the parts in the order of `items`
/// (so resources and diagnostics come in file order, whatever finished first).
fn in_parallel<T: Sync>(
    items: &[T],
    read: impl Fn(&T, &mut LoadedRepository) + Sync,
) -> Vec<LoadedRepository> {
    use rayon::prelude::*;
    items
        .par_iter()
        .map(|item| {
            let mut part = LoadedRepository::default();
            read(item, &mut part);
            part
        })
        .collect()
}

impl LoadedRepository {
    /// Adds `parts` after what is already read, in their order.
    fn append(&mut self, parts: Vec<LoadedRepository>) {
        self.resources
            .reserve(parts.iter().map(|p| p.resources.len()).sum());
        for part in parts {
            self.resources.extend(part.resources);
            self.diagnostics.extend(part.diagnostics);
            self.sources.append(part.sources);
        }
    }
}

/// Loads manifests from in-memory text (tests, git blobs): `(display path, bytes)` pairs.
#[must_use]
pub fn load_texts<'a>(
    root: &Path,
    files: impl IntoIterator<Item = (PathBuf, &'a [u8])>,
    options: LoadOptions,
) -> LoadedRepository {
    let mut repo = LoadedRepository {
        root: root.to_path_buf(),
        ..LoadedRepository::default()
    };
    let files: Vec<(PathBuf, &[u8])> = files.into_iter().collect();
    for slice in files.chunks(PARALLEL_SLICE) {
        let parts = in_parallel(slice, |(path, bytes), part| {
            load_bytes(path, bytes, options, part)
        });
        repo.append(parts);
    }
    repo
}

fn is_manifest(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0 && entry.file_name().to_str().is_some_and(|n| n.starts_with('.'))
}

/// Lists manifest files in a stable order, refusing symlinks that lead outside the root.
fn list_files(root: &Path, diags: &mut Diagnostics) -> Option<Vec<PathBuf>> {
    let canonical_root = match root.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "unreadable",
                    Location::file(root),
                    crate::msg!("diag-cannot-read-path", path = root.display(), error = e),
                )
                .hint(crate::msg!("hint-give-a-folder")),
            );
            return None;
        }
    };
    if canonical_root.is_file() {
        return Some(vec![root.to_path_buf()]);
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_hidden(e));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                diags.push(Diagnostic::error(
                    "unreadable",
                    Location::file(path),
                    crate::msg!("diag-cannot-read", error = e),
                ));
                continue;
            }
        };
        let path = entry.path();
        if entry.path_is_symlink() {
            check_symlink(path, &canonical_root, diags);
            continue;
        }
        if entry.file_type().is_file() && is_manifest(path) {
            files.push(path.to_path_buf());
        }
    }
    Some(files)
}

/// A symlink inside the repository is not followed (its target is read in place); one that leads outside
/// is refused, since it would let a commit make mailops read any file on the machine.
fn check_symlink(path: &Path, canonical_root: &Path, diags: &mut Diagnostics) {
    match path.canonicalize() {
        Ok(target) if target.starts_with(canonical_root) => {
            tracing::debug!(link = %path.display(), "symlink inside the repository: target read in place");
        }
        Ok(target) => diags.push(
            Diagnostic::error(
                "symlink-outside",
                Location::file(path),
                crate::msg!("diag-symlink-outside", target = target.display()),
            )
            .hint(crate::msg!("hint-symlink-outside")),
        ),
        Err(e) => {
            if is_manifest(path) {
                diags.push(Diagnostic::error(
                    "symlink-dangling",
                    Location::file(path),
                    crate::msg!("diag-symlink-dangling", error = e),
                ));
            }
        }
    }
}

fn load_file(path: &Path, options: LoadOptions, repo: &mut LoadedRepository) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > options.max_file_size {
        repo.diagnostics.push(
            Diagnostic::error(
                "file-too-large",
                Location::file(path),
                crate::msg!("diag-file-too-large", size = size, max = options.max_file_size),
            )
            .hint(crate::msg!("hint-split-large-files")),
        );
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => load_bytes(path, &bytes, options, repo),
        Err(e) => repo.diagnostics.push(Diagnostic::error(
            "unreadable",
            Location::file(path),
            crate::msg!("diag-cannot-read-file", error = e),
        )),
    }
}

fn load_bytes(path: &Path, bytes: &[u8], options: LoadOptions, repo: &mut LoadedRepository) {
    if bytes.len() as u64 > options.max_file_size {
        repo.diagnostics.push(Diagnostic::error(
            "file-too-large",
            Location::file(path),
            crate::msg!(
                "diag-file-too-large",
                size = bytes.len(),
                max = options.max_file_size
            ),
        ));
        return;
    }
    let raw = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
            let position = Position::new(line, column);
            // Name the field the bad byte is in, from a structural scan of the text as far as it decodes.
            let lossy = String::from_utf8_lossy(bytes);
            let field = spans::scan(&lossy).ok().and_then(|docs| {
                docs.iter()
                    .rev()
                    .find(|d| d.start <= position)
                    .and_then(|d| d.index.field_at(position))
            });
            let mut d = Diagnostic::error(
                "not-utf8",
                Location::at(path, position),
                crate::msg!(
                    "diag-not-utf8",
                    byte = format!("0x{:02x}", bytes[e.valid_up_to()])
                ),
            );
            if let Some(f) = field {
                d = d.field(f);
            }
            if let Some(r) = guess_resource(&lossy, line) {
                d = d.resource(r);
            }
            repo.sources.insert(path, lossy.into_owned());
            repo.diagnostics.push(d.hint(crate::msg!("hint-not-utf8")));
            return;
        }
    };
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    // Most files are NFC already (Vietnamese is typed precomposed): the quick check spares recomposing them.
    let text: String = match unicode_normalization::is_nfc_quick(raw.chars()) {
        unicode_normalization::IsNormalized::Yes => raw.to_string(),
        _ => raw.nfc().collect(),
    };
    let docs = match spans::scan(&text) {
        Ok(d) => d,
        Err(e) => {
            let hint = syntax_hint(e.code, &e.message.english());
            let mut d = Diagnostic::error(e.code, Location::at(path, e.position), e.message);
            if let Some(r) = guess_resource(&text, e.position.line) {
                d = d.resource(r);
            }
            if let Some(h) = hint {
                d = d.hint(h);
            }
            if let Some(f) = e.field {
                d = d.field(f);
            }
            if let Some(first) = e.first {
                d = d.related(crate::msg!("diag-first-defined-here"), Location::at(path, first));
            }
            repo.diagnostics.push(d);
            repo.sources.insert(path, text);
            return;
        }
    };
    for doc in docs.into_iter().filter(|d| !d.is_empty()) {
        let origin = Origin {
            file: path.to_path_buf(),
            start: doc.start,
            spans: std::sync::Arc::new(doc.index),
        };
        load_document(doc.value, origin, repo);
    }
    repo.sources.insert(path, text);
}

/// `Kind/name` of the document around `line`, read line by line for files that do not parse: the
/// top-level `kind:` and the `name:` under `metadata:`. Best effort; `None` when neither is found.
fn guess_resource(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let is_separator = |l: &&str| l.starts_with("---");
    let at = line.saturating_sub(1).min(lines.len().saturating_sub(1));
    let start = lines[..at].iter().rposition(is_separator).map_or(0, |i| i + 1);
    let end = lines[at..]
        .iter()
        .position(is_separator)
        .map_or(lines.len(), |i| at + i);
    let doc = &lines[start..end];
    let value = |l: &str, key: &str| {
        l.strip_prefix(key).map(|v| {
            v.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
                .to_string()
        })
    };
    let kind = doc
        .iter()
        .find_map(|l| value(l, "kind:"))
        .filter(|k| !k.is_empty());
    let meta = doc.iter().position(|l| l.starts_with("metadata:"));
    let name = meta.and_then(|m| {
        doc[m + 1..]
            .iter()
            .take_while(|l| l.starts_with(' ') || l.is_empty())
            .find_map(|l| value(l.trim_start(), "name:"))
            .filter(|n| !n.is_empty())
    });
    match (kind, name) {
        (Some(k), Some(n)) => Some(format!("{k}/{n}")),
        (Some(k), None) => Some(k),
        (None, Some(n)) => Some(n),
        (None, None) => None,
    }
}

fn syntax_hint(code: &str, message: &str) -> Option<crate::i18n::Msg> {
    match code {
        "yaml-syntax" if message.contains("tab") => Some(crate::msg!("hint-yaml-tab")),
        "yaml-syntax" => Some(crate::msg!("hint-yaml-syntax")),
        "duplicate-key" => Some(crate::msg!("hint-duplicate-key")),
        "alias-bomb" => Some(crate::msg!("hint-alias-bomb")),
        "complex-key" => Some(crate::msg!("hint-complex-key")),
        _ => None,
    }
}

fn str_field<'v>(v: &'v serde_yaml::Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(serde_yaml::Value::as_str)
}

fn load_document(value: serde_yaml::Value, origin: Origin, repo: &mut LoadedRepository) {
    let name = value
        .get("metadata")
        .and_then(|m| str_field(m, "name"))
        .map(str::to_string);
    let label = |kind: &str| match &name {
        Some(n) => format!("{kind}/{n}"),
        None => kind.to_string(),
    };
    if !value.is_mapping() {
        repo.diagnostics.push(
            Diagnostic::error(
                "not-a-resource",
                origin.document(),
                crate::msg!("diag-not-a-mapping"),
            )
            .field(".")
            .hint(crate::msg!("hint-not-a-mapping")),
        );
        return;
    }
    let kind_text = str_field(&value, "kind");
    let kind = match kind_text {
        None => {
            repo.diagnostics.push(
                Diagnostic::error(
                    "missing-kind",
                    origin.key("kind"),
                    crate::msg!("diag-missing-kind"),
                )
                .resource(label("?"))
                .field("kind")
                .hint(known_kinds_hint()),
            );
            return;
        }
        Some(k) => match Kind::parse(k) {
            Some(k) => k,
            None => {
                repo.diagnostics.push(
                    Diagnostic::error(
                        "unknown-kind",
                        origin.value("kind"),
                        crate::msg!("diag-unknown-kind", kind = k),
                    )
                    .resource(label(k))
                    .field("kind")
                    .hint(known_kinds_hint()),
                );
                return;
            }
        },
    };
    match str_field(&value, "apiVersion") {
        Some(API_VERSION) => {}
        other => {
            let message = match other {
                Some(v) => crate::msg!("diag-unknown-api-version", version = v, kind = kind),
                None => crate::msg!("diag-missing-api-version"),
            };
            repo.diagnostics.push(
                Diagnostic::error("unknown-api-version", origin.value("apiVersion"), message)
                    .resource(label(kind.as_str()))
                    .field("apiVersion")
                    .hint(crate::msg!("hint-api-version", version = API_VERSION)),
            );
            return;
        }
    }
    let resource = match kind {
        Kind::Organization => typed(value, origin, kind, repo).map(|r| Resource::Organization(Box::new(r))),
        Kind::Mailbox => typed(value, origin, kind, repo).map(|r| Resource::Mailbox(Box::new(r))),
        Kind::SharedMailbox => typed(value, origin, kind, repo).map(|r| Resource::SharedMailbox(Box::new(r))),
    };
    if let Some(r) = resource {
        repo.resources.push(r);
    }
}

fn known_kinds_hint() -> crate::i18n::Msg {
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    crate::msg!(
        "hint-known-kinds",
        kinds = kinds.join(", "),
        version = API_VERSION
    )
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Document<S> {
    #[allow(dead_code)]
    api_version: String,
    #[allow(dead_code)]
    kind: String,
    metadata: ObjectMeta,
    spec: S,
}

fn typed<S: DeserializeOwned>(
    value: serde_yaml::Value,
    origin: Origin,
    kind: Kind,
    repo: &mut LoadedRepository,
) -> Option<Loaded<S>> {
    let name = value
        .get("metadata")
        .and_then(|m| str_field(m, "name"))
        .map(str::to_string);
    let resource = || {
        name.as_ref().map_or_else(
            || kind.to_string(),
            |n| super::ResourceId::new(kind, n.clone()).to_string(),
        )
    };
    let controls = super::controls::find(&value);
    for (field, c) in &controls {
        let character = format!("U+{:04X}", u32::from(*c));
        let (code, message, hint) = if c.is_control() {
            (
                "control-character",
                crate::msg!("diag-control-character", field = field, character = character),
                crate::msg!("hint-control-character"),
            )
        } else {
            (
                "format-character",
                crate::msg!("diag-format-character", field = field, character = character),
                crate::msg!("hint-format-character"),
            )
        };
        repo.diagnostics.push(
            Diagnostic::error(code, origin.value(field), message)
                .resource(resource())
                .field(field.clone())
                .hint(hint),
        );
    }
    if !controls.is_empty() {
        return None;
    }
    match serde_path_to_error::deserialize::<_, Document<S>>(value) {
        Ok(doc) => Some(Loaded {
            metadata: doc.metadata,
            spec: doc.spec,
            origin,
        }),
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            let inner = e.into_inner().to_string();
            let (message, field, location, hint) = describe_schema_error(&inner, &path, &origin);
            let mut d = Diagnostic::error("invalid-field", location, message).resource(resource());
            if !field.is_empty() {
                d = d.field(field);
            }
            if let Some(h) = hint {
                d = d.hint(h);
            }
            repo.diagnostics.push(d);
            None
        }
    }
}

/// Turns a serde message into (message, field path, location, hint).
fn describe_schema_error(inner: &str, path: &str, origin: &Origin) -> (Text, String, Location, Option<Text>) {
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let field_name = rest.split('`').next().unwrap_or_default();
        let expected = rest.split_once(", expected ").map(|(_, e)| e.replace('`', ""));
        // serde_path_to_error already includes the unknown key in the path.
        let field = path.to_string();
        let hint = expected.map(|e| {
            let e = e.strip_prefix("one of ").unwrap_or(&e).to_string();
            crate::msg!("hint-known-fields", fields = e).into()
        });
        return (
            crate::msg!("diag-unknown-field", field = field_name).into(),
            field.clone(),
            origin.key(&field),
            hint,
        );
    }
    if let Some(rest) = inner.strip_prefix("missing field `") {
        let field_name = rest.split('`').next().unwrap_or_default();
        let field = if path.is_empty() {
            field_name.to_string()
        } else {
            format!("{path}.{field_name}")
        };
        let location = if path.is_empty() {
            origin.document()
        } else {
            origin.key(path)
        };
        return (
            crate::msg!("diag-missing-field", field = field_name).into(),
            field,
            location,
            None,
        );
    }
    let hint = inner
        .contains("invalid type")
        .then(|| crate::msg!("hint-invalid-type").into());
    // serde's own words: no translation.
    let message = inner.split(" at line ").next().unwrap_or(inner).to_string();
    (message.into(), path.to_string(), origin.value(path), hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> LoadedRepository {
        load_texts(
            Path::new("repo"),
            [(PathBuf::from("repo/a.yaml"), text.as_bytes())],
            LoadOptions::default(),
        )
    }

    const MAILBOX: &str = "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: vo-thi-thu-an\nspec:\n  fullName: Võ Thị Thu An\n  unit: ban-dan-toc\n";

    #[test]
    fn loads_a_mailbox_with_spans() {
        let repo = load(MAILBOX);
        assert!(repo.diagnostics.is_empty(), "{:?}", repo.diagnostics);
        let Resource::Mailbox(m) = &repo.resources[0] else {
            panic!()
        };
        assert_eq!(m.spec.full_name, "Võ Thị Thu An");
        assert_eq!(m.origin.value("spec.unit").to_string(), "repo/a.yaml:7:9");
    }

    #[test]
    fn normalises_to_nfc() {
        let nfd: String = MAILBOX.nfd().collect();
        assert_ne!(nfd, MAILBOX);
        let repo = load(&nfd);
        let Resource::Mailbox(m) = &repo.resources[0] else {
            panic!()
        };
        assert_eq!(m.spec.full_name, "Võ Thị Thu An");
    }

    #[test]
    fn reports_unknown_field_at_its_key() {
        let repo = load(&format!("{MAILBOX}  nickname: An\n"));
        let d = repo.diagnostics.iter().next().unwrap();
        assert_eq!(d.code, "invalid-field");
        assert_eq!(d.field.as_deref(), Some("spec.nickname"));
        assert_eq!(d.location.to_string(), "repo/a.yaml:8:3");
        assert!(d.hint.as_deref().unwrap().contains("fullName"));
    }

    #[test]
    fn multi_document_files_keep_positions() {
        let text = format!(
            "{MAILBOX}---\n# second\n{}",
            MAILBOX
                .replace("vo-thi-thu-an", "b")
                .replace("unit: ban", "unit: 5ban")
        );
        let repo = load(&text);
        assert_eq!(repo.resources.len(), 2);
        assert_eq!(repo.resources[1].origin().start, Position::new(10, 1));
        assert_eq!(
            repo.resources[1].origin().value("spec.unit").to_string(),
            "repo/a.yaml:16:9"
        );
    }

    #[test]
    fn reports_wrong_type_at_the_value() {
        let repo = load(&format!("{MAILBOX}  order: first\n"));
        let d = repo.diagnostics.iter().next().unwrap();
        assert_eq!(d.field.as_deref(), Some("spec.order"));
        assert_eq!(d.location.to_string(), "repo/a.yaml:8:10");
    }

    #[test]
    fn skips_empty_documents_and_files() {
        assert!(load("").resources.is_empty());
        assert!(load("# just a comment\n").diagnostics.is_empty());
        let repo = load(&format!("---\n---\n{MAILBOX}"));
        assert_eq!(repo.resources.len(), 1);
        assert!(repo.diagnostics.is_empty());
    }
}
