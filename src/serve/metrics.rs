//! Prometheus metrics (prometheus-client), all prefixed `mailops_`.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// A label set with one label.
macro_rules! labels {
    ($name:ident, $field:ident) => {
        #[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
        struct $name {
            $field: String,
        }
    };
}

labels!(ResultLabel, result);
labels!(ActionLabel, action);
labels!(KindLabel, kind);
labels!(RevisionLabel, revision);

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HookLabel {
    provider: String,
    result: String,
}

/// The metrics of the reconcile loop and the endpoint.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ResultLabel, Counter>,
    changes_applied: Family<ActionLabel, Counter>,
    errors: Family<KindLabel, Counter>,
    drift_found: Counter,
    drift_accounts: Gauge,
    revision: Family<RevisionLabel, Gauge>,
    applied_time: Gauge<f64, AtomicU64>,
    reconcile_time: Gauge<f64, AtomicU64>,
    pending_removals: Gauge,
    webhooks: Family<HookLabel, Counter>,
    in_flight: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("mailops");
        let m = Self {
            reconciles: Family::default(),
            changes_applied: Family::default(),
            errors: Family::default(),
            drift_found: Counter::default(),
            drift_accounts: Gauge::default(),
            revision: Family::default(),
            applied_time: Gauge::default(),
            reconcile_time: Gauge::default(),
            pending_removals: Gauge::default(),
            webhooks: Family::default(),
            in_flight: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "reconciles",
            "Reconciles by result (success, failure)",
            m.reconciles.clone(),
        );
        registry.register(
            "changes_applied",
            "Changes applied on the mail server, by action",
            m.changes_applied.clone(),
        );
        registry.register(
            "errors",
            "Errors by kind (fetch, history-rewritten, verify, empty, invalid, observe, apply, state, config)",
            m.errors.clone(),
        );
        registry.register(
            "drift_found",
            "Accounts found changed by hand on the server",
            m.drift_found.clone(),
        );
        registry.register(
            "drift_accounts",
            "Accounts that differ from how mailops left them, at the last reconcile",
            m.drift_accounts.clone(),
        );
        registry.register(
            "last_applied_revision",
            "The revision in force (value 1, the commit as a label)",
            m.revision.clone(),
        );
        registry.register(
            "last_applied_timestamp_seconds",
            "When the revision in force was applied (Unix time)",
            m.applied_time.clone(),
        );
        registry.register(
            "last_reconcile_timestamp_seconds",
            "When the last reconcile ended (Unix time)",
            m.reconcile_time.clone(),
        );
        registry.register(
            "pending_removals",
            "Accounts suspended and waiting for their grace period before deletion",
            m.pending_removals.clone(),
        );
        registry.register(
            "webhooks",
            "Webhook requests by provider and result (triggered, ignored, unauthorized)",
            m.webhooks.clone(),
        );
        registry.register(
            "reconciles_in_flight",
            "Reconciles running now (the operator: namespaces, at most --concurrency)",
            m.in_flight.clone(),
        );
        Self { registry, ..m }
    }

    /// The OpenMetrics text.
    ///
    /// # Errors
    /// Formatting failed.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// A reconcile ended.
    pub fn reconciled(&self, success: bool, at: chrono::DateTime<chrono::Utc>) {
        let result = if success { "success" } else { "failure" };
        self.reconciles
            .get_or_create(&ResultLabel {
                result: result.into(),
            })
            .inc();
        self.reconcile_time.set(unix(at));
    }

    /// Changes were applied.
    pub fn applied(&self, action: &str, count: u64) {
        self.changes_applied
            .get_or_create(&ActionLabel {
                action: action.into(),
            })
            .inc_by(count);
    }

    /// An error.
    pub fn error(&self, kind: &str) {
        self.errors.get_or_create(&KindLabel { kind: kind.into() }).inc();
    }

    /// Drift: `new` accounts newly found, `current` differing now.
    pub fn drift(&self, new: u64, current: usize) {
        self.drift_found.inc_by(new);
        self.drift_accounts
            .set(i64::try_from(current).unwrap_or(i64::MAX));
    }

    /// The revision in force.
    pub fn revision_applied(&self, revision: &str, at: chrono::DateTime<chrono::Utc>) {
        self.revision.clear();
        self.revision
            .get_or_create(&RevisionLabel {
                revision: revision.into(),
            })
            .set(1);
        self.applied_time.set(unix(at));
    }

    /// Removals waiting.
    pub fn pending_removals(&self, count: usize) {
        self.pending_removals
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// A reconcile started (`+1`) or ended (`-1`).
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.inc_by(delta);
    }

    /// A webhook request.
    pub fn webhook(&self, provider: &str, result: &str) {
        self.webhooks
            .get_or_create(&HookLabel {
                provider: provider.into(),
                result: result.into(),
            })
            .inc();
    }
}

#[allow(clippy::cast_precision_loss)]
fn unix(at: chrono::DateTime<chrono::Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_counters_with_labels_and_the_revision_in_force() {
        let m = Metrics::new();
        m.applied("create", 3);
        m.error("fetch");
        m.revision_applied("aaa", chrono::Utc::now());
        m.revision_applied("bbb", chrono::Utc::now());
        let text = m.encode().unwrap();
        assert!(
            text.contains("mailops_changes_applied_total{action=\"create\"} 3"),
            "{text}"
        );
        assert!(text.contains("mailops_errors_total{kind=\"fetch\"} 1"), "{text}");
        assert!(
            text.contains("mailops_last_applied_revision{revision=\"bbb\"} 1"),
            "{text}"
        );
        assert!(
            !text.contains("revision=\"aaa\""),
            "only the revision in force: {text}"
        );
    }
}
