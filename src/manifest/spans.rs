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

mod index;
mod scalar;

use index::Child;
pub use index::{FieldSpan, SpanIndex};

/// Most nodes a document may expand to once aliases are resolved.
pub const MAX_EXPANDED_NODES: u64 = 100_000;
/// Deepest nesting of mappings and sequences.
pub const MAX_DEPTH: usize = 64;

/// One document found by the structural pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSpans {
    /// Where the document's content starts.
    pub start: Position,
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
    pub message: crate::diagnostics::Text,
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
                message: crate::msg!("diag-invalid-yaml", detail = e.info()).into(),
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
                        message: message.into(),
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
                if let Some(e) = complex_key(&stack, at, crate::msg!("diag-alias-key")) {
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
                if let Some(e) = complex_key(&stack, at, crate::msg!("diag-collection-key")) {
                    return Err(e);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(StructuralError {
                        code: "too-deep",
                        message: crate::msg!("diag-too-deep", max = MAX_DEPTH).into(),
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
        message: crate::msg!(
            "diag-yaml-control-character",
            character = format!("U+{:04X}", u32::from(c))
        )
        .into(),
        position: Position::new(
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        ),
        field: None,
        first: None,
    })
}

impl DocumentSpans {
    /// Whether the document holds nothing (only comments, or an explicit null).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.value.is_null()
    }

    /// The document once read: its index sorted.
    fn sealed(mut self) -> Self {
        self.index.seal();
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
fn complex_key(stack: &[Frame], at: Position, message: crate::i18n::Msg) -> Option<StructuralError> {
    match stack.last() {
        Some(Frame::Map {
            pending_key: None,
            path,
            ..
        }) => Some(StructuralError {
            code: "complex-key",
            message: message.into(),
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
            message: crate::msg!("diag-duplicate-key", key = key.text()).into(),
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
            message: crate::msg!("diag-alias-bomb", max = MAX_EXPANDED_NODES).into(),
            position: at,
            field: None,
            first: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
