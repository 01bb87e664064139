//! Push webhooks from GitHub, Gitea and GitLab, verified against a shared secret.
//!
//! - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, event in `X-GitHub-Event`.
//! - Gitea (and Forgejo): `X-Gitea-Signature: <hex HMAC-SHA256>` (newer versions also send GitHub's header),
//!   event in `X-Gitea-Event`.
//! - GitLab: `X-Gitlab-Token: <the secret itself>`, event in `X-Gitlab-Event` (`Push Hook`, `Tag Push Hook`).
//!
//! Signatures and tokens are compared in constant time (`hmac`'s `verify_slice`, `subtle`).

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Who sent the hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// GitHub.
    GitHub,
    /// Gitea or Forgejo.
    Gitea,
    /// GitLab.
    GitLab,
}

impl Provider {
    /// A label for metrics.
    #[must_use]
    pub const fn label(&self) -> &'static str {
        match self {
            Provider::GitHub => "github",
            Provider::Gitea => "gitea",
            Provider::GitLab => "gitlab",
        }
    }
}

/// Why a hook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    /// No signature or token header at all.
    #[error(
        "no signature: expected X-Hub-Signature-256 (GitHub), X-Gitea-Signature (Gitea) or X-Gitlab-Token (GitLab)"
    )]
    Unsigned,
    /// The signature header is not hex of the right form.
    #[error("the {} signature is malformed", .0.label())]
    Malformed(Provider),
    /// The signature or token does not match the secret.
    #[error("the {} signature does not match the shared secret", .0.label())]
    Mismatch(Provider),
}

impl HookError {
    /// The provider, when it could be told.
    #[must_use]
    pub fn provider(&self) -> Option<&Provider> {
        match self {
            HookError::Unsigned => None,
            HookError::Malformed(p) | HookError::Mismatch(p) => Some(p),
        }
    }
}

/// A verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// Who sent it.
    pub provider: Provider,
    /// The event name.
    pub event: String,
    /// Whether it is a push (of a branch or a tag).
    pub is_push: bool,
    /// The pushed ref (`refs/heads/main`), from the body.
    pub git_ref: Option<String>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn check_hmac(provider: Provider, hex_signature: &str, body: &[u8], secret: &[u8]) -> Result<(), HookError> {
    let signature = hex::decode(hex_signature).map_err(|_| HookError::Malformed(provider))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| HookError::Mismatch(provider))?;
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| HookError::Mismatch(provider))
}

/// Verifies a request against the shared secret and reads its event and ref.
///
/// # Errors
/// See [`HookError`].
pub fn verify(headers: &HeaderMap, body: &[u8], secret: &[u8]) -> Result<Push, HookError> {
    let provider;
    if let Some(sig) = header(headers, "x-gitea-signature") {
        provider = Provider::Gitea;
        check_hmac(provider, sig, body, secret)?;
    } else if let Some(sig) = header(headers, "x-hub-signature-256") {
        provider = if header(headers, "x-gitea-event").is_some() {
            Provider::Gitea
        } else {
            Provider::GitHub
        };
        let hex_sig = sig
            .strip_prefix("sha256=")
            .ok_or(HookError::Malformed(provider))?;
        check_hmac(provider, hex_sig, body, secret)?;
    } else if let Some(token) = header(headers, "x-gitlab-token") {
        provider = Provider::GitLab;
        // Equal lengths are compared in constant time; a length mismatch is a mismatch.
        if !bool::from(token.as_bytes().ct_eq(secret)) {
            return Err(HookError::Mismatch(provider));
        }
    } else {
        return Err(HookError::Unsigned);
    }
    let event = match provider {
        Provider::GitHub => header(headers, "x-github-event"),
        Provider::Gitea => header(headers, "x-gitea-event").or_else(|| header(headers, "x-github-event")),
        Provider::GitLab => header(headers, "x-gitlab-event"),
    }
    .unwrap_or("")
    .to_string();
    let is_push = matches!(event.as_str(), "push" | "Push Hook" | "Tag Push Hook");
    let git_ref = pushed_ref(body);
    Ok(Push {
        provider,
        event,
        is_push,
        git_ref,
    })
}

