//! One printer for everything the CLI says, so `--quiet`, `--color` and `--output json` stay consistent.

use std::io::{IsTerminal, Write};

use super::{ColorChoice, GlobalArgs};
use crate::diagnostics::{self, Diagnostics, SourceMap};

fn wants_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Whether stderr gets colour.
#[must_use]
pub fn stderr_color(choice: ColorChoice) -> bool {
    wants_color(choice, std::io::stderr().is_terminal())
}

/// Writes results to stdout and messages to stderr.
#[derive(Debug, Clone)]
pub struct Printer {
    quiet: bool,
    color_err: bool,
    color_out: bool,
}

impl Printer {
    /// A printer for the global options.
    #[must_use]
    pub fn new(global: &GlobalArgs) -> Self {
        Self {
            quiet: global.quiet,
            color_err: stderr_color(global.color),
            color_out: wants_color(global.color, std::io::stdout().is_terminal()),
        }
    }

    /// Whether stdout gets colour.
    #[must_use]
    pub fn stdout_color(&self) -> bool {
        self.color_out
    }

    /// The result of the command, on stdout (never suppressed). Everything printed goes through
    /// [`diagnostics::terminal_safe`]: no control character from a manifest or a server reaches the terminal.
    pub fn out(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(diagnostics::terminal_safe(text).as_bytes());
        let _ = stdout.flush();
    }

    /// A progress or status note on stderr (suppressed by --quiet).
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{}", diagnostics::terminal_safe(text));
        }
    }

    /// Prints an engine error: its message, its causes, its hint.
    pub fn engine_error(&self, e: &crate::engine::EngineError) {
        self.error(&e.message(), std::error::Error::source(e), e.hint().as_deref());
    }

    /// Prints why a revision (or folder) may not be used: its diagnostics, then the error, causes and hint.
    pub fn revision_error(&self, e: &crate::source::revision::RevisionError) {
        if let Some((diags, sources)) = e.diagnostics() {
            self.diagnostics(diags, sources);
        }
        self.error(&e.message(), std::error::Error::source(e), e.hint().as_deref());
    }

    /// An error that ends the command: `error: …`, then each cause, then a hint.
    pub fn error(&self, message: &str, cause: Option<&dyn std::error::Error>, hint: Option<&str>) {
        let (red, bold, reset) = if self.color_err {
            ("\x1b[1;31m", "\x1b[1m", "\x1b[0m")
        } else {
            ("", "", "")
        };
        let mut text = format!(
            "{red}{}{reset}{bold}: {message}{reset}\n",
            crate::t!("error-label")
        );
        let mut source = cause;
        while let Some(e) = source {
            text.push_str(&format!(
                "  {}\n",
                crate::t!("error-caused-by", cause = e.to_string())
            ));
            source = e.source();
        }
        if let Some(h) = hint {
            text.push_str(&format!("  {}\n", crate::t!("diag-hint", hint = h)));
        }
        eprint!("{}", diagnostics::terminal_safe(&text));
    }

    /// Diagnostics as text on stderr (with --quiet, only when there are errors).
    pub fn diagnostics(&self, diags: &Diagnostics, sources: &SourceMap) {
        if self.quiet && !diags.has_errors() {
            return;
        }
        let text = diagnostics::render_text(diags, sources, self.color_err);
        eprint!("{}", diagnostics::terminal_safe(&text));
    }
}
