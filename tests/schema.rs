//! The checked-in JSON Schema: current, referenced by every example file, and actually checking manifests.

mod common;

use std::path::{Path, PathBuf};

use common::{mailops, root};

const SCHEMA: &str = "schema/mailops.v1alpha1.schema.json";

#[test]
fn the_checked_in_schema_is_current() {
    let run = mailops(&["schema"]);
    assert_eq!(run.code, 0);
    let on_disk = std::fs::read_to_string(root().join(SCHEMA)).unwrap();
    assert!(
        on_disk == run.stdout,
        "{SCHEMA} is stale: regenerate it with `cargo run -- schema > {SCHEMA}`"
    );
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        // examples/ci holds CI pipelines (GitHub Actions, GitLab CI) and examples/k8s Kubernetes objects
        // (checked against the CRDs in tests/crds.rs), not git-mode manifests.
        if p.is_dir() && p.file_name().is_some_and(|n| n == "ci" || n == "k8s") {
            continue;
        }
        if p.is_dir() {
            out.extend(yaml_files(&p));
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_example_file_points_editors_at_the_schema() {
    let files = yaml_files(&root().join("examples"));
    assert!(files.len() >= 26, "{}", files.len());
    let schema = root().join(SCHEMA).canonicalize().unwrap();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let rel = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{} has no schema line", f.display()));
        let target = f.parent().unwrap().join(rel).canonicalize().unwrap();
        assert_eq!(target, schema, "{}", f.display());
    }
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SCHEMA)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn documents(text: &str) -> Vec<serde_json::Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_yaml::with::singleton_map_recursive::deserialize(d).unwrap())
        .collect()
}

#[test]
fn every_example_document_satisfies_the_schema() {
    let v = validator();
    for f in yaml_files(&root().join("examples")) {
        for doc in documents(&std::fs::read_to_string(&f).unwrap()) {
            let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", f.display());
        }
    }
}

#[test]
fn the_schema_refuses_what_the_loader_refuses() {
    let v = validator();
    let base = "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: vo-thi-thu-an\nspec:\n  fullName: Võ Thị Thu An\n  unit: ban-dan-toc\n";
    assert!(v.is_valid(&documents(base)[0]));
    for bad in [
        format!("{base}  nickname: An\n"),
        base.replace("kind: Mailbox", "kind: Mailbx"),
        base.replace("mailops.dev/v1alpha1", "mailops.dev/v1"),
        base.replace("  unit: ban-dan-toc\n", ""),
        format!("{base}  state: deleted\n"),
        format!("{base}  extension: kt2\n"),
        format!("{base}  startDate: 11/04/2012\n"),
        format!("{base}  quota: lots\n"),
        base.replace("vo-thi-thu-an", "Vo_Thi"),
    ] {
        assert!(!v.is_valid(&documents(&bad)[0]), "accepted:\n{bad}");
    }
}