/// The `ref` of a push payload, when it is JSON with a string `ref` (nothing else of it is kept).
#[must_use]
pub fn pushed_ref(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Payload {
        #[serde(rename = "ref")]
        git_ref: Option<String>,
    }
    serde_json::from_slice::<Payload>(body).ok()?.git_ref
}

/// Whether a pushed ref is the followed reference (a branch or a tag name, or a full ref).
#[must_use]
pub fn ref_matches(pushed: Option<&str>, followed: &str) -> bool {
    match pushed {
        None => true,
        Some(r) => {
            r == followed
                || r.strip_prefix("refs/heads/") == Some(followed)
                || r.strip_prefix("refs/tags/") == Some(followed)
        }
    }
}

/// The GitHub signature header value of `body` (for clients and tests).
#[must_use]
pub fn github_signature(body: &[u8], secret: &[u8]) -> String {
    #[allow(clippy::missing_panics_doc)]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const BODY: &[u8] = br#"{"ref":"refs/heads/main","after":"abc"}"#;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn github_signature_is_verified_and_the_ref_read() {
        let sig = github_signature(BODY, b"s3cret");
        let push = verify(
            &headers(&[("x-hub-signature-256", &sig), ("x-github-event", "push")]),
            BODY,
            b"s3cret",
        )
        .unwrap();
        assert_eq!(push.provider, Provider::GitHub);
        assert!(push.is_push);
        assert_eq!(push.git_ref.as_deref(), Some("refs/heads/main"));
        // Another secret, another body, a truncated signature, no prefix: all refused.
        let h = headers(&[("x-hub-signature-256", &sig), ("x-github-event", "push")]);
        assert_eq!(
            verify(&h, BODY, b"other"),
            Err(HookError::Mismatch(Provider::GitHub))
        );
        assert_eq!(
            verify(&h, b"{}", b"s3cret"),
            Err(HookError::Mismatch(Provider::GitHub))
        );
        let short = headers(&[("x-hub-signature-256", &sig[..21])]);
        assert_eq!(
            verify(&short, BODY, b"s3cret"),
            Err(HookError::Mismatch(Provider::GitHub))
        );
        let bare = headers(&[("x-hub-signature-256", &sig[7..])]);
        assert_eq!(
            verify(&bare, BODY, b"s3cret"),
            Err(HookError::Malformed(Provider::GitHub))
        );
    }

    #[test]
    fn gitea_and_gitlab_are_told_apart() {
        let sig = github_signature(BODY, b"k");
        let gitea = headers(&[("x-gitea-signature", &sig[7..]), ("x-gitea-event", "push")]);
        assert_eq!(verify(&gitea, BODY, b"k").unwrap().provider, Provider::Gitea);
        let gitea_hub = headers(&[("x-hub-signature-256", &sig), ("x-gitea-event", "push")]);
        assert_eq!(verify(&gitea_hub, BODY, b"k").unwrap().provider, Provider::Gitea);
        let gitlab = headers(&[("x-gitlab-token", "k"), ("x-gitlab-event", "Push Hook")]);
        let push = verify(&gitlab, BODY, b"k").unwrap();
        assert!(push.is_push && push.provider == Provider::GitLab);
        let wrong = headers(&[("x-gitlab-token", "kk"), ("x-gitlab-event", "Push Hook")]);
        assert_eq!(
            verify(&wrong, BODY, b"k"),
            Err(HookError::Mismatch(Provider::GitLab))
        );
        assert_eq!(verify(&HeaderMap::new(), BODY, b"k"), Err(HookError::Unsigned));
    }

    #[test]
    fn refs_match_branches_tags_and_full_names() {
        assert!(ref_matches(Some("refs/heads/main"), "main"));
        assert!(ref_matches(Some("refs/tags/v1"), "v1"));
        assert!(ref_matches(Some("refs/heads/main"), "refs/heads/main"));
        assert!(!ref_matches(Some("refs/heads/feature"), "main"));
        assert!(ref_matches(None, "main"));
    }
}
