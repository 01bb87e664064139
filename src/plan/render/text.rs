//! The plan for a terminal.

use similar::{ChangeTag, TextDiff};

use super::{access_line, describe, finding_line};
use crate::plan::{Action, ActionKind, Change, FieldChange, Plan};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn kind(&self, k: ActionKind, s: &str) -> String {
        let code = match k {
            ActionKind::Create | ActionKind::Resume | ActionKind::Grant => "32",
            ActionKind::Rename | ActionKind::Update | ActionKind::Adopt | ActionKind::Handover => "33",
            ActionKind::Suspend => "35",
            ActionKind::Delete | ActionKind::Revoke => "31",
            ActionKind::Blocked => "1;31",
        };
        self.wrap(code, s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

fn plain(s: &str) -> String {
    s.to_string()
}

const PLAIN: super::Marks = super::Marks {
    code: plain,
    text: plain,
};

/// Renders the plan for a terminal; `color` adds ANSI colours (the caller decides, honouring NO_COLOR).
#[must_use]
pub fn text(plan: &Plan, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let revisions = match (&plan.source.base_revision, &plan.source.revision) {
        (Some(b), Some(h)) => format!(" ({} → {})", short(b), short(h)),
        (None, Some(h)) => crate::t!("plan-at-revision", revision = short(h)),
        _ => String::new(),
    };
    let date = crate::i18n::current().date(plan.as_of);
    let head = crate::t!(
        "plan-title",
        path = plan.source.path.as_str(),
        revisions = revisions,
        date = date
    );
    out.push_str(&p.bold(&head));
    out.push_str("\n\n");
    let access: Vec<String> = plan
        .changes
        .iter()
        .filter_map(|c| access_line(c, PLAIN))
        .collect();
    if !access.is_empty() {
        out.push_str(&p.bold(&format!("{}:", crate::t!("plan-access-changes"))));
        out.push('\n');
        for (c, line) in plan
            .changes
            .iter()
            .filter(|c| access_line(c, PLAIN).is_some())
            .zip(&access)
        {
            let k = c.action.kind();
            out.push_str(&format!("  {} {line}\n", p.kind(k, k.symbol())));
        }
        out.push('\n');
    }
    let mut unit: Option<Option<&str>> = None;
    for c in &plan.changes {
        if unit != Some(c.target.unit.as_deref()) {
            unit = Some(c.target.unit.as_deref());
            let title = c
                .target
                .unit_name
                .clone()
                .unwrap_or_else(|| crate::t!("plan-other-accounts"));
            out.push_str(&p.bold(&format!("{title}:")));
            out.push('\n');
        }
        change(&mut out, c, &p);
    }
    if !plan.policy_changes.is_empty() {
        out.push('\n');
        out.push_str(&p.bold(&format!("{}:", crate::t!("plan-policy-changes"))));
        out.push('\n');
        for f in &plan.policy_changes {
            out.push_str(&format!(
                "  {} {}\n",
                p.kind(ActionKind::Update, "~"),
                field(f, &p)
            ));
        }
    }
    if !plan.findings.is_empty() {
        out.push('\n');
        out.push_str(&p.bold(&crate::t!("plan-findings")));
        out.push('\n');
        for f in &plan.findings {
            out.push_str(&format!("  ? {}\n", finding_line(f, PLAIN)));
        }
    }
    if !plan.changes.is_empty() || !plan.policy_changes.is_empty() || !plan.findings.is_empty() {
        out.push('\n');
    }
    if plan.has_changes() {
        out.push_str(&p.bold(&plan.summary.line()));
    } else {
        out.push_str(&if plan.source.base_revision.is_some() {
            crate::t!("plan-no-changes-review")
        } else {
            crate::t!("plan-no-changes")
        });
    }
    out.push('\n');
    out
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(12)]
}

fn change(out: &mut String, c: &Change, p: &Paint) {
    let k = c.action.kind();
    out.push_str(&format!(
        "  {} {} {} {}\n",
        p.kind(k, &format!("{:<2}", k.symbol())),
        c.target.address,
        p.dim(&format!("[{}]", c.target.label())),
        describe(&c.action)
    ));
    if let Action::Update { fields, .. } = &c.action {
        for f in fields {
            out.push_str(&format!("       {}\n", field(f, p)));
        }
    }
}

/// `quota: 2GiB → 5GiB`, with the changed words highlighted when colour is on.
fn field(f: &FieldChange, p: &Paint) -> String {
    let none = format!("({})", crate::t!("plan-field-none"));
    let before = f.before.as_deref().unwrap_or(&none);
    let after = f.after.as_deref().unwrap_or(&none);
    let drift = if f.drift {
        format!(" ({})", crate::t!("plan-changed-by-hand"))
    } else {
        String::new()
    };
    if !p.on {
        return format!("{}: {before} → {after}{drift}", f.field);
    }
    let diff = TextDiff::from_words(before, after);
    let (mut old, mut new) = (String::new(), String::new());
    for ch in diff.iter_all_changes() {
        match ch.tag() {
            ChangeTag::Equal => {
                old.push_str(ch.value());
                new.push_str(ch.value());
            }
            ChangeTag::Delete => old.push_str(&p.wrap("1;31", ch.value())),
            ChangeTag::Insert => new.push_str(&p.wrap("1;32", ch.value())),
        }
    }
    format!("{}: {old} → {new}{drift}", f.field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_diffs_highlight_the_changed_words_only_with_colour() {
        let f = FieldChange {
            field: "fullName".into(),
            before: Some("Võ Thùy Nhung".into()),
            after: Some("Võ Thị Thùy Nhung".into()),
            drift: false,
        };
        assert_eq!(
            field(&f, &Paint { on: false }),
            "fullName: Võ Thùy Nhung → Võ Thị Thùy Nhung"
        );
        let coloured = field(&f, &Paint { on: true });
        assert!(coloured.contains("\x1b[1;32mThị\x1b[0m"), "{coloured:?}");
        assert!(
            coloured.starts_with("fullName: Võ Thùy Nhung → Võ "),
            "{coloured:?}"
        );
    }
}
