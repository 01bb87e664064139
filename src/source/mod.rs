//! Where the desired state comes from: a folder ([`crate::manifest::load_repository`]) or a git revision.

pub mod git;
pub mod known_hosts;
pub mod remote;
pub mod review;
pub mod revision;
pub mod signatures;
