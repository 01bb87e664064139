//! The HTTP layer: paced, retried requests, error bodies described without echoing a request, and the
//! API calls the backend is made of.

use super::*;

/// A short description of an error body: DRF's messages, or what kind of page it was. Request bodies are
/// never echoed (they may hold a password).
pub(super) fn describe_body(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Array(a) => a
                            .iter()
                            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join(" "),
                        other => other.to_string(),
                    };
                    if k == "detail" || k == "error" {
                        text
                    } else {
                        format!("{k}: {text}")
                    }
                })
                .collect();
            parts.join("; ")
        }
        Ok(other) => other.to_string(),
        Err(_) if body.trim_start().starts_with('<') => "an HTML error page".into(),
        Err(_) => body.chars().take(200).collect(),
    }
}

/// An error and its causes on one line ("error sending request: … : Connection refused").
pub(super) fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// The wait a 429 asks for: `Retry-After` in seconds, else DRF's "Expected available in N seconds".
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap, body: &str) -> Option<Duration> {
    let seconds = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or_else(|| {
            let rest = body.split("available in ").nth(1)?;
            rest.split_whitespace().next()?.parse().ok()
        })?;
    Some(Duration::from_secs(seconds.max(1)))
}

/// A request body.
#[derive(Clone, Copy)]
pub(super) enum Body<'a> {
    Json(&'a Value),
    /// Modoboa's CSV import (`/api/v2/identities/import/`); `crypt`: the passwords are clear text.
    Import {
        csv: &'a str,
        crypt: bool,
    },
}

/// A response: status and body text.
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) body: String,
}

impl Reply {
    pub(super) fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T, BackendError> {
        serde_json::from_str(&self.body)
            .map_err(|e| BackendError::Server(format!("Modoboa answered {what} with unexpected JSON: {e}")))
    }

    pub(super) fn error(&self, what: &str) -> BackendError {
        let detail = describe_body(&self.body);
        let message = format!("{what}: HTTP {} ({detail})", self.status.as_u16());
        if self.status.is_server_error() || self.status == StatusCode::TOO_MANY_REQUESTS {
            BackendError::Server(message)
        } else {
            BackendError::Rejected(message)
        }
    }
}

