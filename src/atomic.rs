//! Files replaced whole, crash-safely: a temporary file beside the target with a recognisable name, fsync,
//! rename, fsync of the folder. A run killed half-way leaves at most a temporary file, which the next run
//! sweeps ([`sweep`]); the target is always either the old or the new content, never a mix.
//!
//! Each writer names its temporary files (`.mailops-tmp-<owner>-XXXXXX`: `state`, `maildir`, `out`) and
//! sweeps only its own, under the lock that writers of its files take, so that no sweep can remove a file
//! another writer is about to rename into place.

use std::io::Write;
use std::path::Path;

/// The start of every temporary file's name: `.mailops-tmp-<owner>-XXXXXX`.
pub const TEMP_PREFIX: &str = ".mailops-tmp-";

fn prefix(owner: &str) -> String {
    format!("{TEMP_PREFIX}{owner}-")
}

/// The folder a path is in (`.` for a bare file name).
#[must_use]
pub fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `bytes` to `path` atomically. The temporary file, and so the result, has mode 0600 (it may hold
/// password hashes), unless `mode` says otherwise.
///
/// # Errors
/// When the temporary file cannot be created, written, synced or renamed.
pub fn write(owner: &str, path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    write_via(owner, folder(path), path, bytes, mode)?;
    sync_dir(folder(path));
    Ok(())
}

/// Like [`write`], with the temporary file in `dir` (on the same file system as `path`), and without the
/// folder's fsync: a caller replacing several files syncs their folder once, after the last.
///
/// # Errors
/// As [`write`].
pub fn write_via(
    owner: &str,
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new().prefix(&prefix(owner)).tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_via`], calling `unchanged` between the temporary file's fsync and the rename: the target is
/// replaced only if it still says so (the last moment a person's edit of the target can be noticed).
///
/// # Errors
/// As [`write_via`], or [`std::io::ErrorKind::WouldBlock`] when `unchanged` said no (nothing replaced).
pub fn write_if_unchanged(
    owner: &str,
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    unchanged: impl FnOnce() -> bool,
) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new().prefix(&prefix(owner)).tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if !unchanged() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            "changed since it was read",
        ));
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// fsyncs a folder, so that a rename or a new file in it survives a power loss.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes the temporary files of `owner` a killed run left in `dir`; returns how many. Call it only while
/// holding the lock that `owner`'s writers take.
pub fn sweep(owner: &str, dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mine = prefix(owner);
    let mut n = 0;
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&mine)
            && e.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(e.path()).is_ok()
        {
            n += 1;
        }
    }
    if n > 0 {
        tracing::info!(folder = %dir.display(), files = n, "removed temporary files left by an interrupted run");
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_0600_and_sweeps_only_its_own_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("passwd");
        write("maildir", &target, b"x\n", None).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::write(dir.path().join(format!("{TEMP_PREFIX}maildir-abc")), "partial").unwrap();
        std::fs::write(
            dir.path().join(format!("{TEMP_PREFIX}state-abc")),
            "another writer's",
        )
        .unwrap();
        std::fs::write(dir.path().join(".tmpKeep"), "someone else's").unwrap();
        assert_eq!(sweep("maildir", dir.path()), 1);
        assert!(dir.path().join(".tmpKeep").exists());
        assert!(dir.path().join(format!("{TEMP_PREFIX}state-abc")).exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"x\n");
    }
}
