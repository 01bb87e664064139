//! A first, structural pass over a YAML file with a marked event parser.
//!
//! serde gives typed values but not the position of every field, and it cannot tell a billion-laughs
//! document from a normal one before expanding it. This pass records the position of every key and value by
//! field path, and refuses duplicate keys, complex keys, excessive nesting and alias expansion bombs, all
//! before any document is deserialised.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::Position;

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
/// Kept compactly: one exact-size vector of (path, span) sorted by path once the document is read, searched
/// by bisection (a map's nodes and each path's spare capacity were about half of a document's positions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanIndex {
    fields: Vec<(Box<str>, FieldSpan)>,
}

impl SpanIndex {
    /// The span recorded for exactly this path.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<FieldSpan> {
        self.find(path).copied()
    }

    fn find(&self, path: &str) -> Option<&FieldSpan> {
        self.fields
            .binary_search_by(|(p, _)| (**p).cmp(path))
            .ok()
            .map(|i| &self.fields[i].1)
    }

    /// Sorts the fields by path, for [`Self::find`]; done once, when the document ends.
    fn seal(&mut self) {
        self.fields.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.fields.shrink_to_fit();
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
            .filter(|(path, _)| !path.is_empty())
            .map(|(path, span)| (span.key.unwrap_or(span.value), path))
            .filter(|(start, _)| *start <= position)
            .max()
            .map(|(_, path)| path.to_string())
    }

    fn lookup(&self, path: &str, pick: impl Fn(FieldSpan) -> Position) -> Position {
        let mut p = path;
        loop {
            if let Some(s) = self.find(p) {
                return pick(*s);
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None if !p.is_empty() => p = "",
                None => return Position::new(1, 1),
            }
        }
    }
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
        keys: HashMap<String, Position>,
        pending_key: Option<(String, Position)>,
        anchor: usize,
        size: u64,
    },
    Seq {
        path: String,
        next: usize,
        anchor: usize,
        size: u64,
    },
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

