//! Where each field of a document is: its key's and value's line and column, by field path.

use crate::diagnostics::Position;

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
    pub(super) fields: Vec<Field>,
}

/// One field: its path (`paths[start..start + len]`), its key (`key_line` 0: none) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Field {
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
    pub(super) fn span(self) -> FieldSpan {
        FieldSpan {
            key: (self.key_line > 0).then(|| Position::new(self.key_line as usize, self.key_column as usize)),
            value: Position::new(self.line as usize, self.column as usize),
        }
    }

    pub(super) fn set_value(&mut self, at: Position) {
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

    pub(super) fn path(&self, f: &Field) -> &str {
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
    pub(super) fn push(
        &mut self,
        parent: &str,
        child: Child<'_>,
        key: Option<Position>,
        value: Position,
    ) -> usize {
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
    pub(super) fn seal(&mut self) {
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
pub(super) enum Child<'a> {
    Root,
    Key(&'a str),
    Item(usize),
}
