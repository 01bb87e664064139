//! Changes to the Organization between two revisions (naming policy, safety limits, units, domains…),
//! shown to reviewers beside the mailbox changes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::FieldChange;
use crate::desired::Organization;

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        Value::Array(a) => {
            // Lists of plain values read best whole; lists of objects by position.
            if a.iter().all(|x| !x.is_object()) {
                let items: Vec<String> = a.iter().map(scalar).collect();
                out.insert(prefix.to_string(), items.join(", "));
            } else {
                for (i, v) in a.iter().enumerate() {
                    flatten(&format!("{prefix}[{i}]"), v, out);
                }
            }
        }
        Value::Null => {}
        other => {
            out.insert(prefix.to_string(), scalar(other));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Field-by-field differences of two Organizations (`None`: absent in that revision), as
/// `spec.safety.maxDeletions: 2 → 5`.
#[must_use]
pub fn policy_changes(before: Option<&Organization>, after: Option<&Organization>) -> Vec<FieldChange> {
    let map = |o: Option<&Organization>| {
        let mut out = BTreeMap::new();
        if let Some(o) = o {
            flatten("spec", &serde_json::to_value(o).unwrap_or(Value::Null), &mut out);
        }
        out.remove("spec.name");
        out
    };
    let (b, a) = (map(before), map(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            before: b.get(k).cloned(),
            after: a.get(k).cloned(),
            drift: false,
        })
        .collect()
}
