//! Peak memory and one-shot times of the plan at 1k, 10k and 100k mailboxes with a 1% churn, in a fresh
//! process per size and mode (peak RSS, VmHWM, is per process). `reconcile` holds the desired state, the
//! observation and the inventory; `review` also what it keeps of the previous revision (its organization, agency
//! addresses and units: `BaseRevision`).
//! Run: `cargo bench --bench plan_memory`.

mod support;

use std::time::Instant;

use chrono::NaiveDate;
use mailops::backend::Capabilities;
use mailops::plan::{BaseRevision, DiffInput, PlanSource, Previous, diff, render};

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn measure(n: usize, review: bool) {
    // The server as the base agency left it; the base state itself is dropped before anything else is
    // built, so that its memory is reused.
    let (base, observed, inventory) = if review {
        let (kept, observed, inventory) = BaseRevision::synthesize(support::agency(n));
        (Some(kept), observed, inventory)
    } else {
        let (observed, inventory) = support::server(&support::agency(n));
        (None, observed, inventory)
    };
    let next = support::changed(n);
    // Forget the peak of building the inputs (Linux: writing 5 to clear_refs resets VmHWM to the current
    // RSS), so that the peak below is that of holding the inputs and planning.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let inputs_kib = vm_hwm_kib();
    let input = DiffInput {
        desired: Some(&next),
        previous: base.as_ref().map(Previous::Base),
        observed: &observed,
        inventory: &inventory,
        capabilities: Capabilities::ALL,
        today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        source: PlanSource::default(),
        keep_old_address_as_alias: true,
    };
    let mut best = std::time::Duration::MAX;
    let mut sizes = (0, 0, 0);
    for _ in 0..5 {
        let start = Instant::now();
        let plan = diff(&input);
        let text = render::text(&plan, false);
        let json = render::json(&plan);
        best = best.min(start.elapsed());
        sizes = (plan.changes.len(), text.len(), json.len());
    }
    println!(
        "{:<9} n={n:>6}  changes={:>5}  diff+render (best of 5)={best:>8.1?}  text={}KiB json={}KiB  peak RSS: inputs {} MiB, total {} MiB",
        if review { "review" } else { "reconcile" },
        sizes.0,
        sizes.1 / 1024,
        sizes.2 / 1024,
        inputs_kib / 1024,
        vm_hwm_kib() / 1024
    );
}

fn main() {
    let size = std::env::args().find_map(|a| a.strip_prefix("--size=").and_then(|v| v.parse::<usize>().ok()));
    if let Some(n) = size {
        measure(n, std::env::args().any(|a| a == "--review"));
        return;
    }
    // Parent: one child process per size and mode, so each peak is its own.
    let me = std::env::current_exe().unwrap();
    for n in [1_000, 10_000, 100_000] {
        for mode in ["--reconcile", "--review"] {
            let status = std::process::Command::new(&me)
                .arg(format!("--size={n}"))
                .arg(mode)
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
}
