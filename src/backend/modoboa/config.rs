//! Settings of a Modoboa connection: the URL and its query settings.

use super::*;

/// New accounts per import request: a few seconds of server work each (Modoboa hashes nothing when mailops
/// sends hashes), well inside a gunicorn timeout.
pub(super) const BATCH_SIZE: usize = 50;
/// Default accounts per page: one page for a typical agency, few for a province.
pub(super) const DEFAULT_PAGE_SIZE: u32 = 1000;
/// Just under Modoboa's stock `ddos` throttle of 5 requests per second per view (evenly spaced, no burst:
/// requests arrive with some jitter, and DRF counts any 5 within one second).
pub(super) const DEFAULT_REQUESTS_PER_SECOND: u32 = 4;

/// How the client retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// First backoff after a server error.
    pub initial_backoff: Duration,
    /// Longest wait between attempts, `Retry-After` included.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 8,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Settings of a Modoboa connection.
#[derive(Debug, Clone)]
pub struct ModoboaConfig {
    /// API root, e.g. `http://127.0.0.1:8000/`.
    pub base: Url,
    /// Requests per second; `None` for no pacing.
    pub requests_per_second: Option<NonZeroU32>,
    /// Accounts per page.
    pub page_size: u32,
    /// New accounts per bulk import; 1 creates them one request each.
    pub batch_size: usize,
    /// Retries.
    pub retry: RetryPolicy,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl ModoboaConfig {
    /// Accounts per bulk creation unless `?batch-size=N` says otherwise.
    pub const DEFAULT_BATCH_SIZE: usize = BATCH_SIZE;

    /// Reads `modoboa+http://HOST:PORT[/PATH][?requests-per-second=N&page-size=N&attempts=N&batch-size=N]`.
    ///
    /// # Errors
    /// A URL that is not of that form.
    pub fn from_url(url: &str) -> Result<Self, BackendError> {
        let rest = url
            .strip_prefix("modoboa+")
            .ok_or_else(|| BackendError::InvalidUrl(format!("`{url}` is not a modoboa+http(s):// URL")))?;
        let mut base = Url::parse(rest)
            .map_err(|e| BackendError::InvalidUrl(format!("`{url}` is not a valid URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(BackendError::InvalidUrl(format!(
                "`{url}`: write modoboa+http://HOST:PORT or modoboa+https://HOST"
            )));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(BackendError::InvalidUrl(
                "do not put credentials in the server URL: give the API token with MAILOPS_TOKEN or \
                 --token-file"
                    .into(),
            ));
        }
        let mut config = ModoboaConfig {
            base: base.clone(),
            requests_per_second: NonZeroU32::new(DEFAULT_REQUESTS_PER_SECOND),
            page_size: DEFAULT_PAGE_SIZE,
            batch_size: BATCH_SIZE,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(120),
        };
        for (key, value) in base.query_pairs() {
            let number = || {
                value.parse::<u32>().map_err(|_| {
                    BackendError::InvalidUrl(format!("`{key}={value}` in the server URL is not a number"))
                })
            };
            match key.as_ref() {
                "requests-per-second" => config.requests_per_second = NonZeroU32::new(number()?),
                "page-size" => config.page_size = number()?.max(1),
                "attempts" => config.retry.attempts = number()?.max(1),
                "batch-size" => config.batch_size = number()?.max(1) as usize,
                _ => {
                    return Err(BackendError::InvalidUrl(format!(
                        "unknown setting `{key}` in the server URL (known: requests-per-second, page-size, \
                         attempts, batch-size)"
                    )));
                }
            }
        }
        base.set_query(None);
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        config.base = base;
        Ok(config)
    }
}
