//! `mailops adopt [PATH] --server URL`: (re)build the inventory from the desired state and the server.

use clap::Args;

use super::Printer;
use super::plan::{desired_or_report, observe};

/// Arguments of `adopt`.
#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The repository and the server.
    #[command(flatten)]
    pub target: super::ServerArgs,
    /// Show what would be adopted without writing the state file.
    #[arg(long)]
    pub dry_run: bool,
}

pub(super) async fn run(args: &AdoptArgs, printer: &Printer) -> u8 {
    let Some(desired) = desired_or_report(&args.target.path, printer) else {
        return 1;
    };
    let Some(o) = observe(args.target.connect(), &desired.organization.domains, printer).await else {
        return 1;
    };
    let (inventory, report) = crate::state::adopt(&desired, &o.observation, &o.conn.inventory);
    let mut out = String::new();
    for (identity, address) in &report.adopted {
        out.push_str(&format!("= {identity} adopted at {address}\n"));
    }
    for identity in &report.missing {
        out.push_str(&format!("+ {identity} is not on the server (apply creates it)\n"));
    }
    for address in &report.unmanaged {
        out.push_str(&format!(
            "? {address} is on the server but not in the repository: left unmanaged, never touched\n"
        ));
    }
    out.push_str(&format!(
        "{} adopted, {} missing, {} unmanaged; the inventory holds {} account(s)\n",
        report.adopted.len(),
        report.missing.len(),
        report.unmanaged.len(),
        inventory.len()
    ));
    if !args.dry_run {
        if let Err(e) = o.conn.store.save(&inventory) {
            printer.error(&crate::t!("error-write-state"), Some(&e), None);
            return 1;
        }
        out.push_str(&format!("wrote {}\n", o.conn.store.path().display()));
    }
    printer.out(&out);
    0
}