/// Scans `text` and returns the documents with their field positions.
///
/// # Errors
/// The first YAML syntax error, duplicate key, complex key, nesting deeper than [`MAX_DEPTH`], or a document
/// whose aliases expand to more than [`MAX_EXPANDED_NODES`] nodes.
pub fn scan(text: &str) -> ScanResult {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, u64> = HashMap::new();
    let mut current: Option<DocumentSpans> = None;
    let mut expanded: u64 = 0;
    loop {
        let (event, marker) = parser.next_token().map_err(|e| {
            let position = pos(e.marker());
            // The field being read: a key still waiting for its value, else the last field started.
            let field = match stack.last() {
                Some(Frame::Map {
                    path,
                    pending_key: Some((key, at)),
                    ..
                }) if *at <= position => Some(child_path(path, key)),
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
                });
            }
            Event::DocumentEnd => {
                if let Some(mut d) = current.take() {
                    d.index.seal();
                    docs.push(d);
                }
            }
            Event::Scalar(value, style, anchor, _) => {
                let doc = current.as_mut().expect("scalar outside a document");
                if stack.is_empty() {
                    let null = matches!(style, yaml_rust2::scanner::TScalarStyle::Plain)
                        && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL");
                    doc.empty = null;
                    doc.start = at;
                }
                if take_key(&mut stack, doc, &value, at)? {
                    continue;
                }
                node_added(&mut stack, doc, at, 1, &mut expanded)?;
                if anchor > 0 {
                    anchors.insert(anchor, 1);
                }
            }
            Event::Alias(id) => {
                let doc = current.as_mut().expect("alias outside a document");
                let size = anchors.get(&id).copied().unwrap_or(1);
                if let Some(e) = complex_key(&stack, at, "an alias used as a mapping key is not supported") {
                    return Err(e);
                }
                node_added(&mut stack, doc, at, size, &mut expanded)?;
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                let is_map = matches!(event, Event::MappingStart(..));
                let doc = current.as_mut().expect("collection outside a document");
                if stack.is_empty() {
                    doc.empty = false;
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
                let path = record_child(&mut stack, doc, at);
                check_budget(&mut expanded, 1, at, &path)?;
                stack.push(if is_map {
                    Frame::Map {
                        path,
                        keys: HashMap::new(),
                        pending_key: None,
                        anchor,
                        size: 1,
                    }
                } else {
                    Frame::Seq {
                        path,
                        next: 0,
                        anchor,
                        size: 1,
                    }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = stack.pop().expect("unbalanced collection end");
                let (anchor, size) = match frame {
                    Frame::Map { anchor, size, .. } | Frame::Seq { anchor, size, .. } => (anchor, size),
                };
                if anchor > 0 {
                    anchors.insert(anchor, size);
                }
                add_size(&mut stack, size);
            }
        }
    }
    if let Some(mut d) = current.take() {
        d.index.seal();
        docs.push(d);
    }
    Ok(docs)
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

/// If the innermost frame is a mapping waiting for a key, takes `value` as that key.
///
/// The parser marks the start of a block mapping one column after its first key, so the mapping's own
/// position (and the document's, for the root) is taken from its first key instead.
fn take_key(
    stack: &mut [Frame],
    doc: &mut DocumentSpans,
    value: &str,
    at: Position,
) -> Result<bool, StructuralError> {
    let depth = stack.len();
    if let Some(Frame::Map {
        path,
        keys,
        pending_key,
        ..
    }) = stack.last_mut()
        && pending_key.is_none()
    {
        if let Some(first) = keys.get(value) {
            return Err(StructuralError {
                code: "duplicate-key",
                message: format!("duplicate key `{value}`"),
                position: at,
                field: Some(child_path(path, value)),
                first: Some(*first),
            });
        }
        if keys.is_empty() {
            // The mapping's own entry: the latest recorded (its first key comes before any child).
            if let Some((_, span)) = doc.index.fields.iter_mut().rev().find(|(p, _)| **p == *path) {
                span.value = at;
            }
            if depth == 1 {
                doc.start = at;
            }
        }
        keys.insert(value.to_string(), at);
        *pending_key = Some((value.to_string(), at));
        return Ok(true);
    }
    Ok(false)
}

/// Records the position of a new child node of the innermost frame and returns its path.
fn record_child(stack: &mut [Frame], doc: &mut DocumentSpans, at: Position) -> String {
    let (path, key) = match stack.last_mut() {
        None => (String::new(), None),
        Some(Frame::Map {
            path, pending_key, ..
        }) => {
            let (k, kpos) = pending_key.take().expect("value without key");
            (child_path(path, &k), Some(kpos))
        }
        Some(Frame::Seq { path, next, .. }) => {
            let p = format!("{path}[{next}]");
            *next += 1;
            (p, None)
        }
    };
    doc.index
        .fields
        .push((path.clone().into_boxed_str(), FieldSpan { key, value: at }));
    path
}

fn node_added(
    stack: &mut [Frame],
    doc: &mut DocumentSpans,
    at: Position,
    size: u64,
    expanded: &mut u64,
) -> Result<(), StructuralError> {
    let path = record_child(stack, doc, at);
    add_size(stack, size);
    check_budget(expanded, size, at, &path)
}

fn add_size(stack: &mut [Frame], size: u64) {
    if let Some(Frame::Map { size: s, .. } | Frame::Seq { size: s, .. }) = stack.last_mut() {
        *s = s.saturating_add(size);
    }
}

/// Adds `size` nodes to the document's expanded count: each scalar and collection counts once, each alias
/// counts the whole subtree it stands for.
fn check_budget(expanded: &mut u64, size: u64, at: Position, path: &str) -> Result<(), StructuralError> {
    *expanded = expanded.saturating_add(size);
    if *expanded > MAX_EXPANDED_NODES {
        return Err(StructuralError {
            code: "alias-bomb",
            message: format!(
                "aliases expand this document to more than {MAX_EXPANDED_NODES} nodes (an alias expansion bomb?)"
            ),
            position: at,
            field: Some(path.to_string()),
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
    fn reports_syntax_errors_with_position() {
        let e = scan("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(e.code, "yaml-syntax");
        assert!(e.position.line >= 1);
    }
}
