//! Configuration rendered for the mail server from the repository (`mailops render`), and its installation
//! into the operator's configured paths by `apply` and `watch`.

pub mod attachments;
mod install;

pub use install::{InstallError, Installed, Target, install};
