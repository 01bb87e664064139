//! The usage report as Markdown, CSV, HTML (printable on A4, an inline SVG chart, no script) and JSON, in
//! Vietnamese (default: it goes to the provincial department) or English.

use chrono::{DateTime, FixedOffset};
use html_escape::encode_text as text;

use super::usage::{Flag, PersonUsage, Summary, Usage};
use crate::directory::Lang;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown, for a pull request or an e-mail.
    Markdown,
    /// CSV, one row per person.
    Csv,
    /// A standalone page, printable on A4.
    Html,
    /// JSON, versioned (README).
    Json,
}

struct Labels {
    title: &'static str,
    on: &'static str,
    working_day: &'static str,
    not_working_day: &'static str,
    last_working_day: &'static str,
    none: &'static str,
    source: &'static str,
    not_available: &'static str,
    ignored: &'static str,
    future: &'static str,
    generated: &'static str,
    server: &'static str,
    summary: &'static str,
    unit: &'static str,
    staff: &'static str,
    can_log_in: &'static str,
    checked: &'static str,
    share: &'static str,
    never: &'static str,
    stale: &'static str,
    suspended: &'static str,
    not_on_server: &'static str,
    total: &'static str,
    account: &'static str,
    full_name: &'static str,
    job_title: &'static str,
    last_login: &'static str,
    flags: &'static str,
    no_login: &'static str,
    agency: &'static str,
    owner: &'static str,
    checked_today: &'static str,
    yes: &'static str,
    no: &'static str,
    cannot_tell: &'static str,
    pending: &'static str,
    suspended_on: &'static str,
    deletion_due: &'static str,
    chart: &'static str,
    past_note: &'static str,
    rule: &'static str,
    subordinate: &'static str,
}

const VI: Labels = Labels {
    title: "Báo cáo tình hình sử dụng thư điện tử",
    on: "Ngày báo cáo",
    working_day: "ngày làm việc",
    not_working_day: "không phải ngày làm việc",
    last_working_day: "Ngày làm việc trước đó",
    none: "không có",
    source: "Nguồn dữ liệu đăng nhập",
    not_available: "không có dữ liệu",
    ignored: "dòng dữ liệu không đọc được, đã bỏ qua",
    future: "lần đăng nhập ghi thời điểm trong tương lai (đồng hồ máy chủ sai), không tính",
    generated: "Lập lúc",
    server: "Máy chủ",
    summary: "Tổng hợp theo đơn vị",
    unit: "Đơn vị",
    staff: "Số người",
    can_log_in: "Đăng nhập được",
    checked: "Đã kiểm tra thư",
    share: "Tỷ lệ",
    never: "Chưa từng đăng nhập",
    stale: "Không đăng nhập từ ngày làm việc trước",
    suspended: "Tạm khóa",
    not_on_server: "Chưa có trên máy chủ",
    total: "Toàn cơ quan",
    account: "Tài khoản",
    full_name: "Họ và tên",
    job_title: "Chức vụ",
    last_login: "Đăng nhập gần nhất",
    flags: "Ghi chú",
    no_login: "chưa đăng nhập",
    agency: "Hộp thư điện tử cơ quan",
    owner: "Người quản lý",
    checked_today: "Đã kiểm tra hôm nay",
    yes: "có",
    no: "chưa",
    cannot_tell: "không xác định",
    pending: "Tài khoản đang chờ xóa",
    suspended_on: "Tạm khóa ngày",
    deletion_due: "Xóa từ ngày",
    chart: "Tỷ lệ công chức, viên chức đã kiểm tra thư từ ngày làm việc trước",
    past_note: "Máy chủ chỉ lưu lần đăng nhập gần nhất: báo cáo cho một ngày đã qua tính cả các lần đăng nhập sau ngày đó.",
    rule: "Nội quy mục III.4: hộp thư cơ quan kiểm tra ít nhất 2 lần, hộp thư cá nhân ít nhất 4 lần mỗi ngày làm việc; mục V.1: báo cáo định kỳ.",
    subordinate: "trực thuộc",
};

