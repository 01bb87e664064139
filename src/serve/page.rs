//! The status page at `/`, for a person: what is in force, what the last plan did, drift, pending removals
//! and the last error (with its file and line), per namespace in the operator. Plain server-rendered HTML:
//! no script, no external resource, nothing secret (the [`Status`] holds none); it refreshes itself with a
//! `<meta http-equiv="refresh">`. Vietnamese or English: `?lang=vi|en`, else the browser's
//! `Accept-Language`, else the process's language. Every value from outside (addresses, messages, which may
//! come from a manifest) is escaped.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use fluent_bundle::FluentValue;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::{DriftStatus, Endpoint, ErrorStatus, NamespaceStatus, PendingRemoval, PlanStatus, Status};
use crate::i18n::{Lang, tr_in};

/// Seconds between two refreshes of the page.
pub const REFRESH_SECONDS: u32 = 10;

const STYLE: &str = r"
:root { --ink: #1d2733; --muted: #5b6776; --line: #d8dee6; --band: #f3f6f9; --ok: #17663a; --bad: #9b1c1c; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 'Noto Sans', 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 28px 24px 40px; }
header { border-bottom: 3px double var(--ink); padding-bottom: 12px; margin-bottom: 8px; }
h1 { margin: 0 0 6px; font-size: 23px; }
h2 { font-size: 17px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
nav { float: right; font-size: 13px; }
nav a, nav b { margin-left: 10px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: 'DejaVu Sans Mono', 'Noto Sans Mono', Consolas, monospace; font-size: 13.5px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
  border-bottom: 2px solid var(--ink); padding: 6px 8px; }
td { padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.warn { color: var(--warn); font-weight: 600; }
.none { color: var(--muted); margin: 0; }
.error { border-left: 4px solid var(--bad); background: #fdf4f4; padding: 10px 14px; }
.error ul { margin: 8px 0 0; padding-left: 20px; }
section.namespace { border-left: 4px solid var(--band); padding-left: 14px; }
footer { margin-top: 28px; color: var(--muted); font-size: 12.5px; }
";

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PageQuery {
    lang: Option<String>,
}

/// `GET /`.
pub(super) async fn page(
    State(e): State<Endpoint>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let lang = choose(q.lang.as_deref(), crate::i18n::chosen(), accept);
    let html = render(&e.telemetry.status(), lang, Utc::now());
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            // Nothing but the page itself: no script can run even if a value escaped the escaping.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        html,
    )
        .into_response()
}

/// The language of a request: `?lang=`, else the one `--lang` set (the agency chose it for its readers),
/// else the first of Vietnamese and English the browser prefers, else the process's (from the locale).
#[must_use]
pub fn choose(query: Option<&str>, configured: Option<Lang>, accept_language: Option<&str>) -> Lang {
    let by_tag = |t: &str| match t.to_ascii_lowercase().split(['-', '_']).next() {
        Some("vi") => Some(Lang::Vi),
        Some("en") => Some(Lang::En),
        _ => None,
    };
    if let Some(l) = query.and_then(by_tag).or(configured) {
        return l;
    }
    // The browser's languages, most wanted first.
    accept_language
        .map(accept_language::parse)
        .and_then(|tags| tags.iter().find_map(|t| by_tag(t)))
        .unwrap_or_else(crate::i18n::current)
}

/// The message `id` in `lang`.
fn t(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    tr_in(lang, id, args)
}

/// A moment, the local way, in UTC.
fn time(lang: Lang, at: DateTime<Utc>) -> String {
    match lang {
        Lang::Vi => at.format("%H:%M:%S UTC, %d/%m/%Y").to_string(),
        Lang::En => at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// The page.
#[must_use]
pub fn render(status: &Status, lang: Lang, now: DateTime<Utc>) -> String {
    let title = t(lang, "status-title", &[]);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"refresh\" content=\"{REFRESH_SECONDS}\">\n<meta name=\"generator\" content=\"mailops\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<header>\n",
        tag = lang.tag(),
        title = text(&title),
    );
    out.push_str(&languages(lang));
    out.push_str(&format!("<h1>{}</h1>\n<dl>\n", text(&title)));
    let mut row = |label: &str, value: String| {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{value}</dd>\n",
            text(&t(lang, label, &[]))
        ));
    };
    row("status-source", format!("<code>{}</code>", text(&status.source)));
    if let Some(r) = &status.reference {
        row("status-reference", format!("<code>{}</code>", text(r)));
    }
    row("status-server", format!("<code>{}</code>", text(&status.server)));
    let mode = match status.drift_mode.as_str() {
        "report" => t(lang, "status-drift-mode-report", &[]),
        _ => t(lang, "status-drift-mode-heal", &[]),
    };
    row("status-drift-mode", text(&mode).into_owned());
    out.push_str("</dl>\n</header>\n");

    if status.source != "kubernetes" {
        let b = Block {
            revision: status.revision.as_deref(),
            applied_at: status.applied_at,
            fetched: status.fetched_revision.as_deref(),
            last_reconcile_at: status.last_reconcile_at,
            last_result: status.last_result.as_deref(),
            next_reconcile_at: status.next_reconcile_at,
            failures: status.consecutive_failures,
            last_plan: status.last_plan.as_ref(),
            drift: Some(&status.drift),
            pending: &status.pending_removals,
            error: status.last_error.as_ref(),
        };
        out.push_str(&b.render(lang, "h2"));
    } else {
        // The operator: what the process knows of the whole, then each namespace.
        let mut overall = format!(
            "<h2>{}</h2>\n<dl>\n",
            text(&t(lang, "status-operator-heading", &[]))
        );
        reconcile_rows(
            &mut overall,
            lang,
            status.last_reconcile_at,
            status.last_result.as_deref(),
            None,
            0,
        );
        overall.push_str("</dl>\n");
        out.push_str(&overall);
        if status.namespaces.is_empty() {
            out.push_str(&none(&t(lang, "status-namespaces-none", &[])));
        }
        for (name, ns) in &status.namespaces {
            let heading = t(
                lang,
                "status-namespace-heading",
                &[("namespace", name.as_str().into())],
            );
            out.push_str(&format!(
                "<section class=\"namespace\" id=\"ns-{}\">\n<h2>{}</h2>\n",
                attr(name),
                text(&heading)
            ));
            out.push_str(&Block::of_namespace(ns).render(lang, "h3"));
            out.push_str("</section>\n");
        }
    }

    let refresh = t(lang, "status-refresh", &[("seconds", REFRESH_SECONDS.into())]);
    let generated = t(lang, "status-generated", &[("time", time(lang, now).into())]);
    out.push_str(&format!(
        "<footer>{} <a href=\"/status\"><code>/status</code></a> (JSON) · {}</footer>\n</main>\n</body>\n</html>\n",
        text(&refresh),
        text(&generated)
    ));
    out
}

/// Links to the page in the other language (plain links: no script).
fn languages(lang: Lang) -> String {
    let mut nav = format!("<nav aria-label=\"{}\">", attr(&t(lang, "status-language", &[])));
    for (l, name) in [(Lang::Vi, "Tiếng Việt"), (Lang::En, "English")] {
        if l == lang {
            nav.push_str(&format!("<b>{name}</b>"));
        } else {
            nav.push_str(&format!(
                "<a href=\"?lang={}\" hreflang=\"{0}\">{name}</a>",
                l.tag()
            ));
        }
    }
    nav.push_str("</nav>\n");
    nav
}

fn none(message: &str) -> String {
    format!("<p class=\"none\">{}</p>\n", text(message))
}

/// The last reconcile and its result, the next one, failures in a row: rows of a `<dl>`.
fn reconcile_rows(
    out: &mut String,
    lang: Lang,
    at: Option<DateTime<Utc>>,
    result: Option<&str>,
    next: Option<DateTime<Utc>>,
    failures: u32,
) {
    let never = t(lang, "status-none-yet", &[]);
    let result = match result {
        Some("success") => format!(
            " — <span class=\"ok\">{}</span>",
            text(&t(lang, "status-result-success", &[]))
        ),
        Some(_) => format!(
            " — <span class=\"bad\">{}</span>",
            text(&t(lang, "status-result-failure", &[]))
        ),
        None => String::new(),
    };
    let last = at.map_or_else(|| never.clone(), |a| time(lang, a));
    out.push_str(&format!(
        "<dt>{}</dt><dd>{}{result}</dd>\n",
        text(&t(lang, "status-last-reconcile", &[])),
        text(&last)
    ));
    if let Some(n) = next {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            text(&t(lang, "status-next-reconcile", &[])),
            text(&time(lang, n))
        ));
    }
    if failures > 0 {
        out.push_str(&format!(
            "<dt>{}</dt><dd class=\"bad\">{failures}</dd>\n",
            text(&t(lang, "status-failures", &[]))
        ));
    }
}

