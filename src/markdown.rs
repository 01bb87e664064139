//! Text from manifests and servers put into Markdown (pull-request comments, the directory, the usage
//! report): shown as the characters it is, never read as markup. A name such as
//! `**APPROVED by IT** ![x](https://evil.example/x.png)` must not become bold text and an image.

/// `text` as literal Markdown text, fit for a table cell too: every ASCII punctuation character is
/// backslash-escaped (CommonMark allows it for each of them, and a table cell's `|` with it), so that no
/// emphasis, link, image, heading, list, HTML tag or entity can start; line breaks become spaces.
#[must_use]
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` inside raw HTML of a Markdown document (`<details><summary>…</summary>`), where Markdown is not
/// read but HTML is: escaped as HTML.
#[must_use]
pub fn html(text: &str) -> String {
    html_escape::encode_text(&text.replace(['\n', '\r'], " ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The HTML a CommonMark reader (with GitHub's tables) makes of a Markdown document.
    fn rendered(md: &str) -> String {
        let parser = pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::all());
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, parser);
        html
    }

    #[test]
    fn markup_from_a_name_stays_text() {
        let evil =
            "**APPROVED by IT** ![x](https://evil.example/x.png) <img src=x> [a](b) # _i_ `c` &amp; ~~s~~";
        let html = rendered(&text(evil));
        for made in ["<strong>", "<em>", "<img", "<a ", "<code>", "<del>", "<h1>"] {
            assert!(!html.contains(made), "{made} in {html}");
        }
        assert_eq!(html, format!("<p>{}</p>\n", html_escape::encode_text(evil)));
        // In a table cell, a `|` stays in its cell.
        let table = rendered(&format!(
            "| a | b |\n|---|---|\n| {} | x |\n",
            text("Kế toán | Thủ quỹ")
        ));
        assert!(table.contains("<td>Kế toán | Thủ quỹ</td>"), "{table}");
        assert_eq!(text("Võ Thị Thu An"), "Võ Thị Thu An");
        assert_eq!(super::html("<b>x</b> & y"), "&lt;b&gt;x&lt;/b&gt; &amp; y");
    }

    proptest! {
        /// Whatever a name holds, a reader sees exactly its characters (a paragraph of text, nothing else).
        #[test]
        fn any_text_reads_back_as_itself(s in "[a-zA-Z0-9 ]{0,3}[!-/:-@\\[-`{-~a-zà-ỹ ]{1,40}") {
            let s = s.trim().to_string();
            prop_assume!(!s.is_empty());
            let html = rendered(&text(&s));
            // CommonMark collapses nothing inside a paragraph but trims its ends; spaces are kept.
            prop_assert_eq!(html, format!("<p>{}</p>\n", html_escape::encode_text(&s)));
        }
    }
}
