//! The directory as a standalone, printable HTML page (no scripts, no external resources).

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::Directory;

const STYLE: &str = r#"
:root { --ink: #1d2733; --muted: #5b6776; --line: #d8dee6; --band: #f3f6f9; --accent: #9b1c1c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 32px 28px 48px; }
header { border-bottom: 3px double var(--accent); padding-bottom: 14px; margin-bottom: 20px; }
.agency { margin: 0; font-size: 13px; letter-spacing: .08em; text-transform: uppercase; color: var(--accent); font-weight: 600; }
h1 { margin: 6px 0 4px; font-size: 24px; font-weight: 700; }
.meta { margin: 0; color: var(--muted); font-size: 13px; }
.shared { margin: 0 0 18px; padding: 10px 14px; background: var(--band); border-left: 4px solid var(--accent); }
.shared b { font-weight: 600; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
col.account, col.backup { width: 29%; }
col.name { width: 23%; }
col.title { width: 19%; }
td { overflow-wrap: anywhere; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 6px; }
thead th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
  border-bottom: 2px solid var(--ink); padding: 8px 10px; }
td { padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr.person:nth-child(odd) td { background: #fbfcfd; }
tr.unit th { text-align: left; padding: 16px 10px 6px; font-size: 14px; letter-spacing: .04em; border-bottom: 1px solid var(--ink); }
tr.unit .sub { font-weight: 400; color: var(--muted); letter-spacing: 0; text-transform: none; }
tr.unit .count { float: right; font-weight: 400; color: var(--muted); font-size: 12px; }
td.account, td.backup { font-family: "DejaVu Sans Mono", "Noto Sans Mono", Consolas, monospace; font-size: 13.5px; }
td.name { font-weight: 600; white-space: nowrap; }
a { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--muted); }
footer { margin-top: 22px; color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  tr.unit { break-after: avoid; }
  a { border: 0; }
  tbody tr.person:nth-child(odd) td { background: none; }
  td { padding: 4px 6px; }
  td.account, td.backup { font-size: 8pt; }
  td.name { white-space: normal; }
}
"#;

/// Renders the page.
pub(super) fn render(dir: &Directory<'_>) -> String {
    let l = dir.lang.labels();
    let org = &dir.state.organization;
    let total: usize = dir.groups.iter().map(|g| g.people.len()).sum();
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"mailops\">\n<title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        dir.lang.tag(),
        text(l.title),
        text(&org.display_name)
    ));
    out.push_str(&format!(
        "<header>\n<p class=\"agency\">{}</p>\n<h1>{}</h1>\n<p class=\"meta\">{} {} · {} {}</p>\n</header>\n",
        text(&org.display_name),
        text(l.title),
        text(l.as_of),
        dir.lang.date(dir.as_of),
        total,
        text(l.people)
    ));
    for s in dir.shared {
        out.push_str(&format!(
            "<p class=\"shared\"><b>{}:</b> <a href=\"mailto:{}\">{}</a> — {}</p>\n",
            text(l.agency_mailbox),
            attr(&s.address.to_string()),
            text(&s.address.to_string()),
            text(dir.shared_line(s).split_once(" — ").map_or("", |(_, rest)| rest))
        ));
    }
    out.push_str(&format!(
        "<table>\n<colgroup><col class=\"account\"><col class=\"name\"><col class=\"title\"><col class=\"backup\"></colgroup>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n",
        text(l.account),
        text(l.full_name),
        text(l.job_title),
        text(l.backup)
    ));
    for g in &dir.groups {
        // A heading written by hand says what it needs to; a generated one gets the parent unit.
        let sub = g
            .unit
            .parent
            .as_deref()
            .filter(|_| !g.unit.heading_written)
            .and_then(|p| org.unit(p))
            .map(|p| {
                format!(
                    " <span class=\"sub\">({} {})</span>",
                    text(l.subordinate),
                    text(&p.name)
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "<tbody>\n<tr class=\"unit\"><th colspan=\"4\" scope=\"colgroup\" id=\"{}\">{}{sub}<span class=\"count\">{} {}</span></th></tr>\n",
            attr(&g.unit.id),
            text(&g.unit.heading),
            g.people.len(),
            text(l.people)
        ));
        for p in &g.people {
            let address = p.address.to_string();
            let backup = p
                .backup_email
                .as_deref()
                .map(|b| format!("<a href=\"mailto:{}\">{}</a>", attr(b), text(b)))
                .unwrap_or_default();
            out.push_str(&format!(
                "<tr class=\"person\"><td class=\"account\"><a href=\"mailto:{}\">{}</a></td><td class=\"name\">{}</td><td class=\"title\">{}</td><td class=\"backup\">{backup}</td></tr>\n",
                attr(&address),
                text(&address),
                text(&p.full_name),
                text(p.title.as_deref().unwrap_or(""))
            ));
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
    out.push_str(&format!(
        "<footer>{} · mailops</footer>\n</main>\n</body>\n</html>\n",
        text(&org.display_name)
    ));
    out
}