const EN: Labels = Labels {
    title: "E-mail usage report",
    on: "Report day",
    working_day: "a working day",
    not_working_day: "not a working day",
    last_working_day: "Last working day before it",
    none: "none",
    source: "Login data",
    not_available: "not available",
    ignored: "lines of data could not be read and were left out",
    future: "logins dated in the future (a wrong clock on the server), not counted",
    generated: "Made at",
    server: "Server",
    summary: "Summary by unit",
    unit: "Unit",
    staff: "Staff",
    can_log_in: "Can log in",
    checked: "Checked mail",
    share: "Share",
    never: "Never logged in",
    stale: "Not since the last working day",
    suspended: "Suspended",
    not_on_server: "Not on the server yet",
    total: "Whole agency",
    account: "Account",
    full_name: "Full name",
    job_title: "Title",
    last_login: "Last login",
    flags: "Flags",
    no_login: "never",
    agency: "Agency mailbox",
    owner: "Managed by",
    checked_today: "Checked today",
    yes: "yes",
    no: "no",
    cannot_tell: "cannot tell",
    pending: "Accounts pending deletion",
    suspended_on: "Suspended on",
    deletion_due: "Deleted from",
    chart: "Share of staff who checked mail since the last working day",
    past_note: "The server keeps only the last login: a report for a past day counts later logins too.",
    rule: "Rule III.4: the agency mailbox checked at least twice, personal mailboxes at least four times a working day; rule V.1: periodic reports.",
    subordinate: "subordinate unit of",
};

const fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

fn flag(l: &Labels, f: Flag) -> &'static str {
    match f {
        Flag::Never => l.never,
        Flag::NotSinceLastWorkingDay => l.stale,
        Flag::Suspended => l.suspended,
        Flag::NotOnServer => l.not_on_server,
    }
}

