//! The crypt(3) password hashes the backends write (`$6$…`, `$5$…`), in one place.

use super::{BackendError, Secret};

/// SHA512-crypt of `password` with `rounds` (`$6$rounds=…$salt$hash`).
///
/// # Errors
/// [`BackendError::Unsupported`] for rounds outside crypt's range; [`BackendError::Server`] if hashing fails.
pub fn sha512(password: &Secret, rounds: usize) -> Result<String, BackendError> {
    let params = sha_crypt::Sha512Params::new(rounds)
        .map_err(|_| BackendError::Unsupported("hash with these rounds"))?;
    sha_crypt::sha512_simple(password.expose(), &params)
        .map_err(|_| BackendError::Server("password hashing failed".into()))
}

/// SHA256-crypt of `password` with `rounds` (`$5$…`).
///
/// # Errors
/// As [`sha512`].
pub fn sha256(password: &Secret, rounds: usize) -> Result<String, BackendError> {
    let params = sha_crypt::Sha256Params::new(rounds)
        .map_err(|_| BackendError::Unsupported("hash with these rounds"))?;
    sha_crypt::sha256_simple(password.expose(), &params)
        .map_err(|_| BackendError::Server("password hashing failed".into()))
}