/// What is shown of one target: `watch`'s repository, or one namespace of the operator.
struct Block<'a> {
    revision: Option<&'a str>,
    applied_at: Option<DateTime<Utc>>,
    fetched: Option<&'a str>,
    last_reconcile_at: Option<DateTime<Utc>>,
    last_result: Option<&'a str>,
    next_reconcile_at: Option<DateTime<Utc>>,
    failures: u32,
    last_plan: Option<&'a PlanStatus>,
    /// `None` where drift is not followed (the operator heals every reconcile).
    drift: Option<&'a [DriftStatus]>,
    pending: &'a [PendingRemoval],
    error: Option<&'a ErrorStatus>,
}

impl<'a> Block<'a> {
    fn of_namespace(ns: &'a NamespaceStatus) -> Self {
        Self {
            revision: ns.revision.as_deref(),
            applied_at: ns.applied_at,
            fetched: None,
            last_reconcile_at: ns.last_reconcile_at,
            last_result: ns.last_result.as_deref(),
            next_reconcile_at: None,
            failures: 0,
            last_plan: ns.last_plan.as_ref(),
            drift: None,
            pending: &ns.pending_removals,
            error: ns.last_error.as_ref(),
        }
    }

    fn render(&self, lang: Lang, h: &str) -> String {
        let heading =
            |id: &str, anchor: &str| format!("<{h} id=\"{anchor}\">{}</{h}>\n", text(&t(lang, id, &[])));
        let mut out = heading("status-revision-heading", "revision");
        out.push_str("<dl>\n");
        let never = t(lang, "status-none-yet", &[]);
        let code = |s: &str| format!("<code>{}</code>", text(s));
        let revision = self.revision.map_or_else(|| text(&never).into_owned(), code);
        out.push_str(&format!(
            "<dt>{}</dt><dd>{revision}</dd>\n",
            text(&t(lang, "status-revision", &[]))
        ));
        let applied = self.applied_at.map_or_else(|| never.clone(), |a| time(lang, a));
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            text(&t(lang, "status-applied-at", &[])),
            text(&applied)
        ));
        if let Some(f) = self.fetched.filter(|f| Some(*f) != self.revision) {
            out.push_str(&format!(
                "<dt>{}</dt><dd>{} — <span class=\"warn\">{}</span></dd>\n",
                text(&t(lang, "status-fetched", &[])),
                code(f),
                text(&t(lang, "status-fetched-not-applied", &[]))
            ));
        }
        reconcile_rows(
            &mut out,
            lang,
            self.last_reconcile_at,
            self.last_result,
            self.next_reconcile_at,
            self.failures,
        );
        out.push_str("</dl>\n");

        out.push_str(&heading("status-plan-heading", "plan"));
        match self.last_plan {
            None => out.push_str(&none(&t(lang, "status-plan-none", &[]))),
            Some(p) => {
                let when = match &p.revision {
                    Some(r) => t(
                        lang,
                        "status-plan-when",
                        &[("revision", r.as_str().into()), ("time", time(lang, p.at).into())],
                    ),
                    None => t(lang, "status-plan-at", &[("time", time(lang, p.at).into())]),
                };
                let outcome = t(
                    lang,
                    "status-plan-outcome",
                    &[
                        ("applied", p.applied.into()),
                        ("blocked", p.blocked.into()),
                        ("failed", p.failed.into()),
                        ("held", p.held_back.into()),
                    ],
                );
                out.push_str(&format!(
                    "<p>{}<br><b>{}</b><br>{}</p>\n",
                    text(&when),
                    text(&p.summary.line_in(lang)),
                    text(&outcome)
                ));
            }
        }

        if let Some(drift) = self.drift {
            out.push_str(&heading("status-drift-heading", "drift"));
            if drift.is_empty() {
                out.push_str(&none(&t(lang, "status-drift-none", &[])));
            } else {
                out.push_str(&table_head(
                    lang,
                    &["status-col-mailbox", "status-col-differs", "status-col-handling"],
                ));
                for d in drift {
                    let fields: Vec<String> = d
                        .fields
                        .iter()
                        .map(|f| match f.as_str() {
                            "missing" => text(&t(lang, "status-drift-missing", &[])).into_owned(),
                            f => code(f),
                        })
                        .collect();
                    let handling = match d.handling.as_str() {
                        "healed" => t(lang, "status-drift-healed", &[]),
                        _ => t(lang, "status-drift-reported", &[]),
                    };
                    out.push_str(&format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        code(&d.address),
                        fields.join(", "),
                        text(&handling)
                    ));
                }
                out.push_str("</tbody></table>\n");
            }
        }

        out.push_str(&heading("status-removals-heading", "removals"));
        if self.pending.is_empty() {
            out.push_str(&none(&t(lang, "status-removals-none", &[])));
        } else {
            out.push_str(&format!(
                "<p>{}</p>\n",
                text(&t(lang, "status-removals-note", &[]))
            ));
            out.push_str(&table_head(
                lang,
                &["status-col-mailbox", "status-col-delete-after"],
            ));
            for r in self.pending {
                out.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td></tr>\n",
                    code(&r.address),
                    text(&lang.date(r.delete_after))
                ));
            }
            out.push_str("</tbody></table>\n");
        }

        out.push_str(&heading("status-error-heading", "error"));
        match self.error {
            None => out.push_str(&none(&t(lang, "status-error-none", &[]))),
            Some(e) => out.push_str(&error(lang, e)),
        }
        out
    }
}

