//! Installing rendered files where the operator configured them, so that the policy in git is the policy in
//! force.
//!
//! - A file that exists and was not written by mailops (its first line lacks [`MARKER`]) is never replaced:
//!   the install stops before writing anything.
//! - Files are replaced atomically and only when their content changes.
//! - The reload command (e.g. `postfix reload`) runs after a change. The intent is durable first: a marker
//!   file beside each changed file is written before the file, and removed only once the reload succeeded,
//!   so a run killed between the two still reloads on the next run.

use std::path::{Path, PathBuf};

use super::attachments::{self, MARKER, Policy, Table};

/// The name of the marker of a reload still owed, beside the file whose change it is for.
const PENDING: &str = ".mailops-reload-pending";

/// Where the operator wants the rendered files (flags of `apply` and `watch`; never from a manifest).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The Postfix table file and its type.
    pub postfix: Option<(PathBuf, Table)>,
    /// rspamd's local configuration folder (`/etc/rspamd`).
    pub rspamd: Option<PathBuf>,
    /// A shell command run after a change (`postfix reload && rspamadm control reload`…).
    pub reload: Option<String>,
}

impl Target {
    /// Whether anything is to be installed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.postfix.is_none() && self.rspamd.is_none()
    }
}

/// What an install did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installed {
    /// Files replaced.
    pub changed: Vec<PathBuf>,
    /// Files already as rendered.
    pub unchanged: Vec<PathBuf>,
    /// Whether the reload command ran (and succeeded).
    pub reloaded: bool,
}

/// Why an install stopped.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// A file there was not written by mailops.
    #[error(
        "{0} was not written by mailops (its first line does not say \"{MARKER}\"); it is left as it is and nothing was installed"
    )]
    HandMade(PathBuf),
    /// A file could not be read or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The reload command failed; it runs again on the next install.
    #[error("the reload command `{command}` failed ({status}); it runs again on the next apply")]
    Reload {
        /// The command.
        command: String,
        /// Its exit status or why it could not start.
        status: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn pending_marker(file: &Path) -> PathBuf {
    crate::atomic::folder(file).join(PENDING)
}

/// Installs the attachment policy (`None`: the Organization declares none, and the files say so and refuse
/// nothing) into `target`.
///
/// # Errors
/// [`InstallError`]; when a file is hand-made, nothing is written.
pub fn install(target: &Target, policy: &Policy) -> Result<Installed, InstallError> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    if let Some((path, table)) = &target.postfix {
        files.push((path.clone(), attachments::postfix(policy, *table)));
    }
    if let Some(dir) = &target.rspamd {
        for (rel, text) in attachments::rspamd(policy) {
            files.push((dir.join(rel), text));
        }
    }
    // Every file is checked before any is written.
    let mut changed = Vec::new();
    let mut unchanged = Vec::new();
    for (path, text) in &files {
        match std::fs::read(path) {
            Ok(old) => {
                let first = old.split(|b| *b == b'\n').next().unwrap_or_default();
                if !String::from_utf8_lossy(first).contains(MARKER) {
                    return Err(InstallError::HandMade(path.clone()));
                }
                if old == text.as_bytes() {
                    unchanged.push(path.clone());
                } else {
                    changed.push((path, text));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => changed.push((path, text)),
            Err(e) => return Err(io(path)(e)),
        }
    }
    let reload = target.reload.as_deref();
    if reload.is_some() {
        for (path, _) in &changed {
            let marker = pending_marker(path);
            if let Some(dir) = marker.parent() {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
            }
            crate::atomic::write("render", &marker, b"", Some(0o644)).map_err(io(&marker))?;
        }
    }
    for (path, text) in &changed {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        crate::atomic::write("render", path, text.as_bytes(), Some(0o644)).map_err(io(path))?;
    }
    let markers: Vec<PathBuf> = files
        .iter()
        .map(|(p, _)| pending_marker(p))
        .filter(|m| m.exists())
        .collect();
    let mut reloaded = false;
    if let Some(command) = reload
        && !markers.is_empty()
    {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => {
                for m in &markers {
                    let _ = std::fs::remove_file(m);
                }
                reloaded = true;
            }
            Ok(s) => {
                return Err(InstallError::Reload {
                    command: command.to_string(),
                    status: s.to_string(),
                });
            }
            Err(e) => {
                return Err(InstallError::Reload {
                    command: command.to_string(),
                    status: e.to_string(),
                });
            }
        }
    }
    Ok(Installed {
        changed: changed.into_iter().map(|(p, _)| p.clone()).collect(),
        unchanged,
        reloaded,
    })
}