fn when(lang: Lang, t: DateTime<FixedOffset>) -> String {
    match lang {
        Lang::Vi => t.format("%H:%M %d/%m/%Y").to_string(),
        Lang::En => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The last-login cell: a time, "never", or "not available" (never an empty cell).
fn last_login(r: &Usage, lang: Lang, p: &PersonUsage) -> String {
    let l = labels(lang);
    match (r.login_data.available, p.last_login) {
        (false, _) => l.not_available.to_string(),
        (true, Some(t)) => when(lang, t),
        (true, None) => l.no_login.to_string(),
    }
}

fn flags(l: &Labels, p: &PersonUsage) -> String {
    p.flags.iter().map(|f| flag(l, *f)).collect::<Vec<_>>().join("; ")
}

fn share(s: &Summary) -> String {
    s.share().map_or_else(|| "—".to_string(), |v| format!("{v:.0} %"))
}

/// A count, or "not available" for the counts that need login data.
fn count(r: &Usage, l: &Labels, n: usize) -> String {
    if r.login_data.available {
        n.to_string()
    } else {
        l.not_available.to_string()
    }
}

fn day_line(r: &Usage, lang: Lang) -> String {
    let l = labels(lang);
    format!(
        "{}: {} ({}). {}: {}.",
        l.on,
        lang.date(r.on),
        if r.working_day {
            l.working_day
        } else {
            l.not_working_day
        },
        l.last_working_day,
        r.last_working_day
            .map_or_else(|| l.none.to_string(), |d| lang.date(d))
    )
}

fn source_line(r: &Usage, lang: Lang) -> String {
    let l = labels(lang);
    let mut s = format!(
        "{}: {}{}",
        l.source,
        if r.login_data.available {
            ""
        } else {
            l.not_available
        },
        {
            let source = match lang {
                Lang::Vi => &r.login_data.source.vi,
                Lang::En => &r.login_data.source.en,
            };
            if r.login_data.available {
                source.clone()
            } else {
                format!(" — {source}")
            }
        }
    );
    if r.login_data.ignored_lines > 0 {
        s.push_str(&format!(" ({} {})", r.login_data.ignored_lines, l.ignored));
    }
    if r.login_data.future > 0 {
        s.push_str(&format!(" ({} {})", r.login_data.future, l.future));
    }
    s
}

fn is_past(r: &Usage) -> bool {
    r.on < r.generated_at.date_naive()
}

/// Renders the report.
#[must_use]
pub fn render(r: &Usage, format: Format, lang: Lang) -> String {
    match format {
        Format::Markdown => markdown(r, lang),
        Format::Csv => csv(r, lang),
        Format::Html => html(r, lang),
        Format::Json => serde_json::to_string_pretty(r).unwrap_or_default() + "\n",
    }
}

fn markdown(r: &Usage, lang: Lang) -> String {
    let l = labels(lang);
    let cell = crate::markdown::text;
    let mut out = format!("# {} — {}\n\n", l.title, cell(&r.organization));
    out.push_str(&format!("{}\n\n", day_line(r, lang)));
    // mailops's own words and the server's URL from the command line: only what would break the line.
    out.push_str(&format!(
        "{}\n\n",
        source_line(r, lang).replace('|', "\\|").replace('\n', " ")
    ));
    out.push_str(&format!(
        "{}: `{}`. {}: {}.\n\n",
        l.server,
        r.server,
        l.generated,
        when(lang, r.generated_at)
    ));
    if is_past(r) {
        out.push_str(&format!("> {}\n\n", l.past_note));
    }
    out.push_str(&format!("## {}\n\n", l.summary));
    out.push_str(&format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        l.unit, l.staff, l.can_log_in, l.checked, l.share, l.never, l.stale, l.suspended, l.not_on_server
    ));
    let row = |name: &str, s: &Summary| {
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            name,
            s.staff,
            s.can_log_in,
            count(r, l, s.checked),
            if r.login_data.available {
                share(s)
            } else {
                l.not_available.to_string()
            },
            count(r, l, s.never),
            count(r, l, s.not_since_last_working_day),
            s.suspended,
            s.not_on_server
        )
    };
    for u in &r.units {
        out.push_str(&row(&cell(&u.name), &u.summary));
    }
    out.push_str(&row(&format!("**{}**", l.total), &r.total));
    out.push('\n');
    if !r.agency_mailboxes.is_empty() {
        out.push_str(&format!(
            "## {}\n\n| {} | {} | {} | {} |\n| --- | --- | --- | --- |\n",
            l.agency, l.account, l.owner, l.last_login, l.checked_today
        ));
        for a in &r.agency_mailboxes {
            let last = match (r.login_data.available, a.last_login) {
                (false, _) => l.not_available.to_string(),
                (true, Some(t)) => when(lang, t),
                (true, None) => l.no_login.to_string(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                a.address,
                cell(&a.owner),
                last,
                checked_today(l, a.checked_today)
            ));
        }
        out.push('\n');
    }
    for u in &r.units {
        out.push_str(&format!("## {}\n\n", cell(&u.name)));
        if let Some(p) = &u.parent {
            out.push_str(&format!("_{} {}_\n\n", l.subordinate, cell(p)));
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n| --- | --- | --- | --- | --- |\n",
            l.account, l.full_name, l.job_title, l.last_login, l.flags
        ));
        for p in &u.people {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                p.address,
                cell(&p.full_name),
                cell(p.title.as_deref().unwrap_or("")),
                last_login(r, lang, p),
                flags(l, p)
            ));
        }
        out.push('\n');
    }
    if !r.pending_deletion.is_empty() {
        out.push_str(&format!(
            "## {}\n\n| {} | {} | {} |\n| --- | --- | --- |\n",
            l.pending, l.account, l.suspended_on, l.deletion_due
        ));
        for d in &r.pending_deletion {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                d.address,
                lang.date(d.suspended_on),
                lang.date(d.deletion_due)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("_{}_\n", l.rule));
    out
}

