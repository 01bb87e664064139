//! Control characters and invisible formatting characters (bidirectional overrides, zero-width spaces) in a
//! manifest's strings: no name, title or address of staff data holds one; a control character could rewrite
//! a terminal, a server file or an address book card, a formatting one makes a name read otherwise than it
//! is. Found before anything else reads the resource.

/// Every string field (its path, as `spec.aliases[0]`) that holds a control or formatting character, with
/// the first one.
pub(super) fn find(value: &serde_yaml::Value) -> Vec<(String, char)> {
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

fn walk(value: &serde_yaml::Value, path: &mut String, out: &mut Vec<(String, char)>) {
    match value {
        serde_yaml::Value::String(s) => {
            if let Some(c) = s
                .chars()
                .find(|&c| c.is_control() || crate::diagnostics::is_format(c))
            {
                out.push((path.clone(), c));
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, out);
                path.truncate(len);
            }
        }
        serde_yaml::Value::Mapping(map) => {
            for (k, v) in map {
                let Some(key) = k.as_str() else { continue };
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(v, path, out);
                path.truncate(len);
            }
        }
        serde_yaml::Value::Tagged(t) => walk(&t.value, path, out),
        _ => {}
    }
}
