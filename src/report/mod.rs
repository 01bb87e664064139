//! Reports for the agency and the provincial department, drawn from the repository and the server.
//!
//! [`usage`]: rule III.4 (mail checked several times a working day) and rule V.1 (periodic reports on
//! e-mail use): who logged in when, per unit and per person, with what the server's data measures.

pub mod usage;
mod usage_render;

pub use usage::{Flag, Sources, Usage};
pub use usage_render::{Format, render};
