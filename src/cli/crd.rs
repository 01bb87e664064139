//! `mailops crd [--out DIR]`: the CustomResourceDefinitions, one YAML file per kind.

use std::path::PathBuf;

use clap::Args;

use super::Printer;
use crate::k8s::crd;

/// Arguments of `crd`.
#[derive(Debug, Args)]
pub struct CrdArgs {
    /// Write the CRDs to this folder (one file per kind); without it, print them as one YAML stream.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(super) fn run(args: &CrdArgs, printer: &Printer) -> u8 {
    let mut documents = Vec::new();
    for c in crd::all() {
        match crd::to_yaml(&c) {
            Ok(y) => documents.push((crd::file_name(&c), y)),
            Err(e) => {
                printer.error(&crate::t!("error-crd-yaml"), Some(&e), None);
                return 1;
            }
        }
    }
    let Some(dir) = &args.out else {
        let stream: Vec<&str> = documents.iter().map(|(_, y)| y.as_str()).collect();
        printer.out(&stream.join("---\n"));
        return 0;
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        printer.error(
            &crate::t!("error-cannot-create", path = dir.display().to_string()),
            Some(&e),
            None,
        );
        return 1;
    }
    for (name, yaml) in &documents {
        let path = dir.join(name);
        if let Err(e) = super::write_atomically(&path, yaml.as_bytes()) {
            printer.error(
                &crate::t!("error-cannot-write", path = path.display().to_string()),
                Some(&e),
                None,
            );
            return 1;
        }
        printer.note(&format!("wrote {}", path.display()));
    }
    0
}
