//! The one pass over a YAML file: a marked event parser that builds each document's value and the position
//! of every field.
//!
//! serde gives typed values but not the position of every field, and it cannot tell a billion-laughs
//! document from a normal one before expanding it. This pass records the position of every key and value by
//! field path, refuses duplicate keys, complex keys, excessive nesting and alias expansion bombs, and builds
//! the document as a `serde_yaml::Value` with serde_yaml's own scalar rules (see [`scalar`]), from which the
//! typed resources are deserialised: each file is parsed once.

use std::collections::HashMap;

use serde_yaml::Value;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::Position;

mod scalar;

/// Most nodes a document may expand to once aliases are resolved.
pub const MAX_EXPANDED_NODES: u64 = 100_000;
/// Deepest nesting of mappings and sequences.
pub const MAX_DEPTH: usize = 64;

/// Where a field's key and value start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpan {
    /// Position of the key (`None` for sequence items and the document root).
    pub key: Option<Position>,
    /// Position of the value.
    pub value: Position,
}

/// Field positions of one YAML document, by path (`spec.aliases[1]`; the root is the empty path).
///
/// Kept compactly: every path of the document in one string, and per field 24 bytes (where its path is in
/// that string, and the key's and value's line and column as `u32`), sorted by path once the document is
/// read and searched by bisection. A path per field in a map, or a `Box<str>` per field, cost three times as
/// much and an allocation per field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanIndex {
    paths: String,
    fields: Vec<Field>,
}

/// One field: its path (`paths[start..start + len]`), its key (`key_line` 0: none) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    start: u32,
    len: u32,
    key_line: u32,
    key_column: u32,
    line: u32,
    column: u32,
}

fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Field {
    fn span(self) -> FieldSpan {
        FieldSpan {
            key: (self.key_line > 0).then(|| Position::new(self.key_line as usize, self.key_column as usize)),
            value: Position::new(self.line as usize, self.column as usize),
        }
    }

    fn set_value(&mut self, at: Position) {
        self.line = narrow(at.line);
        self.column = narrow(at.column);
    }
}

impl SpanIndex {
    /// The span recorded for exactly this path.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<FieldSpan> {
        self.find(path).map(Field::span)
    }

    fn path(&self, f: &Field) -> &str {
        &self.paths[f.start as usize..(f.start + f.len) as usize]
    }

    fn find(&self, path: &str) -> Option<Field> {
        self.fields
            .binary_search_by(|f| self.path(f).cmp(path))
            .ok()
            .map(|i| self.fields[i])
    }

    /// Records a field whose path is `parent` joined with `child` (a key, or `[i]` for a sequence item);
    /// returns its number, valid until [`Self::seal`].
    fn push(&mut self, parent: &str, child: Child<'_>, key: Option<Position>, value: Position) -> usize {
        let start = self.paths.len();
        self.paths.push_str(parent);
        match child {
            Child::Root => {}
            Child::Key(k) if parent.is_empty() => self.paths.push_str(k),
            Child::Key(k) => {
                self.paths.push('.');
                self.paths.push_str(k);
            }
            Child::Item(i) => {
                use std::fmt::Write as _;
                let _ = write!(self.paths, "[{i}]");
            }
        }
        let (key_line, key_column) = key.map_or((0, 0), |k| (narrow(k.line), narrow(k.column)));
        self.fields.push(Field {
            start: narrow(start),
            len: narrow(self.paths.len() - start),
            key_line,
            key_column,
            line: narrow(value.line),
            column: narrow(value.column),
        });
        self.fields.len() - 1
    }

    /// Sorts the fields by path, for [`Self::find`]; done once, when the document ends.
    fn seal(&mut self) {
        let mut fields = std::mem::take(&mut self.fields);
        fields.sort_unstable_by(|a, b| self.path(a).cmp(self.path(b)));
        fields.shrink_to_fit();
        self.fields = fields;
        self.paths.shrink_to_fit();
    }

    /// Position of the key of `path` if it has one, else of its value; falls back to the closest recorded
    /// ancestor, then to the document start.
    #[must_use]
    pub fn key_position(&self, path: &str) -> Position {
        self.lookup(path, |s| s.key.unwrap_or(s.value))
    }

    /// Position of the value of `path`, with the same fallbacks as [`Self::key_position`].
    #[must_use]
    pub fn value_position(&self, path: &str) -> Position {
        self.lookup(path, |s| s.value)
    }

    /// The field whose key or value starts last at or before `position`: the field a problem on that line
    /// most likely belongs to (for syntax errors and undecodable bytes, where serde gives no path).
    #[must_use]
    pub fn field_at(&self, position: Position) -> Option<String> {
        self.fields
            .iter()
            .filter(|f| f.len > 0)
            .map(|f| {
                let span = f.span();
                (span.key.unwrap_or(span.value), self.path(f))
            })
            .filter(|(start, _)| *start <= position)
            .max()
            .map(|(_, path)| path.to_string())
    }

    fn lookup(&self, path: &str, pick: impl Fn(FieldSpan) -> Position) -> Position {
        let mut p = path;
        loop {
            if let Some(f) = self.find(p) {
                return pick(f.span());
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None if !p.is_empty() => p = "",
                None => return Position::new(1, 1),
            }
        }
    }
}

