use std::path::{Path, PathBuf};

use super::*;
use crate::desired::validate;
use crate::manifest::{LoadOptions, load_texts};

fn state(title: &str) -> DesiredState {
    let org = "apiVersion: mailops.dev/v1alpha1\nkind: Organization\nmetadata: {name: a}\nspec:\n  displayName: Ban Dân tộc\n  shortName: bdt\n  domains: [{name: bdt.binhthuan.gov.vn}]\n  units: [{id: bdt, name: Ban Dân tộc}]\n  naming: {domain: bdt.binhthuan.gov.vn}\n";
    let mb = format!(
        "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata: {{name: an}}\nspec:\n  fullName: Võ Thị Thu An\n  unit: bdt\n  title: '{title}'\n"
    );
    let files = [
        (PathBuf::from("r/o.yaml"), org.as_bytes()),
        (PathBuf::from("r/m.yaml"), mb.as_bytes()),
    ];
    let v = validate(&load_texts(Path::new("r"), files, LoadOptions::default()));
    assert!(v.is_valid(), "{:?}", v.diagnostics);
    v.state.unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

#[test]
fn markdown_escapes_table_syntax_in_data() {
    let s = state("Kế toán | Thủ quỹ");
    let md = Directory::new(&s, day(), Lang::Vi).render(Format::Markdown);
    assert!(md.contains("| Kế toán \\| Thủ quỹ |"), "{md}");
}

#[test]
fn csv_quotes_commas() {
    let s = state("Kế toán, Thủ quỹ");
    let csv = Directory::new(&s, day(), Lang::En).render(Format::Csv);
    assert!(csv.contains(",\"Kế toán, Thủ quỹ\","), "{csv}");
}

#[test]
fn csv_cells_are_never_formulas() {
    let s = state("=HYPERLINK(\"http://evil.example\";\"x\")");
    let csv = Directory::new(&s, day(), Lang::En).render(Format::Csv);
    assert!(csv.contains(",\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
}

#[test]
fn vcard_fields_cannot_start_another_card() {
    let s = state("Kế toán;END:VCARD,BEGIN:VCARD");
    let vcf = Directory::new(&s, day(), Lang::Vi).render(Format::Vcard);
    // Inside a line it is text; only a line of its own begins a card (line breaks never pass validation).
    assert_eq!(vcf.lines().filter(|l| *l == "BEGIN:VCARD").count(), 1, "{vcf}");
    assert!(vcf.contains("TITLE:Kế toán;END:VCARD\\,BEGIN:VCARD"), "{vcf}");
}

#[test]
fn html_escapes_markup_in_data() {
    let s = state("<b>Chuyên viên</b> & co");
    let html = Directory::new(&s, day(), Lang::Vi).render(Format::Html);
    assert!(html.contains("&lt;b&gt;Chuyên viên&lt;/b&gt; &amp; co"), "{html}");
    assert!(!html.contains("<b>Chuyên"));
}

#[test]
fn rendering_is_deterministic() {
    let s = state("Chuyên viên");
    for f in [Format::Csv, Format::Markdown, Format::Html, Format::Vcard] {
        let d = Directory::new(&s, day(), Lang::Vi);
        assert_eq!(d.render(f), d.render(f));
    }
}
