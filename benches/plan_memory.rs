//! Peak memory and one-shot times of the plan at 1k, 10k and 100k mailboxes with a 1% churn, in a fresh
//! process per size (peak RSS, VmHWM, is per process). Run: `cargo bench --bench plan_memory`.

mod support;

use std::time::Instant;

use chrono::NaiveDate;
use mailops::backend::Capabilities;
use mailops::plan::{DiffInput, PlanSource, diff, render};

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    if let Some(n) =
        std::env::args().find_map(|a| a.strip_prefix("--size=").and_then(|v| v.parse::<usize>().ok()))
    {
        let (base, next) = support::churned(n);
        let (observed, inventory) = support::server(&base);
        let inputs_kib = vm_hwm_kib();
        let input = DiffInput {
            desired: Some(&next),
            previous: Some(&base),
            observed: &observed,
            inventory: &inventory,
            capabilities: Capabilities {
                rename: true,
                archive_on_delete: true,
                delegation: true,
                must_change_password: true,
                last_login: false,
            },
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            source: PlanSource::default(),
            keep_old_address_as_alias: true,
        };
        // A first run warms the allocator (fresh pages are costly on a virtual machine); the second is timed.
        let warm = Instant::now();
        drop(diff(&input));
        let first = warm.elapsed();
        let start = Instant::now();
        let plan = diff(&DiffInput {
            desired: Some(&next),
            previous: Some(&base),
            observed: &observed,
            inventory: &inventory,
            capabilities: Capabilities {
                rename: true,
                archive_on_delete: true,
                delegation: true,
                must_change_password: true,
                last_login: false,
            },
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            source: PlanSource::default(),
            keep_old_address_as_alias: true,
        });
        let diffed = start.elapsed();
        let text = render::text(&plan, false);
        let json = render::json(&plan);
        let total = start.elapsed();
        println!(
            "n={n:>6}  changes={:>5}  first diff={first:>8.1?}  diff={:>8.1?}  diff+render={:>8.1?}  text={}KiB json={}KiB  peak RSS: inputs {} MiB, total {} MiB",
            plan.changes.len(),
            diffed,
            total,
            text.len() / 1024,
            json.len() / 1024,
            inputs_kib / 1024,
            vm_hwm_kib() / 1024
        );
        return;
    }
    // Parent: one child process per size, so each peak is its own.
    let me = std::env::current_exe().unwrap();
    for n in [1_000, 10_000, 100_000] {
        let status = std::process::Command::new(&me)
            .arg(format!("--size={n}"))
            .status()
            .unwrap();
        assert!(status.success());
    }
}
