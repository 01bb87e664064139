//! Criterion benchmark: diff and render (text and JSON) for synthetic agencies of 1k, 10k and 100k
//! mailboxes with a 1% churn, in the two ways a plan is made: `reconcile` (desired state against the
//! server and the inventory) and `review` (against the previous revision synthesized as the server, with
//! what the diff needs of it besides, as `plan --base` does). Run: `cargo bench --bench plan`. Peak memory: `cargo bench --bench plan_memory`.

mod support;

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mailops::backend::Capabilities;
use mailops::plan::{BaseRevision, DiffInput, PlanSource, Previous, diff, render};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    for (mode, n) in [1_000usize, 10_000, 100_000]
        .into_iter()
        .flat_map(|n| [("reconcile", n), ("review", n)])
    {
        let (base, next) = support::churned(n);
        // A review keeps of its base what the synthesized server does not hold (as `plan --base` does).
        let (kept, observed, inventory) = if mode == "review" {
            let (kept, observed, inventory) = BaseRevision::synthesize(base);
            (Some(kept), observed, inventory)
        } else {
            let (observed, inventory) = support::server(&base);
            (None, observed, inventory)
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let previous = kept.as_ref().map(Previous::Base);
        group.bench_with_input(BenchmarkId::new(mode, n), &n, |b, _| {
            b.iter(|| {
                let plan = diff(&DiffInput {
                    desired: Some(&next),
                    previous,
                    observed: &observed,
                    inventory: &inventory,
                    capabilities: Capabilities::ALL,
                    today,
                    source: PlanSource::default(),
                    keep_old_address_as_alias: true,
                });
                let text = render::text(&plan, false);
                let json = render::json(&plan);
                black_box((plan.changes.len(), text.len(), json.len()))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
