//! mailops: a declarative GitOps reconciler for mailboxes.
//!
//! The pipeline (see DESIGN.md): load manifests with positions ([`manifest`]), validate them into a desired
//! state with diagnostics ([`desired`], [`naming`]), and render views of it ([`directory`]).

pub mod address;
pub mod atomic;
pub mod backend;
pub mod cli;
pub mod clock;
pub mod desired;
pub mod diagnostics;
pub mod directory;
pub mod engine;
#[doc(hidden)]
pub mod fuzzing;
pub mod i18n;
pub mod import;
pub mod k8s;
pub mod manifest;
pub mod markdown;
pub mod naming;
pub mod plan;
pub mod render;
pub mod report;
pub mod serve;
pub mod source;
pub mod state;
pub mod watch;
