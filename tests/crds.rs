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

/// `examples/k8s/bdt`: the example agency as Kubernetes resources, the same specs as the git example, every
/// one a valid object of its CRD type, rendered by kustomize.
#[test]
fn the_kubernetes_example_is_the_git_example() {
    use mailops::manifest::{MailboxResource, OrganizationResource, SharedMailboxResource};
    let k8s = root().join("examples/k8s/bdt");
    let git = root().join(common::EXAMPLE);
    let read = |p: &std::path::Path| -> serde_json::Value {
        serde_yaml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let mut pairs = vec![
        (k8s.join("organization.yaml"), git.join("organization.yaml")),
        (k8s.join("agency-mailbox.yaml"), git.join("agency-mailbox.yaml")),
    ];
    for f in common::files_below(&git.join("staff")) {
        pairs.push((k8s.join("staff").join(f.file_name().unwrap()), f));
    }
    assert_eq!(pairs.len(), 26);
    for (k, g) in &pairs {
        let (kv, gv) = (read(k), read(g));
        assert_eq!(kv["spec"], gv["spec"], "{}", k.display());
        assert_eq!(kv["metadata"]["name"], gv["metadata"]["name"]);
        assert_eq!(kv["metadata"]["namespace"], "bdt");
        match kv["kind"].as_str().unwrap() {
            "Organization" => drop(serde_json::from_value::<OrganizationResource>(kv).unwrap()),
            "Mailbox" => drop(serde_json::from_value::<MailboxResource>(kv).unwrap()),
            "SharedMailbox" => drop(serde_json::from_value::<SharedMailboxResource>(kv).unwrap()),
            other => panic!("{other}"),
        }
    }
    let out = std::process::Command::new("kubectl")
        .args(["kustomize", "examples/k8s/bdt"])
        .current_dir(root())
        .output()
        .expect("kubectl");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rendered = String::from_utf8_lossy(&out.stdout);
    let count = |kind: &str| rendered.lines().filter(|l| *l == format!("kind: {kind}")).count();
    assert_eq!(
        (count("Organization"), count("Mailbox"), count("SharedMailbox")),
        (1, 24, 1)
    );
}
