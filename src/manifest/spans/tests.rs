//! The structural pass, and its values compared with serde_yaml's own reading.

use super::*;

#[test]
fn records_key_and_value_positions() {
    let docs =
        scan("apiVersion: v\nspec:\n  fullName: Võ Thị Thu An\n  aliases:\n    - a@x\n    - b@x\n").unwrap();
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
        docs.iter().map(DocumentSpans::is_empty).collect::<Vec<_>>(),
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
    let message = e.message.english();
    assert!(message.contains("U+0007"), "{message}");
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
    scan(text).map(|docs| {
        docs.into_iter()
            .filter(|d| !d.is_empty())
            .map(|d| d.value)
            .collect()
    })
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
                    (Err(ours), Err(theirs))
                        if ours.message.english().starts_with("invalid YAML: invalid") =>
                    {
                        let theirs = &theirs[..theirs.rfind(" at line").unwrap_or(theirs.len())];
                        let english = ours.message.english();
                        let core = english.trim_start_matches("invalid YAML: ");
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