/// How a field's path goes on from its parent's.
#[derive(Clone, Copy)]
enum Child<'a> {
    Root,
    Key(&'a str),
    Item(usize),
}

/// One document found by the structural pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSpans {
    /// Where the document's content starts.
    pub start: Position,
    /// Whether the document holds nothing (only comments, or an explicit null).
    pub empty: bool,
    /// Field positions.
    pub index: SpanIndex,
    /// The document, as serde_yaml would have read it.
    pub value: Value,
}

/// A problem found by the structural pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructuralError {
    /// What kind of problem.
    pub code: &'static str,
    /// Description.
    pub message: String,
    /// Where.
    pub position: Position,
    /// Field path, when inside a document.
    pub field: Option<String>,
    /// Another position that explains it (the first occurrence of a duplicate key).
    pub first: Option<Position>,
}

/// The result of scanning a file: its documents, or the first structural error.
pub type ScanResult = Result<Vec<DocumentSpans>, StructuralError>;

enum Frame {
    Map {
        path: String,
        /// This mapping's own entry in the index.
        field: usize,
        /// A key read, waiting for its value.
        pending_key: Option<PendingKey>,
        /// This mapping's key in the mapping around it.
        slot: Option<Value>,
        entries: serde_yaml::Mapping,
        tag: Option<String>,
        anchor: usize,
        size: u64,
    },
    Seq {
        path: String,
        next: usize,
        slot: Option<Value>,
        items: Vec<Value>,
        tag: Option<String>,
        anchor: usize,
        size: u64,
    },
}

/// A mapping's key, read: where, its value, and its text when that is not the value (`0x1`, `!t k`).
struct PendingKey {
    at: Position,
    value: Value,
    text: Option<String>,
}

impl PendingKey {
    fn text(&self) -> &str {
        self.text
            .as_deref()
            .or_else(|| self.value.as_str())
            .unwrap_or_default()
    }
}

fn pos(m: &Marker) -> Position {
    Position::new(m.line(), m.col() + 1)
}

fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Scans `text` and returns the documents with their values and field positions.
///
/// # Errors
/// The first YAML syntax error, duplicate key, complex key, nesting deeper than [`MAX_DEPTH`], a document
/// whose aliases expand to more than [`MAX_EXPANDED_NODES`] nodes, or a scalar serde_yaml would refuse (a
/// `!!bool` that is not a boolean, an integer beyond 64 bits).
pub fn scan(text: &str) -> ScanResult {
    refuse_control_characters(text)?;
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (u64, Value)> = HashMap::new();
    let mut current: Option<DocumentSpans> = None;
    let mut expanded: u64 = 0;
    loop {
        let (event, marker) = parser.next_token().map_err(|e| {
            let position = pos(e.marker());
            // The field being read: a key still waiting for its value, else the last field started.
            let field = match stack.last() {
                Some(Frame::Map {
                    path,
                    pending_key: Some(key),
                    ..
                }) if key.at <= position => Some(child_path(path, key.text())),
                _ => current.as_ref().and_then(|d| d.index.field_at(position)),
            };
            StructuralError {
                code: "yaml-syntax",
                message: format!("invalid YAML: {}", e.info()),
                position,
                field,
                first: None,
            }
        })?;
        let at = pos(&marker);
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart => {
                stack.clear();
                anchors.clear();
                expanded = 0;
                current = Some(DocumentSpans {
                    start: at,
                    empty: true,
                    index: SpanIndex::default(),
                    value: Value::Null,
                });
            }
            Event::DocumentEnd => {
                if let Some(d) = current.take() {
                    docs.push(d.sealed());
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let doc = current.as_mut().expect("scalar outside a document");
                if stack.is_empty() {
                    doc.start = at;
                }
                let at_key = matches!(
                    stack.last(),
                    Some(Frame::Map {
                        pending_key: None,
                        ..
                    })
                );
                let read = scalar::classify(&text, style, tag).map_err(|message| {
                    let field = match stack.last() {
                        Some(Frame::Map { path, .. }) if at_key => path.clone(),
                        _ => child_field(&stack),
                    };
                    StructuralError {
                        code: "yaml-syntax",
                        message,
                        position: at,
                        field: Some(field).filter(|f| !f.is_empty()),
                        first: None,
                    }
                })?;
                // A string is the scalar's text itself, moved; the text is kept apart only for a key
                // that reads as something else.
                let (value, text) = match read {
                    None => (Value::String(text), None),
                    Some(v) => (v, Some(text)),
                };
                if anchor > 0 {
                    anchors.insert(anchor, (1, value.clone()));
                }
                if at_key {
                    take_key(&mut stack, doc, PendingKey { at, value, text })?;
                    continue;
                }
                node_added(&mut stack, doc, at, 1, || value, &mut expanded)?;
            }
            Event::Alias(id) => {
                let doc = current.as_mut().expect("alias outside a document");
                if let Some(e) = complex_key(&stack, at, "an alias used as a mapping key is not supported") {
                    return Err(e);
                }
                let size = anchors.get(&id).map_or(1, |(size, _)| *size);
                // Counted before it is copied, so that a bomb is refused before it is expanded.
                let value = || anchors.get(&id).map_or(Value::Null, |(_, v)| v.clone());
                node_added(&mut stack, doc, at, size, value, &mut expanded)?;
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                let is_map = matches!(event, Event::MappingStart(..));
                let doc = current.as_mut().expect("collection outside a document");
                if stack.is_empty() {
                    doc.start = at;
                }
                if let Some(e) = complex_key(
                    &stack,
                    at,
                    "a mapping or sequence used as a mapping key is not supported",
                ) {
                    return Err(e);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(StructuralError {
                        code: "too-deep",
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        position: at,
                        field: stack.last().map(|f| match f {
                            Frame::Map { path, .. } | Frame::Seq { path, .. } => path.clone(),
                        }),
                        first: None,
                    });
                }
                let (field, slot) = record_child(&mut stack, doc, at);
                let path = doc.index.path(&doc.index.fields[field]).to_string();
                check_budget(&mut expanded, 1, at).map_err(|e| StructuralError {
                    field: Some(path.clone()),
                    ..e
                })?;
                let tag = tag.as_ref().and_then(scalar::enum_tag);
                stack.push(if is_map {
                    Frame::Map {
                        path,
                        field,
                        pending_key: None,
                        slot,
                        entries: serde_yaml::Mapping::new(),
                        tag,
                        anchor,
                        size: 1,
                    }
                } else {
                    Frame::Seq {
                        path,
                        next: 0,
                        slot,
                        items: Vec::new(),
                        tag,
                        anchor,
                        size: 1,
                    }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = stack.pop().expect("unbalanced collection end");
                let (anchor, size, slot, tag, value) = match frame {
                    Frame::Map {
                        anchor,
                        size,
                        slot,
                        tag,
                        entries,
                        ..
                    } => (anchor, size, slot, tag, Value::Mapping(entries)),
                    Frame::Seq {
                        anchor,
                        size,
                        slot,
                        tag,
                        items,
                        ..
                    } => (anchor, size, slot, tag, Value::Sequence(items)),
                };
                let value = scalar::tagged(tag, value);
                if anchor > 0 {
                    anchors.insert(anchor, (size, value.clone()));
                }
                add_size(&mut stack, size);
                let doc = current.as_mut().expect("collection outside a document");
                attach(&mut stack, doc, slot, value);
            }
        }
    }
    if let Some(d) = current.take() {
        docs.push(d.sealed());
    }
    Ok(docs)
}

/// YAML allows only printable characters in a stream (YAML 1.1 §5.1, as libyaml and so serde_yaml
/// enforce); yaml-rust2 lets the others through, so they are refused here, where they are.
fn refuse_control_characters(text: &str) -> Result<(), StructuralError> {
    let printable = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
            || c >= '\u{10000}'
    };
    let Some((offset, c)) = text.char_indices().find(|(_, c)| !printable(*c)) else {
        return Ok(());
    };
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Err(StructuralError {
        code: "yaml-syntax",
        message: format!(
            "invalid YAML: control character U+{:04X} (YAML allows only printable characters)",
            u32::from(c)
        ),
        position: Position::new(
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        ),
        field: None,
        first: None,
    })
}

impl DocumentSpans {
    /// The document once read: its index sorted, and whether it holds anything.
    fn sealed(mut self) -> Self {
        self.index.seal();
        self.empty = self.value.is_null();
        self
    }
}

/// The path of the next child of the innermost frame, for an error on a value not yet recorded.
fn child_field(stack: &[Frame]) -> String {
    match stack.last() {
        None => String::new(),
        Some(Frame::Map {
            path,
            pending_key: Some(key),
            ..
        }) => child_path(path, key.text()),
        Some(Frame::Map { path, .. }) => path.clone(),
        Some(Frame::Seq { path, next, .. }) => format!("{path}[{next}]"),
    }
}

/// A mapping waiting for a key got a collection or alias: only plain scalar keys are supported.
fn complex_key(stack: &[Frame], at: Position, message: &str) -> Option<StructuralError> {
    match stack.last() {
        Some(Frame::Map {
            pending_key: None,
            path,
            ..
        }) => Some(StructuralError {
            code: "complex-key",
            message: message.to_string(),
            position: at,
            field: Some(if path.is_empty() {
                ".".to_string()
            } else {
                path.clone()
            }),
            first: None,
        }),
        _ => None,
    }
}

/// Takes `key` as the key the innermost mapping is waiting for.
///
/// A key the mapping already holds is refused, whether written the same (`unit` twice) or differently for
/// the same value (`1` and `0x1`, `true` and `True`), as serde_yaml refused the latter. Each earlier entry is
/// complete when a later key comes, so the mapping being built answers.
///
/// The parser marks the start of a block mapping one column after its first key, so the mapping's own
/// position (and the document's, for the root) is taken from its first key instead.
fn take_key(stack: &mut [Frame], doc: &mut DocumentSpans, key: PendingKey) -> Result<(), StructuralError> {
    let depth = stack.len();
    let Some(Frame::Map {
        path,
        field,
        pending_key,
        entries,
        ..
    }) = stack.last_mut()
    else {
        unreachable!("a key outside a mapping");
    };
    if entries.contains_key(&key.value) {
        let field = child_path(path, key.text());
        // The first occurrence: the latest field recorded under that path.
        let first = doc
            .index
            .fields
            .iter()
            .rev()
            .find(|f| doc.index.path(f) == field)
            .and_then(|f| f.span().key);
        return Err(StructuralError {
            code: "duplicate-key",
            message: format!("duplicate key `{}`", key.text()),
            position: key.at,
            field: Some(field),
            first,
        });
    }
    if entries.is_empty() {
        doc.index.fields[*field].set_value(key.at);
        if depth == 1 {
            doc.start = key.at;
        }
    }
    *pending_key = Some(key);
    Ok(())
}

/// Records the position of a new child node of the innermost frame; returns its field number and, in a
/// mapping, its key.
fn record_child(stack: &mut [Frame], doc: &mut DocumentSpans, at: Position) -> (usize, Option<Value>) {
    match stack.last_mut() {
        None => (doc.index.push("", Child::Root, None, at), None),
        Some(Frame::Map {
            path, pending_key, ..
        }) => {
            let key = pending_key.take().expect("value without key");
            let field = doc.index.push(path, Child::Key(key.text()), Some(key.at), at);
            (field, Some(key.value))
        }
        Some(Frame::Seq { path, next, .. }) => {
            let field = doc.index.push(path, Child::Item(*next), None, at);
            *next += 1;
            (field, None)
        }
    }
}

/// Puts a finished node into the innermost frame (under `slot`, its key, in a mapping), or makes it the
/// document's value.
fn attach(stack: &mut [Frame], doc: &mut DocumentSpans, slot: Option<Value>, value: Value) {
    match stack.last_mut() {
        None => doc.value = value,
        Some(Frame::Seq { items, .. }) => items.push(value),
        Some(Frame::Map { entries, .. }) => {
            entries.insert(slot.expect("a mapping's value without its key"), value);
        }
    }
}

fn node_added(
    stack: &mut [Frame],
    doc: &mut DocumentSpans,
    at: Position,
    size: u64,
    value: impl FnOnce() -> Value,
    expanded: &mut u64,
) -> Result<(), StructuralError> {
    let (field, slot) = record_child(stack, doc, at);
    add_size(stack, size);
    if let Err(e) = check_budget(expanded, size, at) {
        let path = doc.index.path(&doc.index.fields[field]).to_string();
        return Err(StructuralError {
            field: Some(path),
            ..e
        });
    }
    attach(stack, doc, slot, value());
    Ok(())
}

fn add_size(stack: &mut [Frame], size: u64) {
    if let Some(Frame::Map { size: s, .. } | Frame::Seq { size: s, .. }) = stack.last_mut() {
        *s = s.saturating_add(size);
    }
}

/// Adds `size` nodes to the document's expanded count: each scalar and collection counts once, each alias
/// counts the whole subtree it stands for.
fn check_budget(expanded: &mut u64, size: u64, at: Position) -> Result<(), StructuralError> {
    *expanded = expanded.saturating_add(size);
    if *expanded > MAX_EXPANDED_NODES {
        return Err(StructuralError {
            code: "alias-bomb",
            message: format!(
                "aliases expand this document to more than {MAX_EXPANDED_NODES} nodes (an alias expansion bomb?)"
            ),
            position: at,
            field: None,
            first: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_key_and_value_positions() {
        let docs =
            scan("apiVersion: v\nspec:\n  fullName: Võ Thị Thu An\n  aliases:\n    - a@x\n    - b@x\n")
                .unwrap();
        assert_eq!(docs.len(), 1);
        let idx = &docs[0].index;
        assert_eq!(idx.get("spec.fullName").unwrap().key, Some(Position::new(3, 3)));
        assert_eq!(idx.get("spec.fullName").unwrap().value, Position::new(3, 13));
        assert_eq!(idx.get("spec.aliases[1]").unwrap().value, Position::new(6, 7));
        assert_eq!(idx.key_position("spec.missing"), Position::new(2, 1));
    }

    #[test]
    fn counts_documents_and_empty_ones() {
        let docs = scan("a: 1\n---\n# nothing\n---\nb: 2\n").unwrap();
        assert_eq!(
            docs.iter().map(|d| d.empty).collect::<Vec<_>>(),
            vec![false, true, false]
        );
        assert_eq!(docs[2].start, Position::new(5, 1));
        assert!(scan("").unwrap().is_empty());
    }

    #[test]
    fn refuses_duplicate_keys_with_both_positions() {
        let e = scan("spec:\n  unit: a\n  unit: b\n").unwrap_err();
        assert_eq!(e.code, "duplicate-key");
        assert_eq!(e.position, Position::new(3, 3));
        assert_eq!(e.first, Some(Position::new(2, 3)));
        assert_eq!(e.field.as_deref(), Some("spec.unit"));
    }

    #[test]
    fn refuses_alias_bombs_but_allows_small_aliases() {
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (prev, c) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let refs = vec![format!("*{prev}"); 10].join(",");
            bomb.push_str(&format!("{c}: &{c} [{refs}]\n"));
        }
        assert_eq!(scan(&bomb).unwrap_err().code, "alias-bomb");
        assert!(scan("a: &x [1, 2]\nb: *x\n").is_ok());
    }

    #[test]
    fn refuses_a_raw_control_character_where_it_is() {
        // serde_yaml (libyaml) refused these for the whole file at 1:1; yaml-rust2 would let them through.
        let e = scan("a: b\nc: dễ\u{7}e\n").unwrap_err();
        assert_eq!((e.code, e.position), ("yaml-syntax", Position::new(2, 6)));
        assert!(e.message.contains("U+0007"), "{}", e.message);
        assert!(serde_yaml_reading("a: b\nc: dễ\u{7}e\n").is_err());
        assert!(scan("tab:\t'x'\r\nnel: \u{85}ok\n").is_ok());
    }

    #[test]
    fn reports_syntax_errors_with_position() {
        let e = scan("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(e.code, "yaml-syntax");
        assert!(e.position.line >= 1);
    }

    /// What serde_yaml makes of `text`: its non-null documents, or its first error's message.
    fn serde_yaml_reading(text: &str) -> Result<Vec<Value>, String> {
        let mut values = Vec::new();
        for doc in serde_yaml::Deserializer::from_str(text) {
            match <Value as serde::Deserialize>::deserialize(doc) {
                Ok(Value::Null) => {}
                Ok(v) => values.push(v),
                Err(e) => return Err(format!("invalid YAML: {e}")),
            }
        }
        Ok(values)
    }

    fn our_reading(text: &str) -> Result<Vec<Value>, StructuralError> {
        scan(text).map(|docs| docs.into_iter().filter(|d| !d.empty).map(|d| d.value).collect())
    }

    /// The one parse reads every manifest of the project as serde_yaml did: the examples, the fixtures, the
    /// bad-input and hostile corpora, the CRDs and the fuzzing corpus.
    #[test]
    fn values_are_serde_yaml_s_on_every_manifest_of_the_project() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut compared = 0;
        for dir in ["examples", "manifests", "crds", "tests", "fuzz/corpus"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).follow_links(false) {
                let entry = entry.unwrap();
                let path = entry.path();
                let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
                let fuzz = path.starts_with(root.join("fuzz/corpus"));
                if !entry.file_type().is_file() || !(yaml || fuzz) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                match (our_reading(&text), serde_yaml_reading(&text)) {
                    (Ok(ours), Ok(theirs)) => assert_eq!(ours, theirs, "{}", path.display()),
                    // Refused by the structural checks (duplicate keys, bombs) or by yaml-rust2: stricter.
                    (Err(_), _) => {}
                    (Ok(_), Err(e)) => {
                        panic!("{}: serde_yaml refuses it ({e}), we read it", path.display())
                    }
                }
                compared += 1;
            }
        }
        assert!(compared > 300, "only {compared} files compared");
    }

    /// Scalars whose meaning serde_yaml decides: nulls, booleans of YAML 1.1 and 1.2, integers in every base
    /// and width, floats, leading zeros, and each under every style and core tag, as a value and as a key.
    #[test]
    fn scalars_mean_what_serde_yaml_makes_of_them() {
        let scalars = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "FALSE",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "0",
            "-0",
            "+0",
            "00",
            "007",
            "-007",
            "+007",
            "08",
            "0.5",
            "00.5",
            "1_000",
            "12",
            "+12",
            "-12",
            "++12",
            "+-12",
            "0x1F",
            "0X1F",
            "+0x1F",
            "-0x1F",
            "0x+1",
            "0x-1",
            "0o17",
            "-0o17",
            "0o+7",
            "0b101",
            "-0b101",
            "0b2",
            "0xG",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "340282366920938463463374607431768211455",
            "340282366920938463463374607431768211456",
            "-170141183460469231731687303715884105729",
            "1e3",
            "1E3",
            "-1.5e-3",
            ".5",
            "5.",
            "+.5",
            "1e400",
            "-1e400",
            ".inf",
            ".Inf",
            ".INF",
            "+.inf",
            "-.inf",
            "-.Inf",
            ".nan",
            ".NaN",
            ".NAN",
            "-.nan",
            "+.nan",
            "nan",
            "inf",
            "infinity",
            "NaN",
            "0.1.2",
            "1:20",
            "12:30:00",
            "2026-12-01",
            "Võ Thị",
            "a b",
            "@x",
            "1GiB",
            "5GB",
            "0 ",
            "0e0",
            "+",
            "-",
            ".",
            "0x",
            "0o",
            "0b",
        ];
        let mut compared = 0;
        for s in scalars {
            let quoted = format!("'{s}'");
            let double = format!("\"{s}\"");
            let mut forms = vec![quoted, double];
            if !s.is_empty() && !s.starts_with(['@', '-']) && !s.ends_with(' ') && !s.contains(": ") {
                forms.push(s.to_string());
            }
            for form in &forms {
                let mut docs = vec![
                    format!("v: {form}\n"),
                    format!("- {form}\n"),
                    format!("[{form}]\n"),
                    format!("{form}\n"),
                ];
                for tag in ["!!str", "!!int", "!!bool", "!!float", "!!null", "!local", "!"] {
                    docs.push(format!("v: {tag} {form}\n"));
                }
                if !form.is_empty() {
                    docs.push(format!("{form}: v\n"));
                    docs.push(format!("{{{form}: v}}\n"));
                }
                for doc in docs {
                    let theirs = serde_yaml_reading(&doc);
                    match (our_reading(&doc), &theirs) {
                        (Ok(ours), Ok(theirs)) => assert_eq!(&ours, theirs, "{doc:?}"),
                        // The same refusal; serde_yaml's message also names its path and the tag's column.
                        (Err(ours), Err(theirs)) if ours.message.starts_with("invalid YAML: invalid") => {
                            let theirs = &theirs[..theirs.rfind(" at line").unwrap_or(theirs.len())];
                            let core = ours.message.trim_start_matches("invalid YAML: ");
                            assert!(theirs.ends_with(core), "{doc:?}: {ours:?} / {theirs}");
                        }
                        (ours, theirs) => panic!("{doc:?}: ours {ours:?}, serde_yaml's {theirs:?}"),
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    #[test]
    fn anchors_tags_and_block_scalars_read_as_serde_yaml_reads_them() {
        for doc in [
            "a: &x [1, {b: 2}]\nc: *x\nd: &y v\ne: *y\n",
            "&k key: 1\nother: *k\n",
            "a: !local {b: 1}\nc: !local [1]\nd: !!map {e: 1}\n",
            "text: |\n  Kính gửi\n  anh Tuấn\n\nfolded: >-\n  một\n  hai\n\n  ba\nkeep: |+\n  x\n\n",
            "a: 'it''s'\nb: \"tab\\there \\u00e9 \\x41\"\nc: plain  with   spaces\n",
            "multi: first\n  continued\n  line\n",
            "---\na: 1\n---\n---\n~\n---\nb: [x, y]\n...\n",
            "- - - deep\n- {a: [1, 2, {b: c}]}\n",
            "? simple\n: value\n",
            "v: 2026-12-01\nt: 12:30\n",
        ] {
            assert_eq!(
                our_reading(doc).unwrap(),
                serde_yaml_reading(doc).unwrap(),
                "{doc:?}"
            );
        }
        // Keys written differently that serde_yaml would take for the same: refused, as it refused them.
        for doc in ["1: a\n0x1: b\n", "true: a\nTrue: b\n", "~: a\nnull: b\n"] {
            assert!(serde_yaml_reading(doc).is_err(), "{doc:?}");
            assert_eq!(scan(doc).unwrap_err().code, "duplicate-key", "{doc:?}");
        }
    }
}
