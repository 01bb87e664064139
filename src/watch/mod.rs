//! The GitOps controller (`mailops watch`): its pure parts. [`drift`] tells changes made on the server by
//! hand from the state mailops left, and holds back the changes that would undo them in report mode.
//!
//! The loop itself (fetch, verify, validate, converge through the engine, back off) is still driven from
//! `cli/watch.rs`.

pub mod drift;
