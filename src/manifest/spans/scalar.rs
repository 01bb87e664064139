//! serde_yaml 0.9's reading of a scalar, for the values built from yaml-rust2's events.
//!
//! The rules are those of `serde_yaml::de` (`visit_scalar`, `visit_untagged_scalar`, `parse_tag` and the
//! number parsers, which that crate does not export), so that a manifest means what it meant when
//! serde_yaml parsed it: plain `~`, `null` and the empty scalar are null; `true`/`True`/`TRUE` (not `yes`)
//! are booleans; `0x`, `0o`, `0b`, signs and leading zeros (`007` is a string) as in YAML 1.2; quoted and
//! block scalars are strings; `!!bool`, `!!int`, `!!float` and `!!null` insist on their type; a local tag
//! (`!foo`) makes a tagged value. A test compares this with serde_yaml itself on every manifest of the
//! project and on a few hundred tricky scalars.

use std::num::ParseIntError;

use serde_yaml::Value;
use serde_yaml::value::{Tag, TaggedValue};
use yaml_rust2::parser::Tag as YamlTag;
use yaml_rust2::scanner::TScalarStyle;

const CORE: &str = "tag:yaml.org,2002:";

/// What a scalar is when it is not its own text as a string: `Ok(None)` a string (the caller moves the text
/// into it, sparing a copy), `Ok(Some(v))` another value, `Err` serde_yaml's message (prefixed
/// `invalid YAML:`) for one it refuses.
pub(super) fn classify(
    text: &str,
    style: TScalarStyle,
    tag: Option<YamlTag>,
) -> Result<Option<Value>, String> {
    let plain = matches!(style, TScalarStyle::Plain);
    let refuse = |what: &str, expected: &str| Err(format!("invalid YAML: {what}, expected {expected}"));
    let Some(tag) = tag else {
        return if plain { untagged(text) } else { Ok(None) };
    };
    if let Some(local) = enum_tag(&tag) {
        let inner = match plain {
            true => untagged(text)?,
            false => None,
        };
        let inner = inner.unwrap_or_else(|| Value::String(text.to_string()));
        return Ok(Some(tagged(Some(local), inner)));
    }
    let invalid = |expected: &str| refuse(&format!("invalid value: string {text:?}"), expected);
    let full = format!("{}{}", tag.handle, tag.suffix);
    match full.strip_prefix(CORE).unwrap_or("") {
        "bool" => match parse_bool(text) {
            Some(b) => Ok(Some(Value::Bool(b))),
            None => invalid("a boolean"),
        },
        "int" => match int(text) {
            Some(Ok(n)) => Ok(Some(n)),
            Some(Err(wide)) => refuse(&format!("invalid type: {wide}"), "any YAML value"),
            None => invalid("an integer"),
        },
        "float" => match parse_f64(text) {
            Some(f) => Ok(Some(Value::Number(f.into()))),
            None => invalid("a float"),
        },
        "null" => match is_null(text) {
            true => Ok(Some(Value::Null)),
            false => invalid("null"),
        },
        _ => Ok(None),
    }
}

/// The tag serde_yaml keeps on a value (`!foo` → `foo`): only local tags; `!!str` and the other core tags
/// are not kept.
pub(super) fn enum_tag(tag: &YamlTag) -> Option<String> {
    let full = format!("{}{}", tag.handle, tag.suffix);
    let rest = full.strip_prefix('!')?;
    Some(if rest.is_empty() {
        full.clone()
    } else {
        rest.to_string()
    })
}

/// `value` under `tag`, if it has one.
pub(super) fn tagged(tag: Option<String>, value: Value) -> Value {
    match tag {
        Some(t) => Value::Tagged(Box::new(TaggedValue {
            tag: Tag::new(t),
            value,
        })),
        None => value,
    }
}

fn untagged(text: &str) -> Result<Option<Value>, String> {
    if text.is_empty() || is_null(text) {
        return Ok(Some(Value::Null));
    }
    if let Some(b) = parse_bool(text) {
        return Ok(Some(Value::Bool(b)));
    }
    match int(text) {
        Some(Ok(n)) => return Ok(Some(n)),
        Some(Err(wide)) => {
            return Err(format!(
                "invalid YAML: invalid type: {wide}, expected any YAML value"
            ));
        }
        None => {}
    }
    if !digits_but_not_number(text)
        && let Some(f) = parse_f64(text)
    {
        return Ok(Some(Value::Number(f.into())));
    }
    Ok(None)
}

fn is_null(s: &str) -> bool {
    matches!(s, "null" | "Null" | "NULL" | "~")
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// An integer: `Ok` one that fits 64 bits, `Err` how serde_yaml names one that needs 128 (which its `Value`
/// refuses), `None` not an integer.
fn int(s: &str) -> Option<Result<Value, String>> {
    if let Some(n) = parse_unsigned_int(s, u64::from_str_radix) {
        return Some(Ok(Value::Number(n.into())));
    }
    if let Some(n) = parse_negative_int(s, i64::from_str_radix) {
        return Some(Ok(Value::Number(n.into())));
    }
    if let Some(n) = parse_unsigned_int(s, u128::from_str_radix) {
        return Some(Err(format!("integer `{n}` as u128")));
    }
    if let Some(n) = parse_negative_int(s, i128::from_str_radix) {
        return Some(Err(format!("integer `{n}` as i128")));
    }
    None
}

fn radix_prefixed<T>(unsigned: &str, from_str_radix: fn(&str, u32) -> Result<T, ParseIntError>) -> Option<T> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = from_str_radix(rest, radix) {
                return Some(n);
            }
        }
    }
    None
}

fn parse_unsigned_int<T>(s: &str, from_str_radix: fn(&str, u32) -> Result<T, ParseIntError>) -> Option<T> {
    let unpositive = s.strip_prefix('+').unwrap_or(s);
    for prefix in ["0x", "0o", "0b"] {
        if unpositive
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(['+', '-']))
        {
            return None;
        }
    }
    if let Some(n) = radix_prefixed(unpositive, from_str_radix) {
        return Some(n);
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(s) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(s: &str, from_str_radix: fn(&str, u32) -> Result<T, ParseIntError>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = s.strip_prefix(prefix)
            && let Ok(n) = from_str_radix(&format!("-{rest}"), radix)
        {
            return Some(n);
        }
    }
    if digits_but_not_number(s) {
        return None;
    }
    from_str_radix(s, 10).ok()
}

fn parse_f64(s: &str) -> Option<f64> {
    let unpositive = match s.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => s,
    };
    if matches!(unpositive, ".inf" | ".Inf" | ".INF") {
        return Some(f64::INFINITY);
    }
    if matches!(s, "-.inf" | "-.Inf" | "-.INF") {
        return Some(f64::NEG_INFINITY);
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN.copysign(1.0));
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits are a string in YAML 1.2 (`007`).
fn digits_but_not_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
}
