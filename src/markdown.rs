//! Text from manifests and servers put into Markdown (pull-request comments, the directory, the usage
//! report): shown as the characters it is, never read as markup. A name such as
//! `**APPROVED by IT** ![x](https://evil.example/x.png)` must not become bold text and an image.

/// `text` as literal Markdown text, fit for a table cell too: each character that can start markup in the
/// middle of a line is backslash-escaped (CommonMark allows it for every ASCII punctuation character, and a
/// table cell's `|` with it): emphasis (`*` `_` `~`, `^` of superscripts, `$` of maths), links and images (`[` `]` `!`), code (`` ` ``), HTML
/// and entities (`<` `>` `&`), headings (`#`), autolinks (`:` of `https://`, the `.` of `www.`), the
/// backslash itself. Line breaks become spaces. What reads the same either way (`.` `-` `'` `(` `@`) is left
/// as it is, so that the raw text of an agency's document stays readable.
#[must_use]
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: [char; 3] = [' '; 3];
    // At the start of a line (where a caller might put it), a list, a numbered list or a heading's rule.
    let lead = text.chars().take_while(|c| c.is_whitespace()).count();
    let digits = text.chars().skip(lead).take_while(char::is_ascii_digit).count();
    for (i, c) in text.chars().enumerate() {
        let www = c == '.' && previous.iter().collect::<String>().eq_ignore_ascii_case("www");
        let starts_block = (i == lead && matches!(c, '+' | '-' | '='))
            || (digits > 0 && i == lead + digits && matches!(c, '.' | ')'));
        match c {
            _ if starts_block => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '~' | '^' | '$' | '[' | ']' | '!' | '<' | '>' | '&' | '#' | '|'
            | ':' => {
                out.push('\\');
                out.push(c);
            }
            '.' if www => out.push_str("\\."),
            c => out.push(c),
        }
        previous = [previous[1], previous[2], c];
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
        // GitHub's extensions, without typographic quotes (GitHub does not make them).
        let options = pulldown_cmark::Options::all() - pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION;
        let parser = pulldown_cmark::Parser::new_ext(md, options);
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
        fn any_text_reads_back_as_itself(s in "[a-zA-Z ]{1,3}[!-/:-@\\[-`{-~a-zà-ỹ ]{1,40}") {
            let s = s.trim().to_string();
            prop_assume!(!s.is_empty());
            let html = rendered(&text(&s));
            // CommonMark collapses nothing inside a paragraph but trims its ends; spaces are kept.
            prop_assert_eq!(html, format!("<p>{}</p>\n", html_escape::encode_text(&s)));
        }
    }
}
