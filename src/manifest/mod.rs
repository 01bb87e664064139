//! What the user wrote: the raw resource types, the loader that keeps positions, and the JSON Schema.

mod controls;
pub mod id;
pub mod loader;
mod resource;
pub mod schema;
pub mod spans;
pub mod types;

pub use id::ResourceId;
pub use loader::{
    Kind, LoadOptions, Loaded, LoadedRepository, Origin, Resource, load_repository, load_texts,
};
pub use types::*;
