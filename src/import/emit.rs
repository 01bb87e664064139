//! Writing manifests as a person would: fields in the order of the example, comments where a value needs a
//! look, every scalar quoted by serde_yaml where YAML would misread it (`yes`, `123`, `: `, `#`).

use std::fmt::Write as _;

/// A YAML document built line by line.
#[derive(Debug, Default)]
pub(super) struct Doc {
    text: String,
}

/// A scalar as YAML writes it: plain where that reads back the same, quoted otherwise.
pub(super) fn scalar(value: &str) -> String {
    let one_line = value.split_whitespace().collect::<Vec<_>>().join(" ");
    serde_yaml::to_string(&one_line)
        .map(|s| s.trim_end().to_string())
        .unwrap_or_else(|_| format!("{one_line:?}"))
}

impl Doc {
    /// A comment line (each line of `text` becomes one).
    pub(super) fn comment(&mut self, indent: usize, text: &str) {
        for line in text.lines() {
            let _ = writeln!(self.text, "{:indent$}# {}", "", line.trim_end());
        }
    }

    /// `key: value`.
    pub(super) fn field(&mut self, indent: usize, key: &str, value: &str) {
        let _ = writeln!(self.text, "{:indent$}{key}: {}", "", scalar(value));
    }

    /// `key: value` with a comment after it.
    pub(super) fn field_noted(&mut self, indent: usize, key: &str, value: &str, note: Option<&str>) {
        match note {
            Some(n) => {
                let _ = writeln!(self.text, "{:indent$}{key}: {}  # {n}", "", scalar(value));
            }
            None => self.field(indent, key, value),
        }
    }

    /// `key: 12` (a number or a boolean, written as is).
    pub(super) fn raw(&mut self, indent: usize, key: &str, value: impl std::fmt::Display) {
        let _ = writeln!(self.text, "{:indent$}{key}: {value}", "");
    }

    /// `key:` opening a block.
    pub(super) fn open(&mut self, indent: usize, key: &str) {
        let _ = writeln!(self.text, "{:indent$}{key}:", "");
    }

    /// `- value` items of a list.
    pub(super) fn items<'a>(&mut self, indent: usize, key: &str, values: impl IntoIterator<Item = &'a str>) {
        let values: Vec<&str> = values.into_iter().collect();
        if values.is_empty() {
            return;
        }
        self.open(indent, key);
        for v in values {
            let _ = writeln!(self.text, "{:indent$}  - {}", "", scalar(v));
        }
    }

    /// `- key: value` opening an item of a list of maps.
    pub(super) fn item(&mut self, indent: usize, key: &str, value: &str) {
        let _ = writeln!(self.text, "{:indent$}- {key}: {}", "", scalar(value));
    }

    /// The header every manifest starts with.
    pub(super) fn resource(&mut self, kind: &str, name: &str) {
        self.raw(0, "apiVersion", crate::manifest::API_VERSION);
        self.raw(0, "kind", kind);
        self.open(0, "metadata");
        self.field(2, "name", name);
        self.open(0, "spec");
    }

    /// The text.
    pub(super) fn finish(self) -> String {
        self.text
    }
}

/// A DNS-1123 label made from words (Vietnamese folded): `Võ Thị Thu An` → `vo-thi-thu-an`, `K'Rẻm` →
/// `k-rem`. Empty when nothing foldable is left.
pub(super) fn slug(text: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for word in crate::naming::words(text) {
        let mut folded = String::new();
        for piece in word.split(|c: char| !c.is_alphanumeric()) {
            for c in piece.chars() {
                match crate::naming::fold(&c.to_string()) {
                    Ok(f) => folded.push_str(&f),
                    Err(_) if c.is_ascii_digit() => folded.push(c),
                    Err(_) => {}
                }
            }
            if !folded.is_empty() && !folded.ends_with('-') {
                folded.push('-');
            }
        }
        let folded = folded.trim_matches('-').to_string();
        if !folded.is_empty() {
            parts.push(folded);
        }
    }
    let mut out = parts.join("-");
    out.truncate(63);
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Võ Thị Thu An"), "vo-thi-thu-an");
        assert_eq!(slug("K'Rẻm"), "k-rem");
        assert_eq!(slug("Đinh Thị Mỹ Liên"), "dinh-thi-my-lien");
        assert_eq!(slug("anvtt.ctt"), "anvtt-ctt");
        assert_eq!(slug("李 小龍"), "");
        assert_eq!(slug(&"a ".repeat(100)).len(), 63);
    }

    #[test]
    fn scalars_read_back() {
        for s in [
            "yes",
            "123",
            "a: b",
            "# x",
            "K'Rẻm",
            "T. phòng dịch vụ ĐT",
            "null",
            "'q'",
        ] {
            let yaml = format!("k: {}\n", scalar(s));
            let v: std::collections::BTreeMap<String, String> = serde_yaml::from_str(&yaml).unwrap();
            assert_eq!(v["k"], s, "{yaml}");
        }
    }
}