fn checked_today(l: &Labels, v: Option<bool>) -> &'static str {
    match v {
        Some(true) => l.yes,
        Some(false) => l.no,
        None => l.cannot_tell,
    }
}

fn csv(r: &Usage, lang: Lang) -> String {
    let l = labels(lang);
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record([l.unit, l.account, l.full_name, l.job_title, l.last_login, l.flags]);
    for u in &r.units {
        for p in &u.people {
            let _ = w.write_record([
                crate::directory::inert_cell(&u.name).as_ref(),
                p.address.as_str(),
                crate::directory::inert_cell(&p.full_name).as_ref(),
                crate::directory::inert_cell(p.title.as_deref().unwrap_or("")).as_ref(),
                &last_login(r, lang, p),
                &flags(l, p),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

const STYLE: &str = r#"
:root { --ink: #1d2733; --muted: #5b6776; --line: #d8dee6; --accent: #9b1c1c; --ok: #2f6f4f; --warn: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); font: 14px/1.45 "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 40px; }
header { border-bottom: 3px double var(--accent); padding-bottom: 12px; margin-bottom: 16px; }
.agency { margin: 0; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--accent); font-weight: 600; }
h1 { margin: 6px 0 4px; font-size: 22px; }
h2 { font-size: 16px; margin: 22px 0 8px; border-bottom: 1px solid var(--ink); padding-bottom: 3px; }
.meta { margin: 2px 0; color: var(--muted); font-size: 12.5px; }
.note { border-left: 4px solid var(--warn); padding: 6px 10px; background: #fff8ee; font-size: 12.5px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  border-bottom: 2px solid var(--ink); padding: 6px 8px; }
td { padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.account { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12.5px; }
td.flag { color: var(--warn); font-weight: 600; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
svg { display: block; max-width: 100%; height: auto; }
footer { margin-top: 20px; color: var(--muted); font-size: 11.5px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 9pt; }
  main { max-width: none; padding: 0; }
  thead { display: table-header-group; }
  tr, svg { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"#;

/// The bar chart: one bar per unit and one for everyone, the share who checked mail since the last working
/// day; plain SVG, no script.
fn chart(r: &Usage, lang: Lang) -> String {
    let l = labels(lang);
    let rows: Vec<(&str, &Summary)> = r
        .units
        .iter()
        .map(|u| (u.name.as_str(), &u.summary))
        .chain(std::iter::once((l.total, &r.total)))
        .collect();
    let (label_w, bar_w, row_h) = (260.0_f64, 420.0_f64, 28.0_f64);
    let height = row_h * rows.len() as f64 + 30.0;
    let width = label_w + bar_w + 70.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n",
        html_escape::encode_double_quoted_attribute(l.chart),
        text(l.chart)
    );
    for (i, (name, s)) in rows.iter().enumerate() {
        let y = row_h * i as f64 + 4.0;
        let value = s.share().unwrap_or(0.0);
        let w = bar_w * value / 100.0;
        let colour = if value >= 100.0 {
            "#2f6f4f"
        } else if value >= 50.0 {
            "#b45309"
        } else {
            "#9b1c1c"
        };
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#1d2733\">{}</text>\n\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"{}\" fill=\"#eef1f5\"/>\n\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}: {}/{}</title></rect>\n\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1d2733\">{}</text>\n",
            label_w - 8.0,
            y + 15.0,
            text(name),
            row_h - 10.0,
            row_h - 10.0,
            text(name),
            s.checked,
            s.can_log_in,
            label_w + bar_w + 6.0,
            y + 15.0,
            text(&share(s)),
        ));
    }
    let axis_y = row_h * rows.len() as f64 + 8.0;
    for pct in [0, 50, 100] {
        let x = label_w + bar_w * f64::from(pct) / 100.0;
        svg.push_str(&format!(
            "<line x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{axis_y}\" stroke=\"#5b6776\" stroke-width=\"0.5\" stroke-dasharray=\"2 2\"/>\n\
             <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#5b6776\">{pct} %</text>\n",
            axis_y + 14.0
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

fn html(r: &Usage, lang: Lang) -> String {
    let l = labels(lang);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"mailops\">\n<title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        lang.tag(),
        text(l.title),
        text(&r.organization)
    );
    out.push_str(&format!(
        "<header>\n<p class=\"agency\">{}</p>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n<p class=\"meta\">{}</p>\n<p class=\"meta\">{}: {} · {}: {}</p>\n</header>\n",
        text(&r.organization),
        text(l.title),
        text(&day_line(r, lang)),
        text(&source_line(r, lang)),
        text(l.server),
        text(&r.server),
        text(l.generated),
        text(&when(lang, r.generated_at)),
    ));
    if is_past(r) {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", text(l.past_note)));
    }
    if r.login_data.available {
        out.push_str(&format!("<h2>{}</h2>\n{}", text(l.chart), chart(r, lang)));
    }
    out.push_str(&format!(
        "<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        text(l.summary),
        text(l.unit),
        text(l.staff),
        text(l.can_log_in),
        text(l.checked),
        text(l.share),
        text(l.never),
        text(l.stale),
        text(l.suspended),
        text(l.not_on_server)
    ));
    let row = |class: &str, name: &str, s: &Summary| {
        format!(
            "<tr class=\"{class}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            text(name),
            s.staff,
            s.can_log_in,
            text(&count(r, l, s.checked)),
            text(&if r.login_data.available {
                share(s)
            } else {
                l.not_available.to_string()
            }),
            text(&count(r, l, s.never)),
            text(&count(r, l, s.not_since_last_working_day)),
            s.suspended,
            s.not_on_server
        )
    };
    for u in &r.units {
        out.push_str(&row("unit", &u.name, &u.summary));
    }
    out.push_str(&row("total", l.total, &r.total));
    out.push_str("</tbody>\n</table>\n");
    if !r.agency_mailboxes.is_empty() {
        out.push_str(&format!(
            "<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            text(l.agency),
            text(l.account),
            text(l.owner),
            text(l.last_login),
            text(l.checked_today)
        ));
        for a in &r.agency_mailboxes {
            let last = match (r.login_data.available, a.last_login) {
                (false, _) => l.not_available.to_string(),
                (true, Some(t)) => when(lang, t),
                (true, None) => l.no_login.to_string(),
            };
            let flagged = a.checked_today == Some(false);
            out.push_str(&format!(
                "<tr><td class=\"account\">{}</td><td>{}</td><td>{}</td><td{}>{}</td></tr>\n",
                text(a.address.as_str()),
                text(&a.owner),
                text(&last),
                if flagged { " class=\"flag\"" } else { "" },
                text(checked_today(l, a.checked_today))
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    for u in &r.units {
        out.push_str(&format!("<h2>{}</h2>\n", text(&u.name)));
        if let Some(p) = &u.parent {
            out.push_str(&format!(
                "<p class=\"meta\">{} {}</p>\n",
                text(l.subordinate),
                text(p)
            ));
        }
        out.push_str(&format!(
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            text(l.account),
            text(l.full_name),
            text(l.job_title),
            text(l.last_login),
            text(l.flags)
        ));
        for p in &u.people {
            out.push_str(&format!(
                "<tr><td class=\"account\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"flag\">{}</td></tr>\n",
                text(p.address.as_str()),
                text(&p.full_name),
                text(p.title.as_deref().unwrap_or("")),
                text(&last_login(r, lang, p)),
                text(&flags(l, p))
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !r.pending_deletion.is_empty() {
        out.push_str(&format!(
            "<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            text(l.pending),
            text(l.account),
            text(l.suspended_on),
            text(l.deletion_due)
        ));
        for d in &r.pending_deletion {
            out.push_str(&format!(
                "<tr><td class=\"account\">{}</td><td>{}</td><td>{}</td></tr>\n",
                text(d.address.as_str()),
                text(&lang.date(d.suspended_on)),
                text(&lang.date(d.deletion_due))
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str(&format!(
        "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
        text(l.rule)
    ));
    out
}
