//! SSH host keys checked against a `known_hosts` file (OpenSSH's format: plain and hashed host names,
//! `[host]:port`, wildcards and negations, `@revoked`), before anything is fetched over SSH.

use std::path::Path;

use hmac::{Hmac, Mac};
use ssh_key::PublicKey;
use ssh_key::known_hosts::{Entry, HostPatterns, KnownHosts, Marker};

/// Why a host key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostKeyError {
    /// No entry names the host.
    #[error(
        "the SSH host {host} is not in {file} (its key is {fingerprint}); after checking the fingerprint \
         with the server's administrator, add it: ssh-keyscan {scan} >> {file}"
    )]
    Unknown {
        /// The host as known_hosts names it.
        host: String,
        /// The file.
        file: String,
        /// The key offered.
        fingerprint: String,
        /// `ssh-keyscan` arguments.
        scan: String,
    },
    /// Entries name the host with other keys: possibly a man in the middle.
    #[error(
        "the SSH host key of {host} does not match {file} (offered {fingerprint}); nothing was fetched — \
         if the server's key really changed, update the file"
    )]
    Mismatch {
        /// The host.
        host: String,
        /// The file.
        file: String,
        /// The key offered.
        fingerprint: String,
    },
    /// The key is marked `@revoked`.
    #[error("the SSH host key of {host} is revoked in {file}")]
    Revoked {
        /// The host.
        host: String,
        /// The file.
        file: String,
    },
    /// The server's key could not be read.
    #[error("the SSH host key of {host} cannot be read: {message}")]
    Unreadable {
        /// The host.
        host: String,
        /// Why.
        message: String,
    },
}

/// The name known_hosts uses for a host and port.
#[must_use]
pub fn host_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// OpenSSH's host patterns: `*` any run of characters, `?` one character, all else literal (brackets too),
/// case-insensitive.
fn pattern_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    // Iterative wildcard match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

fn names(entry: &Entry, name: &str) -> bool {
    match entry.host_patterns() {
        HostPatterns::Patterns(patterns) => {
            let mut positive = false;
            for p in patterns {
                if let Some(negated) = p.strip_prefix('!') {
                    if pattern_matches(negated, name) {
                        return false;
                    }
                } else if pattern_matches(p, name) {
                    positive = true;
                }
            }
            positive
        }
        HostPatterns::HashedName { salt, hash } => {
            let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(salt) else {
                return false;
            };
            mac.update(name.as_bytes());
            mac.verify_slice(hash).is_ok()
        }
    }
}

/// Checks the raw host key (SSH wire format) `offered` by `host:port` against the entries of `file`.
///
/// # Errors
/// See [`HostKeyError`].
pub fn check(file: &Path, host: &str, port: u16, offered: &[u8]) -> Result<(), HostKeyError> {
    let name = host_name(host, port);
    let shown = file.display().to_string();
    let key = PublicKey::from_bytes(offered).map_err(|e| HostKeyError::Unreadable {
        host: name.clone(),
        message: e.to_string(),
    })?;
    let fingerprint = key.fingerprint(ssh_key::HashAlg::Sha256).to_string();
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut named = false;
    for entry in KnownHosts::new(&text).flatten() {
        if !names(&entry, &name) {
            continue;
        }
        let same = entry.public_key().key_data() == key.key_data();
        match entry.marker() {
            Some(Marker::Revoked) if same => {
                return Err(HostKeyError::Revoked {
                    host: name,
                    file: shown,
                });
            }
            Some(_) => {}
            None if same => return Ok(()),
            None => named = true,
        }
    }
    if named {
        Err(HostKeyError::Mismatch {
            host: name,
            file: shown,
            fingerprint,
        })
    } else {
        let scan = if port == 22 {
            host.to_string()
        } else {
            format!("-p {port} {host}")
        };
        Err(HostKeyError::Unknown {
            host: name,
            file: shown,
            fingerprint,
            scan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two keys made with `ssh-keygen -t ed25519`.
    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN17dfliNChybk2RyV0boESB4K/cRu/JQ+M/2wUkcFD3";
    const OTHER: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMNmquW6HYbtp9TK14SXS4bycZt1q8gmt04gA/EMGDix";

    fn offered(line: &str) -> Vec<u8> {
        PublicKey::from_openssh(line).unwrap().to_bytes().unwrap()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn plain_ported_wildcard_and_hashed_names() {
        let f = file(&format!(
            "git.example.vn {KEY}\n[127.0.0.1]:2222 {KEY}\n*.agency.vn,!evil.agency.vn {KEY}\n"
        ));
        assert!(check(f.path(), "git.example.vn", 22, &offered(KEY)).is_ok());
        assert!(check(f.path(), "127.0.0.1", 2222, &offered(KEY)).is_ok());
        assert!(check(f.path(), "git.agency.vn", 22, &offered(KEY)).is_ok());
        assert!(matches!(
            check(f.path(), "evil.agency.vn", 22, &offered(KEY)),
            Err(HostKeyError::Unknown { .. })
        ));
        // The same host on another port is another host.
        let unknown = check(f.path(), "127.0.0.1", 22, &offered(KEY)).unwrap_err();
        assert!(unknown.to_string().contains("ssh-keyscan 127.0.0.1"), "{unknown}");
        // `ssh-keygen -H` output for git.example.vn (salt and HMAC-SHA1 of the name).
        let salt = [7u8; 20];
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&salt).unwrap();
        mac.update(b"git.example.vn");
        let hash = mac.finalize().into_bytes();
        use base64ct::Encoding;
        let hashed = format!(
            "|1|{}|{} {KEY}\n",
            base64ct::Base64::encode_string(&salt),
            base64ct::Base64::encode_string(&hash)
        );
        let h = file(&hashed);
        assert!(check(h.path(), "git.example.vn", 22, &offered(KEY)).is_ok());
        assert!(check(h.path(), "git.example.com", 22, &offered(KEY)).is_err());
    }

    #[test]
    fn another_key_for_a_known_host_is_a_mismatch_and_revoked_keys_are_refused() {
        let f = file(&format!("git.example.vn {KEY}\n@revoked * {OTHER}\n"));
        let e = check(f.path(), "git.example.vn", 22, &offered(OTHER)).unwrap_err();
        assert!(matches!(e, HostKeyError::Revoked { .. }), "{e}");
        let g = file(&format!("git.example.vn {KEY}\n"));
        let e = check(g.path(), "git.example.vn", 22, &offered(OTHER)).unwrap_err();
        assert!(matches!(e, HostKeyError::Mismatch { .. }), "{e}");
        assert!(e.to_string().contains("SHA256:"), "{e}");
    }
}
