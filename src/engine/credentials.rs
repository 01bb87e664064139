//! Where new passwords go, before any server call sets them: the credentials sink.
//!
//! # Guarantees
//! - [`CredentialSink::deliver_all`] returns only once every delivered password is durable (the file line
//!   appended and fsynced, or the Secret written): the executor makes the server call after that, never before.
//! - A password delivered for an account that was never created is found again by
//!   [`CredentialSink::undelivered`] and reused, so a person never receives two passwords for one mailbox.
//! - The credentials file is created with mode 0600, never opened through a symbolic link, and refused when
//!   anyone but its owner may read it.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::backend::Secret;
use crate::desired::Address;
use crate::manifest::ResourceId;

/// Where a delivered password can be found again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "sink")]
pub enum CredentialRef {
    /// A line of the credentials file, starting at this byte offset.
    File {
        /// The file.
        path: PathBuf,
        /// Where the line starts.
        offset: u64,
    },
    /// A Kubernetes Secret.
    Secret {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Printed once on standard output: delivered, but cannot be read back.
    Shown,
}

impl std::fmt::Display for CredentialRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialRef::File { path, .. } => write!(f, "{}", path.display()),
            CredentialRef::Secret { namespace, name } => write!(f, "Secret {namespace}/{name}"),
            CredentialRef::Shown => f.write_str("standard output"),
        }
    }
}

/// One password to hand over.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The resource the mailbox belongs to, when it has one.
    pub key: Option<ResourceId>,
    /// The mailbox the password opens.
    pub mailbox: Address,
    /// Who receives it: the mailbox's owner, or the holders of an agency mailbox.
    pub recipient: Address,
    /// The password.
    pub password: Secret,
}

/// Why a password could not be delivered; the change that needed it is not made.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The credentials file cannot be written.
    #[error("cannot write the credentials file {path}")]
    File {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The credentials file is not safe to write passwords to.
    #[error("the credentials file {path} is not safe: {why}")]
    Unsafe {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The Kubernetes API server refused the Secret.
    #[error("cannot write the Secret {namespace}/{name}: {message}")]
    Secret {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// The API server's message.
        message: String,
    },
}

impl DeliveryError {
    /// The same error again (for every delivery of a batch that failed as one).
    #[must_use]
    pub fn again(&self) -> Self {
        match self {
            DeliveryError::File { path, source } => DeliveryError::File {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            DeliveryError::Unsafe { path, why } => DeliveryError::Unsafe {
                path: path.clone(),
                why: why.clone(),
            },
            DeliveryError::Secret {
                namespace,
                name,
                message,
            } => DeliveryError::Secret {
                namespace: namespace.clone(),
                name: name.clone(),
                message: message.clone(),
            },
        }
    }

    /// A short, bounded label for metrics and the audit log.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            DeliveryError::File { .. } | DeliveryError::Unsafe { .. } => "credentials_file",
            DeliveryError::Secret { .. } => "credentials_secret",
        }
    }
}

/// A place new passwords are delivered to.
#[async_trait]
pub trait CredentialSink: Send + Sync {
    /// Delivers every password durably, in order; one result per delivery.
    async fn deliver_all(&self, deliveries: &[Delivery]) -> Vec<Result<CredentialRef, DeliveryError>>;

    /// A password already delivered for `mailbox` (of resource `key`) whose account was never created: it is
    /// reused instead of delivering another.
    async fn undelivered(
        &self,
        mailbox: &Address,
        key: Option<&ResourceId>,
    ) -> Option<(Secret, CredentialRef)>;

    /// Reads a delivered password back (to finish a rotation interrupted after its delivery).
    async fn recall(&self, credential: &CredentialRef, mailbox: &Address) -> Option<Secret>;

    /// Where the next delivery will be (the credentials file's length), recorded when a run begins.
    fn position(&self) -> u64 {
        0
    }

    /// Passwords delivered from `position` on: (mailbox, where), for the recovery of an interrupted run.
    fn delivered_since(&self, position: u64) -> Vec<(Address, CredentialRef)> {
        let _ = position;
        Vec::new()
    }

    /// Remembers passwords delivered for accounts that do not exist (from the state store).
    fn set_pending(&self, pending: &BTreeMap<Address, CredentialRef>) {
        let _ = pending;
    }
}

/// The credentials file of CLI mode: lines `mailbox<TAB>password<TAB>recipient`, appended and fsynced.
#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    // Appends are serialised: a line's offset is the file's length before it.
    appending: Mutex<()>,
    pending: Mutex<BTreeMap<Address, CredentialRef>>,
}