impl ModoboaBackend {
    /// Connects (lazily: nothing is sent before the first call) to the server of `config`, managing the
    /// accounts of `domains`.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(config: ModoboaConfig, token: Secret, domains: Vec<String>) -> Result<Self, BackendError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("mailops/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| BackendError::Server(format!("cannot build the HTTP client: {e}")))?;
        let pacer = config.requests_per_second.map(|n| {
            governor::RateLimiter::direct(governor::Quota::per_second(n).allow_burst(NonZeroU32::MIN))
        });
        let mut domains = domains;
        domains.sort();
        domains.dedup();
        Ok(Self {
            http,
            config,
            token,
            domains,
            pacer,
            known: Mutex::new(HashMap::new()),
            domain_ids: Mutex::new(BTreeMap::new()),
            requests: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            scheme: tokio::sync::OnceCell::new(),
        })
    }

    /// Requests sent so far (retries included): what a no-op reconcile costs.
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Write requests sent so far (retries included).
    #[must_use]
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    pub(super) fn url(&self, path: &str) -> Result<Url, BackendError> {
        self.config
            .base
            .join(path)
            .map_err(|e| BackendError::InvalidUrl(format!("cannot build a URL for {path}: {e}")))
    }

    /// Sends one request, retrying what is transient. Returns the final reply, whatever its status.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, BackendError> {
        self.send_body(method, path, body.map(Body::Json)).await
    }

    /// [`Self::send`] with any kind of body (the form is rebuilt for each attempt).
    pub(super) async fn send_body(
        &self,
        method: Method,
        path: &str,
        body: Option<Body<'_>>,
    ) -> Result<Reply, BackendError> {
        let url = self.url(path)?;
        let write = method != Method::GET;
        let what = format!("{method} {}", url.path());
        let policy = self.config.retry;
        let mut backoff = policy.initial_backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(pacer) = &self.pacer {
                pacer.until_ready().await;
            }
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(
                    reqwest::header::AUTHORIZATION,
                    format!("Token {}", self.token.expose()),
                )
                .header(reqwest::header::ACCEPT, "application/json");
            match body {
                Some(Body::Json(v)) => request = request.json(v),
                Some(Body::Import { csv, crypt }) => {
                    let file = reqwest::multipart::Part::text(csv.to_string())
                        .file_name("mailops.csv")
                        .mime_str("text/csv")
                        .map_err(|e| BackendError::Server(e.to_string()))?;
                    let form = reqwest::multipart::Form::new()
                        .part("sourcefile", file)
                        .text("sepchar", ";")
                        .text("continue_if_exists", "false")
                        .text("crypt_passwords", if crypt { "true" } else { "false" });
                    request = request.multipart(form);
                }
                None => {}
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            if write {
                self.writes.fetch_add(1, Ordering::Relaxed);
            }
            let last = attempt >= policy.attempts;
            let wait = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let text = response.text().await.unwrap_or_default();
                    if status == StatusCode::TOO_MANY_REQUESTS && !last {
                        let wait = retry_after(&headers, &text)
                            .unwrap_or(backoff)
                            .min(policy.max_backoff);
                        tracing::info!(request = %what, wait_ms = wait.as_millis() as u64, "throttled by Modoboa; waiting");
                        wait
                    } else if status.is_server_error() && !last {
                        tracing::warn!(request = %what, status = status.as_u16(), detail = %describe_body(&text), "Modoboa failed; retrying");
                        backoff
                    } else {
                        return Ok(Reply { status, body: text });
                    }
                }
                // A refused connection never reached the server; a timeout of a read is safe to repeat.
                Err(e) if !last && (e.is_connect() || (!write && e.is_timeout())) => {
                    tracing::warn!(request = %what, error = %e.without_url(), "cannot reach Modoboa; retrying");
                    backoff
                }
                Err(e) => {
                    return Err(BackendError::Server(format!(
                        "{what}: {}",
                        causes(&e.without_url())
                    )));
                }
            };
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(policy.max_backoff);
        }
    }

    /// Sends and requires a 2xx answer.
    pub(super) async fn ok(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, BackendError> {
        let what = format!("{method} {path}");
        let reply = self.send(method, path, body).await?;
        if reply.status.is_success() {
            Ok(reply)
        } else {
            Err(reply.error(&what))
        }
    }

    /// Every page of a listing.
    pub(super) async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Vec<T>, BackendError> {
        let mut out = Vec::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        for page in 1.. {
            let reply = self
                .ok(
                    Method::GET,
                    &format!("{path}{sep}page_size={}&page={page}", self.config.page_size),
                    None,
                )
                .await?;
            let page: Page<T> = reply.json(path)?;
            out.extend(page.results);
            if page.next.is_none() {
                break;
            }
        }
        Ok(out)
    }

    pub(super) async fn domain_ids(&self) -> Result<BTreeMap<String, u64>, BackendError> {
        let domains: Vec<ApiDomain> = self.pages("api/v2/domains/").await?;
        let map: BTreeMap<String, u64> = domains.into_iter().map(|d| (d.name, d.pk)).collect();
        self.domain_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone_from(&map);
        Ok(map)
    }

    pub(super) fn remember(&self, address: Address, known: Known) {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(address, known);
    }

    pub(super) fn forget(&self, address: &Address) -> Option<Known> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(address)
    }

    /// The account at an address: from the last observation, else looked up (`?search=` on the domain).
    pub(super) async fn find(&self, address: &Address) -> Result<Known, BackendError> {
        let cached = self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(address)
            .cloned();
        if let Some(k) = cached {
            return Ok(k);
        }
        let ids = self.domain_ids().await?;
        let Some(domain) = ids.get(address.domain()) else {
            return Err(BackendError::NotFound(address.clone()));
        };
        let path = format!(
            "api/v2/accounts/?domain={domain}&search={}",
            url::form_urlencoded::byte_serialize(address.as_str().as_bytes()).collect::<String>()
        );
        let found: Vec<ApiAccount> = self.pages(&path).await?;
        for a in found {
            if let Some((addr, known, _)) = to_observed(a)
                && &addr == address
            {
                self.remember(addr, known.clone());
                return Ok(known);
            }
        }
        Err(BackendError::NotFound(address.clone()))
    }

    /// Applies the answer of a write to the memory of the account, and checks the quota it stored.
    pub(super) fn absorb(&self, reply: &Reply, sent_quota: Option<&str>) -> Result<(), BackendError> {
        let account: ApiAccount = reply.json("the change")?;
        let Some((address, known, _)) = to_observed(account) else {
            return Ok(());
        };
        if let Some(sent) = sent_quota
            && known.quota != sent
        {
            return Err(BackendError::Server(format!(
                "Modoboa stored the quota of {address} as {} MB instead of {sent} MB",
                known.quota
            )));
        }
        self.remember(address, known);
        Ok(())
    }

    /// The server's password scheme, when mailops can hash the same way (read once).
    pub(super) async fn scheme(&self) -> Option<Scheme> {
        *self
            .scheme
            .get_or_init(|| async {
                let reply = self
                    .ok(Method::GET, "api/v2/parameters/global/core/", None)
                    .await
                    .ok()?;
                let v: Value = reply.json("the core parameters").ok()?;
                let rounds = u32::try_from(v["params"]["rounds_number"].as_u64()?).ok()?;
                match v["params"]["password_scheme"].as_str()? {
                    "sha512crypt" => Some(Scheme::Sha512(rounds)),
                    "sha256crypt" => Some(Scheme::Sha256(rounds)),
                    _ => None,
                }
            })
            .await
    }

    /// Re-enables the aliases delivering to an account (Modoboa leaves them disabled when the account is
    /// re-enabled).
    pub(super) async fn enable_aliases(&self, aliases: &BTreeSet<Address>) -> Result<(), BackendError> {
        for alias in aliases {
            let path = format!(
                "api/v2/aliases/?domain={}&search={}",
                alias.domain(),
                url::form_urlencoded::byte_serialize(alias.as_str().as_bytes()).collect::<String>()
            );
            let found: Vec<ApiAlias> = self.pages(&path).await?;
            for a in found {
                if a.address == alias.as_str() && !a.enabled {
                    // The recipients must be repeated: Modoboa 2.12 fails (HTTP 500) on a PATCH without them.
                    self.ok(
                        Method::PATCH,
                        &format!("api/v2/aliases/{}/", a.pk),
                        Some(&json!({ "enabled": true, "recipients": a.recipients })),
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn names(new_given: Option<&str>, family: Option<&str>, display: &str) -> (String, String) {
        match new_given {
            Some(given) => (given.to_string(), family.unwrap_or_default().to_string()),
            None => (String::new(), display.to_string()),
        }
    }

    /// A rejected write, read for the two answers mailops gives a meaning to: the address is taken, the
    /// domain is not on the server.
    pub(super) fn write_error(reply: &Reply, address: &Address, what: &str) -> BackendError {
        let detail = describe_body(&reply.body);
        if reply.status == StatusCode::BAD_REQUEST
            && (detail.contains("already exists") || detail.contains("already used"))
        {
            return BackendError::AlreadyExists(address.clone());
        }
        if reply.status == StatusCode::NOT_FOUND && detail.contains("Domain") {
            return BackendError::Rejected(format!(
                "the domain {} is not on the Modoboa server; add it in Modoboa first",
                address.domain()
            ));
        }
        reply.error(what)
    }
}
