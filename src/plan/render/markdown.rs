//! The plan as a pull-request comment (GitHub / GitLab flavoured Markdown).

use super::{access_line, describe as short, finding_line};
use crate::plan::{Action, Change, Plan};

/// Units with more changes than this are folded in `<details>`.
const FOLD_AFTER: usize = 10;

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// Text from a manifest or a server, in a sentence or a table cell.
fn cell(s: &str) -> String {
    crate::markdown::text(s)
}

/// mailops's own Markdown (a change's description, whose values are already in code spans), in a table
/// cell: only what would end the cell or the row.
fn own(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

const MARKS: super::Marks = super::Marks { code, text: cell };

/// Renders the plan as Markdown: a summary table, **Access changes** before anything else, then the
/// changes grouped by unit (long groups folded), policy changes, and findings.
#[must_use]
pub fn markdown(plan: &Plan) -> String {
    let s = &plan.summary;
    let mut out = format!("### {}\n\n", crate::t!("md-title"));
    let rev = match (&plan.source.base_revision, &plan.source.revision) {
        (Some(b), Some(h)) => format!(" · `{}` → `{}`", &b[..b.len().min(12)], &h[..h.len().min(12)]),
        (None, Some(h)) => format!(" · `{}`", &h[..h.len().min(12)]),
        _ => String::new(),
    };
    let date = crate::i18n::current().date(plan.as_of);
    let as_of = crate::t!("plan-as-of", date = date);
    out.push_str(&format!("`{}`{rev} · {as_of}\n\n", plan.source.path));
    if !plan.has_changes() {
        out.push_str(&if plan.source.base_revision.is_some() {
            crate::t!("md-no-changes-review")
        } else {
            crate::t!("md-no-changes")
        });
        out.push('\n');
        findings(&mut out, plan);
        return out;
    }
    out.push_str(&crate::t!("md-summary-header"));
    out.push('\n');
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|\n");
    out.push_str(&format!(
        "| {} | {} | {} | {} | {} | {} | {} |\n\n",
        s.create, s.rename, s.update, s.access, s.suspend, s.delete, s.blocked
    ));
    if s.blocked > 0 {
        out.push_str(&format!(
            "> [!WARNING]\n> {}\n\n",
            crate::t!("md-blocked-warning", count = s.blocked)
        ));
    }
    let access: Vec<String> = plan
        .changes
        .iter()
        .filter_map(|c| access_line(c, MARKS))
        .collect();
    out.push_str(&format!("#### {}\n\n", crate::t!("plan-access-changes")));
    if access.is_empty() {
        out.push_str(&format!("{}\n\n", crate::t!("plan-nobody-gains-access")));
    } else {
        for line in &access {
            out.push_str(&format!("- {line}\n"));
        }
        out.push('\n');
    }
    let mut groups: Vec<(Option<&str>, Option<&str>, Vec<&Change>)> = Vec::new();
    for c in &plan.changes {
        match groups.last_mut() {
            Some((u, _, list)) if *u == c.target.unit.as_deref() => list.push(c),
            _ => groups.push((c.target.unit.as_deref(), c.target.unit_name.as_deref(), vec![c])),
        }
    }
    let others = crate::t!("plan-other-accounts");
    for (_, unit_name, list) in groups {
        let title = unit_name.unwrap_or(&others);
        let fold = list.len() > FOLD_AFTER;
        if fold {
            out.push_str(&format!(
                "<details><summary><b>{}</b>: {}</summary>\n\n",
                crate::markdown::html(title),
                crate::t!("md-unit-changes", count = list.len())
            ));
        } else {
            out.push_str(&format!("#### {}\n\n", cell(title)));
        }
        out.push_str(&crate::t!("md-changes-header"));
        out.push_str("\n|---|---|---|---|\n");
        for c in list {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.action.kind().symbol(),
                code(&c.target.address.to_string()),
                cell(&format!("{} ({})", c.target.display_name, c.target.label())),
                own(&describe(c))
            ));
        }
        out.push_str(if fold { "\n</details>\n\n" } else { "\n" });
    }
    if !plan.policy_changes.is_empty() {
        out.push_str(&format!(
            "#### {}\n\n{}\n|---|---|---|\n",
            crate::t!("plan-policy-changes"),
            crate::t!("md-policy-header")
        ));
        for f in &plan.policy_changes {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                code(&f.field),
                cell(f.before.as_deref().unwrap_or("—")),
                cell(f.after.as_deref().unwrap_or("—"))
            ));
        }
        out.push('\n');
    }
    findings(&mut out, plan);
    out.push_str(&format!("**{}**\n", s.line()));
    out
}

fn findings(out: &mut String, plan: &Plan) {
    if plan.findings.is_empty() {
        return;
    }
    let fold = plan.findings.len() > FOLD_AFTER;
    if fold {
        out.push_str(&format!(
            "<details><summary><b>{}</b>: {}</summary>\n\n",
            crate::t!("md-findings"),
            plan.findings.len()
        ));
    } else {
        out.push_str(&format!("#### {}\n\n", crate::t!("md-findings")));
    }
    for f in &plan.findings {
        out.push_str(&format!("- {}\n", finding_line(f, MARKS)));
    }
    out.push_str(if fold { "\n</details>\n\n" } else { "\n" });
}

fn describe(c: &Change) -> String {
    match &c.action {
        Action::Update { fields, .. } => fields
            .iter()
            .map(|f| {
                let drift = if f.drift {
                    format!(" *({})*", crate::t!("plan-changed-by-hand"))
                } else {
                    String::new()
                };
                format!(
                    "{}: {} → {}{drift}",
                    f.field,
                    f.before.as_deref().map_or_else(|| "—".to_string(), code),
                    f.after.as_deref().map_or_else(|| "—".to_string(), code)
                )
            })
            .collect::<Vec<_>>()
            .join("<br>"),
        Action::Blocked { intended, reason } => {
            crate::t!(
                "md-blocked",
                verb = intended.kind().verb_tr(),
                reason = reason.describe()
            )
        }
        a => short(a),
    }
}