impl FileSink {
    /// The sink writing to `path`.
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            appending: Mutex::new(()),
            pending: Mutex::new(BTreeMap::new()),
        }
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open(&self, write: bool) -> Result<std::fs::File, DeliveryError> {
        let file = std::fs::OpenOptions::new()
            .read(!write)
            .append(write)
            .create(write)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.path)
            .map_err(|source| {
                if source.raw_os_error() == Some(libc::ELOOP) {
                    DeliveryError::Unsafe {
                        path: self.path.clone(),
                        why: "it is a symbolic link".into(),
                    }
                } else {
                    DeliveryError::File {
                        path: self.path.clone(),
                        source,
                    }
                }
            })?;
        let meta = file.metadata().map_err(|source| DeliveryError::File {
            path: self.path.clone(),
            source,
        })?;
        if !meta.file_type().is_file() {
            return Err(DeliveryError::Unsafe {
                path: self.path.clone(),
                why: "it is not a regular file".into(),
            });
        }
        if meta.mode() & 0o077 != 0 {
            return Err(DeliveryError::Unsafe {
                path: self.path.clone(),
                why: format!(
                    "its mode is {:04o}: others may read it (run `chmod 600 {}`)",
                    meta.mode() & 0o7777,
                    self.path.display()
                ),
            });
        }
        Ok(file)
    }

    /// Every line appended at or after `offset`: (mailbox, where it is), for recovery.
    #[must_use]
    pub fn lines_since(&self, offset: u64) -> Vec<(Address, CredentialRef)> {
        let Ok(mut file) = self.open(false) else {
            return Vec::new();
        };
        if file.seek(std::io::SeekFrom::Start(offset)).is_err() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut at = offset;
        let mut reader = std::io::BufReader::new(file);
        let mut line = String::new();
        while let Ok(n) = reader.read_line(&mut line) {
            if n == 0 || !line.ends_with('\n') {
                break;
            }
            if let Some((mailbox, _)) = parse_line(line.trim_end_matches('\n')) {
                out.push((
                    mailbox,
                    CredentialRef::File {
                        path: self.path.clone(),
                        offset: at,
                    },
                ));
            }
            at += n as u64;
            line.clear();
        }
        out
    }

    /// The file's length now (where the next line starts), 0 when it does not exist.
    #[must_use]
    pub fn end(&self) -> u64 {
        std::fs::symlink_metadata(&self.path).map_or(0, |m| m.len())
    }

    fn ends_with_newline(&self, len: u64) -> bool {
        let Ok(mut file) = self.open(false) else {
            return true;
        };
        let mut last = [0_u8];
        file.seek(std::io::SeekFrom::Start(len - 1)).is_ok()
            && file.read_exact(&mut last).is_ok()
            && last[0] == b'\n'
    }

    fn read_at(&self, offset: u64, mailbox: &Address) -> Option<Secret> {
        let mut file = self.open(false).ok()?;
        file.seek(std::io::SeekFrom::Start(offset)).ok()?;
        let mut buf = Vec::new();
        file.take(4096).read_to_end(&mut buf).ok()?;
        let line = std::str::from_utf8(&buf).ok()?.split('\n').next()?;
        let (who, password) = parse_line(line)?;
        (&who == mailbox).then(|| Secret::new(password.to_string()))
    }
}

#[async_trait]
impl CredentialSink for FileSink {
    async fn deliver_all(&self, deliveries: &[Delivery]) -> Vec<Result<CredentialRef, DeliveryError>> {
        if deliveries.is_empty() {
            return Vec::new();
        }
        let _appending = self
            .appending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let write = || -> Result<Vec<CredentialRef>, DeliveryError> {
            let mut file = self.open(true)?;
            let io = |source| DeliveryError::File {
                path: self.path.clone(),
                source,
            };
            let mut offset = file.metadata().map_err(io)?.len();
            let mut buf = Vec::new();
            // A line cut short by a power loss is ended, so that it stays a line of its own (never read as
            // a password: it lacks its recipient).
            if offset > 0 && !self.ends_with_newline(offset) {
                file.write_all(b"\n").map_err(io)?;
                offset += 1;
            }
            let mut refs = Vec::with_capacity(deliveries.len());
            for d in deliveries {
                refs.push(CredentialRef::File {
                    path: self.path.clone(),
                    offset: offset + buf.len() as u64,
                });
                writeln!(buf, "{}\t{}\t{}", d.mailbox, d.password.expose(), d.recipient).map_err(io)?;
            }
            file.write_all(&buf).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(refs)
        };
        match write() {
            Ok(refs) => refs.into_iter().map(Ok).collect(),
            // The batch is not delivered (not durable, or not written): every delivery of it failed so.
            Err(e) => deliveries.iter().map(|_| Err(e.again())).collect(),
        }
    }