fn table_head(lang: Lang, columns: &[&str]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for c in columns {
        out.push_str(&format!("<th>{}</th>", text(&t(lang, c, &[]))));
    }
    out.push_str("</tr></thead><tbody>\n");
    out
}

fn error(lang: Lang, e: &ErrorStatus) -> String {
    let kind = match e.kind.as_str() {
        "fetch" => t(lang, "status-kind-fetch", &[]),
        "history-rewritten" => t(lang, "status-kind-history-rewritten", &[]),
        "verify" => t(lang, "status-kind-verify", &[]),
        "empty" => t(lang, "status-kind-empty", &[]),
        "invalid" => t(lang, "status-kind-invalid", &[]),
        "observe" => t(lang, "status-kind-observe", &[]),
        "apply" => t(lang, "status-kind-apply", &[]),
        "state" | "journal" | "audit" => t(lang, "status-kind-state", &[]),
        "config" => t(lang, "status-kind-config", &[]),
        "kubernetes" => t(lang, "status-kind-kubernetes", &[]),
        "server" | "rejected" => t(lang, "status-kind-server", &[]),
        other => t(lang, "status-kind-other", &[("kind", other.into())]),
    };
    let revision = e
        .revision
        .clone()
        .unwrap_or_else(|| t(lang, "status-none-yet", &[]));
    let when = t(
        lang,
        "status-error-when",
        &[("time", time(lang, e.at).into()), ("revision", revision.into())],
    );
    let mut out = format!(
        "<div class=\"error\"><b class=\"bad\">{}</b> <span>({})</span>\n",
        text(&kind),
        text(&when)
    );
    if !e.diagnostics.is_empty() {
        out.push_str("<ul>\n");
        for d in &e.diagnostics {
            out.push_str(&format!("<li><code>{}</code></li>\n", text(&d.one_line_in(lang))));
        }
        // Beyond the diagnostics kept: how many more (in the JSON's words).
        for more in e.details.iter().skip(e.diagnostics.len()) {
            out.push_str(&format!("<li>{}</li>\n", text(more)));
        }
        out.push_str("</ul>");
    } else if e.details.is_empty() {
        out.push_str(&format!("<p><code>{}</code></p>", text(&e.message)));
    } else {
        out.push_str("<ul>\n");
        for d in &e.details {
            out.push_str(&format!("<li><code>{}</code></li>\n", text(d)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n");
    out
}

#[cfg(test)]
mod tests;
