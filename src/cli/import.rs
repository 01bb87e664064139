//! `mailops import --server URL | --from FILE --out DIR`: a repository from a live server and the staff list.
//! Reads the server, never writes to it; fills the state store as `adopt` would; checks that what it wrote
//! validates and plans to no changes.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{OutputFormat, Printer};
use crate::backend::{Observation, OpenOptions};
use crate::diagnostics::SourceMap;
use crate::directory::Lang;
use crate::engine::Connect;
use crate::import::{self, Imported, SharedOption, sheet};
use crate::manifest::{Kind, LoadOptions};

/// Arguments of `import`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).multiple(true).args(["server", "from"]))]
pub struct ImportArgs {
    /// Read the accounts of this server: `maildir:PATH` or `modoboa+http(s)://HOST[:PORT]`. Never written to.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Read the staff list: .csv, .xlsx, .xls or .ods, with Vietnamese or English headers (the appendix's
    /// `Tài khoản người dùng, Họ và tên, Chức vụ, Email dự phòng`), a unit column or unit heading rows.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// The folder to write the repository to (new or empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that is not empty: files of the same name are replaced, others are kept.
    #[arg(long)]
    pub force: bool,
    /// The agency's short name (`bdt`); guessed from the agency mailbox otherwise, and marked for review.
    #[arg(long, value_name = "NAME")]
    pub short_name: Option<String>,
    /// The agency's official name (`Ban Dân tộc tỉnh Bình Thuận`).
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    /// The domain of personal addresses (rule II.2), when not the one most accounts follow the rule in.
    #[arg(long, value_name = "DOMAIN")]
    pub naming_domain: Option<String>,
    /// An agency mailbox, with its owner (the head of the agency) by address or metadata.name. Needed for
    /// a server that does not record who may use a mailbox (Modoboa). Repeatable.
    #[arg(long, value_name = "ADDRESS[=OWNER]")]
    pub shared: Vec<SharedOption>,
    /// Import only these domains of the server (default: all). Repeatable.
    #[arg(long = "domain", value_name = "DOMAIN", requires = "server")]
    pub domains: Vec<String>,
    /// The state file to fill (default: beside a maildir's mail, else ./mailops-state.json).
    #[arg(long, value_name = "FILE", requires = "server")]
    pub state: Option<PathBuf>,
    /// A file holding the server's API token (default: the MAILOPS_TOKEN environment variable).
    #[arg(long, value_name = "FILE", requires = "server")]
    pub token_file: Option<PathBuf>,
    /// Report format (json: the report, the files written and the plan's change count).
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Whether `dir` has anything in it.
fn has_entries(dir: &Path) -> std::io::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The server's accounts, read only, and the connection that holds the state store.
async fn read_server(
    args: &ImportArgs,
    url: &str,
    printer: &Printer,
) -> Option<(crate::engine::Observed, Vec<String>)> {
    let token = crate::engine::server::token(args.token_file.as_deref())
        .map_err(|e| printer.engine_error(&e))
        .ok()?;
    let listing = crate::backend::open(
        url,
        &OpenOptions {
            domains: Vec::new(),
            token,
        },
    )
    .map_err(|e| printer.error(&crate::t!("error-open-server"), Some(&e), None))
    .ok()?;
    let all = listing
        .domains()
        .await
        .map_err(|e| printer.error(&crate::t!("error-list-domains"), Some(&e), None))
        .ok()?;
    drop(listing);
    let domains = if args.domains.is_empty() {
        all
    } else {
        if let Some(d) = args.domains.iter().find(|d| !all.contains(d)) {
            printer.error(
                &crate::t!("error-no-such-domain", domain = d.as_str()),
                None,
                Some(&crate::t!("hint-server-domains", domains = all.join(", "))),
            );
            return None;
        }
        args.domains.clone()
    };
    let connect = Connect::read_only(url, args.state.as_deref(), args.token_file.as_deref());
    let o = super::plan::observe(connect, &domains, printer).await?;
    if o.conn.interrupted {
        printer.error(
            &crate::t!("error-import-interrupted"),
            None,
            Some(&crate::t!("hint-import-interrupted")),
        );
        return None;
    }
    if !o.observation.complete {
        printer.error(
            &crate::t!(
                "error-import-partial",
                problems = o.observation.problems.join("; ")
            ),
            None,
            Some(&crate::t!("hint-import-partial")),
        );
        return None;
    }
    Some((o, domains))
}

/// Writes the files; says which existed before. Into a new or empty folder, the repository appears whole or
/// not at all: it is written into a hidden folder beside it, synced, and renamed into place (a kill leaves
/// only that hidden folder, which the next import removes). With `--force` into a folder that has files,
/// each file is replaced atomically; a kill leaves some files new and some as they were, and the same
/// import run again completes it.
fn write(out: &Path, imported: &Imported, into_existing: bool) -> std::io::Result<Vec<PathBuf>> {
    if into_existing {
        let mut replaced = Vec::new();
        for f in &imported.files {
            let path = out.join(&f.path);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            if path.exists() {
                replaced.push(f.path.clone());
            }
            super::write_atomically(&path, f.text.as_bytes())?;
        }
        return Ok(replaced);
    }
    let parent = crate::atomic::folder(out);
    std::fs::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(&staging_prefix(out))
        .tempdir_in(parent)?;
    for f in &imported.files {
        let path = staging.path().join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::File::create(&path)?;
        std::io::Write::write_all(&mut file, f.text.as_bytes())?;
        file.sync_all()?;
    }
    for dir in walkdir::WalkDir::new(staging.path()).into_iter().flatten() {
        if dir.file_type().is_dir() {
            crate::atomic::sync_dir(dir.path());
        }
    }
    // rename(2) replaces an empty folder; `out` was checked to be new or empty.
    std::fs::rename(staging.path(), out)?;
    let _ = staging.keep();
    crate::atomic::sync_dir(parent);
    Ok(Vec::new())
}

/// The repository the import would leave in `out` (with the manifests already there when it writes beside
/// them), validated in memory, each file under the path it would have.
fn would_validate(
    out: &Path,
    imported: &Imported,
    into_existing: bool,
) -> (crate::desired::Validated, SourceMap) {
    let mut texts: std::collections::BTreeMap<PathBuf, Vec<u8>> = std::collections::BTreeMap::new();
    if into_existing {
        for e in walkdir::WalkDir::new(out)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .flatten()
        {
            let yaml = matches!(
                e.path().extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml")
            );
            if yaml
                && e.file_type().is_file()
                && let Ok(bytes) = std::fs::read(e.path())
            {
                texts.insert(e.path().to_path_buf(), bytes);
            }
        }
    }
    for f in &imported.files {
        texts.insert(out.join(&f.path), f.text.as_bytes().to_vec());
    }
    let repo = crate::manifest::load_texts(
        out,
        texts.iter().map(|(p, b)| (p.clone(), b.as_slice())),
        LoadOptions::default(),
    );
    crate::desired::validate_consuming(repo)
}

/// The name of the hidden folder an import into `out` is staged in.
fn staging_prefix(out: &Path) -> String {
    let name = out
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!("{}import-{name}-", crate::atomic::TEMP_PREFIX)
}

/// Removes the staging folders a killed import into `out` left beside it.
fn sweep_staging(out: &Path) {
    let prefix = staging_prefix(out);
    let Ok(entries) = std::fs::read_dir(crate::atomic::folder(out)) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

pub(super) async fn run(args: &ImportArgs, printer: &Printer) -> u8 {
    let existing = match has_entries(&args.out) {
        Ok(true) if !args.force => {
            printer.error(
                &crate::t!("error-not-empty", path = args.out.display().to_string()),
                None,
                Some(&crate::t!("hint-not-empty")),
            );
            return 1;
        }
        Err(e) => {
            printer.error(
                &crate::t!("error-cannot-read", path = args.out.display().to_string()),
                Some(&e),
                None,
            );
            return 1;
        }
        Ok(existing) => existing,
    };
    sweep_staging(&args.out);
    let list = match &args.from {
        None => None,
        Some(path) => match sheet::read(path) {
            Ok(l) => Some(l),
            Err(diags) => {
                printer.diagnostics(&diags, &SourceMap::default());
                printer.error(
                    &crate::t!(
                        "error-sheet-problems",
                        path = path.display().to_string(),
                        count = diags.error_count()
                    ),
                    None,
                    None,
                );
                return 1;
            }
        },
    };
    let server = match &args.server {
        None => None,
        Some(url) => match read_server(args, url, printer).await {
            Some(s) => Some(s),
            None => return 1,
        },
    };
    let observation: Option<&Observation> = server.as_ref().map(|(o, _)| &o.observation);
    let options = import::Options {
        short_name: args.short_name.clone(),
        display_name: args.display_name.clone(),
        naming_domain: args.naming_domain.clone(),
        shared: args.shared.clone(),
        server: args.server.as_deref().map(|u| {
            if u.starts_with("maildir:") {
                "maildir"
            } else {
                "Modoboa"
            }
            .to_string()
        }),
        server_records_access: server
            .as_ref()
            .is_some_and(|(o, _)| o.conn.backend.capabilities().delegation),
    };
    let imported = match import::build(observation, list.as_ref(), &options) {
        Ok(i) => i,
        Err(diags) => {
            printer.diagnostics(&diags, &SourceMap::default());
            printer.error(&crate::t!("error-nothing-written"), None, None);
            return 1;
        }
    };
    // Checked before anything is written: an import that would not validate writes nothing.
    let (would, sources) = would_validate(&args.out, &imported, existing);
    if !would.is_valid() {
        printer.diagnostics(&would.diagnostics, &sources);
        printer.error(
            &crate::t!(
                "error-import-would-be-invalid",
                path = args.out.display().to_string()
            ),
            None,
            Some(&crate::t!("hint-import-invalid")),
        );
        return 1;
    }
    drop(would);
    let replaced = match write(&args.out, &imported, existing) {
        Ok(r) => r,
        Err(e) => {
            printer.error(
                &crate::t!("error-cannot-write", path = args.out.display().to_string()),
                Some(&e),
                None,
            );
            return 1;
        }
    };
    let (validated, sources) = crate::source::revision::load_and_validate(&args.out, LoadOptions::default());
    let Some(desired) = validated.state.as_ref().filter(|_| validated.is_valid()) else {
        printer.diagnostics(&validated.diagnostics, &sources);
        printer.error(
            &crate::t!("error-import-invalid", path = args.out.display().to_string()),
            None,
            Some(&crate::t!("hint-import-invalid")),
        );
        return 1;
    };
    let mut changes = None;
    let mut state_file = None;
    if let Some((mut o, _)) = server {
        let (mut inventory, _) = crate::state::adopt(desired, &o.observation, &o.conn.inventory);
        let ids: Vec<_> = desired
            .shared_mailboxes
            .iter()
            .map(|s| {
                (
                    crate::manifest::ResourceId::new(Kind::SharedMailbox, s.name.clone()),
                    &s.address,
                )
            })
            .collect();
        for (id, address) in ids {
            if let (Some(entry), Some(holders)) = (inventory.get(&id), imported.holders.get(address))
                && entry.holders.is_empty()
            {
                let mut entry = entry.clone();
                entry.holders.clone_from(holders);
                inventory.insert(entry);
            }
        }
        if let Err(e) = o.conn.store.save(&inventory) {
            printer.error(&crate::t!("error-write-state"), Some(&e), None);
            return 1;
        }
        state_file = Some(o.conn.store.path().to_path_buf());
        o.conn.inventory = inventory;
        let source = crate::plan::PlanSource {
            path: args.out.display().to_string(),
            revision: None,
            base_revision: None,
        };
        let today = crate::clock::today();
        let plan = o.conn.plan(desired, None, &o.observation, source, today);
        changes = Some(plan);
    }
    let change_count = changes.as_ref().map_or(0, |p| p.changes.len());
    match args.output {
        OutputFormat::Json => {
            let json = serde_json::json!({
                "report": imported.report,
                "files": imported.files.iter().map(|f| f.path.display().to_string()).collect::<Vec<_>>(),
                "replaced": replaced.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "stateFile": state_file.as_ref().map(|p| p.display().to_string()),
                "planChanges": changes.as_ref().map(|_| change_count),
            });
            printer.out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            ));
        }
        OutputFormat::Text => {
            // The report is for the agency: Vietnamese unless --lang asks otherwise.
            let lang = crate::i18n::chosen().unwrap_or(Lang::Vi);
            let vi = lang == Lang::Vi;
            let mut out = imported.report.text(lang);
            out.push_str(&if vi {
                format!("Đã ghi {} tệp vào {}", imported.files.len(), args.out.display())
            } else {
                format!("Wrote {} file(s) to {}", imported.files.len(), args.out.display())
            });
            if !replaced.is_empty() {
                out.push_str(&if vi {
                    format!(" ({} tệp được thay thế)", replaced.len())
                } else {
                    format!(" ({} replaced)", replaced.len())
                });
            }
            out.push('\n');
            if let Some(p) = &state_file {
                out.push_str(&if vi {
                    format!("Đã ghi kho trạng thái {}\n", p.display())
                } else {
                    format!("Wrote the state file {}\n", p.display())
                });
            }
            if let Some(plan) = &changes {
                if plan.changes.is_empty() {
                    out.push_str(if vi {
                        "Kế hoạch: không có thay đổi.\n"
                    } else {
                        "Plan: no changes.\n"
                    });
                } else {
                    out.push_str(&if vi {
                        format!("Kế hoạch: {change_count} thay đổi cần xem lại:\n")
                    } else {
                        format!("Plan: {change_count} change(s) to review:\n")
                    });
                    out.push_str(&crate::plan::render::text(plan, false));
                }
            }
            printer.out(&out);
        }
    }
    0
}