    async fn undelivered(
        &self,
        mailbox: &Address,
        _key: Option<&ResourceId>,
    ) -> Option<(Secret, CredentialRef)> {
        let credential = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(mailbox)
            .cloned()?;
        let password = self.recall(&credential, mailbox).await?;
        Some((password, credential))
    }

    async fn recall(&self, credential: &CredentialRef, mailbox: &Address) -> Option<Secret> {
        match credential {
            CredentialRef::File { path, offset } if path == &self.path => self.read_at(*offset, mailbox),
            _ => None,
        }
    }

    fn position(&self) -> u64 {
        self.end()
    }

    fn delivered_since(&self, position: u64) -> Vec<(Address, CredentialRef)> {
        self.lines_since(position)
    }

    fn set_pending(&self, pending: &BTreeMap<Address, CredentialRef>) {
        pending.clone_into(
            &mut self
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }
}

/// A well-formed line: `mailbox<TAB>password<TAB>recipient`, both addresses valid and a password.
fn parse_line(line: &str) -> Option<(Address, &str)> {
    let mut fields = line.split('\t');
    let (mailbox, password, recipient) = (fields.next()?, fields.next()?, fields.next()?);
    if fields.next().is_some() || password.is_empty() || recipient.parse::<Address>().is_err() {
        return None;
    }
    Some((mailbox.parse().ok()?, password))
}

/// `--show-credentials`: each password printed once on standard output (flushed) before its account is
/// created; it cannot be read back, so an interrupted creation gets a new one.
#[derive(Debug, Default)]
pub struct ShowSink;

#[async_trait]
impl CredentialSink for ShowSink {
    async fn deliver_all(&self, deliveries: &[Delivery]) -> Vec<Result<CredentialRef, DeliveryError>> {
        let mut out = std::io::stdout().lock();
        deliveries
            .iter()
            .map(|d| {
                writeln!(
                    out,
                    "password of {} (for {}): {}",
                    d.mailbox,
                    d.recipient,
                    d.password.expose()
                )
                .and_then(|()| out.flush())
                .map(|()| CredentialRef::Shown)
                .map_err(|source| DeliveryError::File {
                    path: PathBuf::from("/dev/stdout"),
                    source,
                })
            })
            .collect()
    }

    async fn undelivered(&self, _: &Address, _: Option<&ResourceId>) -> Option<(Secret, CredentialRef)> {
        None
    }

    async fn recall(&self, _: &CredentialRef, _: &Address) -> Option<Secret> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(mailbox: &str) -> Delivery {
        Delivery {
            key: None,
            mailbox: mailbox.parse().unwrap(),
            recipient: mailbox.parse().unwrap(),
            password: Secret::new(format!("pw-{mailbox}")),
        }
    }

    #[tokio::test]
    async fn lines_are_found_again_by_offset() {
        let dir = tempfile::tempdir().unwrap();
        let sink = FileSink::new(dir.path().join("creds"));
        let refs = sink.deliver_all(&[delivery("a@x.vn"), delivery("b@x.vn")]).await;
        let b: Address = "b@x.vn".parse().unwrap();
        let r = refs[1].as_ref().unwrap();
        assert_eq!(sink.recall(r, &b).await.unwrap().expose(), "pw-b@x.vn");
        assert!(sink.recall(r, &"a@x.vn".parse().unwrap()).await.is_none());
        let mode = std::fs::metadata(sink.path()).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(sink.lines_since(0).len(), 2);
        assert_eq!(sink.lines_since(sink.end()).len(), 0);
    }

    #[tokio::test]
    async fn a_readable_file_or_a_symlink_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        let sink = FileSink::new(path.clone());
        let r = sink.deliver_all(&[delivery("a@x.vn")]).await;
        let e = r[0].as_ref().unwrap_err().to_string();
        assert!(e.contains("0644") && e.contains(path.to_str().unwrap()), "{e}");
        assert_eq!(std::fs::read(&path).unwrap().len(), 0);

        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).unwrap();
        let r = FileSink::new(link).deliver_all(&[delivery("a@x.vn")]).await;
        assert!(r[0].as_ref().unwrap_err().to_string().contains("symbolic link"));
        assert!(!dir.path().join("elsewhere").exists());
    }
}
