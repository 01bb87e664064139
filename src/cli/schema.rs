//! `mailops schema`.

use clap::Args;

use super::Printer;
use crate::manifest::schema::manifest_schema_json;

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {}

pub(super) fn run(_args: &SchemaArgs, printer: &Printer) -> u8 {
    printer.out(&manifest_schema_json());
    0
}
