//! The checked-in CRDs in `crds/`: current with the Rust spec types, and structural as the API server
//! requires (checked offline, on the files as they are on disk).

mod common;

use common::{mailops, root};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

#[test]
fn the_checked_in_crds_are_current() {
    let fresh = tempfile::tempdir().unwrap();
    let out = fresh.path().display().to_string();
    let run = mailops(&["crd", "--out", &out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names = |dir: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let generated = names(fresh.path());
    assert_eq!(
        generated,
        [
            "mailboxes.mailops.dev.yaml",
            "mailservers.mailops.dev.yaml",
            "organizations.mailops.dev.yaml",
            "sharedmailboxes.mailops.dev.yaml"
        ]
    );
    let mut on_disk = names(&root().join("crds"));
    on_disk.retain(|n| n != "kustomization.yaml");
    assert_eq!(
        on_disk, generated,
        "crds/ holds exactly the CRDs (and their kustomization)"
    );
    let kustomization = std::fs::read_to_string(root().join("crds/kustomization.yaml")).unwrap();
    for name in &generated {
        assert!(
            kustomization.contains(&format!("- {name}")),
            "crds/kustomization.yaml lists {name}"
        );
    }
    for name in &generated {
        let on_disk = std::fs::read_to_string(root().join("crds").join(name)).unwrap();
        let new = std::fs::read_to_string(fresh.path().join(name)).unwrap();
        assert!(
            on_disk == new,
            "crds/{name} is stale: regenerate with `cargo run -- crd --out crds`"
        );
    }
}

#[test]
fn the_checked_in_crds_are_structural_schemas() {
    for entry in std::fs::read_dir(root().join("crds")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let crd: CustomResourceDefinition = serde_yaml::from_str(&text).unwrap();
        let findings = mailops::k8s::crd::lint(&crd);
        assert!(findings.is_empty(), "{}: {findings:#?}", path.display());
        let version = &crd.spec.versions[0];
        assert!(version.served && version.storage);
        assert!(
            version.subresources.as_ref().unwrap().status.is_some(),
            "{}",
            path.display()
        );
        assert!(crd.spec.names.short_names.as_ref().is_some_and(|s| !s.is_empty()));
    }
}
