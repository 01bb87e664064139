//! Messages a person reads, in Vietnamese and English: Fluent files (`locales/vi.ftl`, `locales/en.ftl`)
//! compiled into the binary. The language is chosen once per process (`--lang`, else `LC_ALL`,
//! `LC_MESSAGES`, `LANG`: `vi_VN…` is Vietnamese, anything else English; a library caller that sets none
//! gets English); JSON output and exit codes never
//! depend on it. `tests/i18n.rs` fails when a message exists in one language only, or is used but missing.
//!
//! ```
//! use mailops::i18n::{self, Lang};
//! assert_eq!(i18n::tr_in(Lang::Vi, "apply-confirm", &[("count", 3.into())]), "Thực hiện 3 thay đổi? [y/N] ");
//! ```

use std::sync::{LazyLock, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language of the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// Tiếng Việt.
    Vi,
    /// English.
    #[default]
    En,
}

/// The Fluent sources, by language.
pub const SOURCES: [(Lang, &str); 2] = [
    (Lang::Vi, include_str!("../locales/vi.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
];

impl Lang {
    /// The language the environment asks for: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and
    /// not empty; Vietnamese when it starts with `vi`, else English.
    #[must_use]
    pub fn from_env() -> Self {
        let var = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        Self::from_locale(var.as_deref().unwrap_or(""))
    }

    /// The language of a POSIX locale name (`vi_VN.UTF-8` → Vietnamese).
    #[must_use]
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("vi") {
            Lang::Vi
        } else {
            Lang::En
        }
    }

    fn langid(self) -> unic_langid::LanguageIdentifier {
        match self {
            Lang::Vi => unic_langid::langid!("vi"),
            Lang::En => unic_langid::langid!("en"),
        }
    }
}

static CURRENT: OnceLock<Lang> = OnceLock::new();
static CHOSEN: OnceLock<Option<Lang>> = OnceLock::new();

/// Sets the process's language from `--lang` (`None`: from the environment), once, at start.
pub fn set(chosen: Option<Lang>) {
    let _ = CHOSEN.set(chosen);
    let _ = CURRENT.set(chosen.unwrap_or_else(Lang::from_env));
}

/// The language `--lang` asked for, if any (the agency's documents are Vietnamese otherwise).
#[must_use]
pub fn chosen() -> Option<Lang> {
    CHOSEN.get().copied().flatten()
}

/// The process's language: as [`set`] (the command line does, from `--lang` or the environment); English
/// for a library caller that set none, so that its output does not depend on the machine's locale.
#[must_use]
pub fn current() -> Lang {
    CURRENT.get().copied().unwrap_or_default()
}

static BUNDLES: LazyLock<Vec<(Lang, FluentBundle<FluentResource>)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, source)| {
            // The sources are part of the binary and checked by tests: a syntax error is a build defect.
            let resource = FluentResource::try_new((*source).to_string()).unwrap_or_else(|(r, _)| r);
            let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
            // No Unicode isolation marks around arguments: the text goes to terminals and Markdown.
            bundle.set_use_isolating(false);
            let _ = bundle.add_resource(resource);
            (*lang, bundle)
        })
        .collect()
});

/// The message `id` in `lang`, with its arguments; English if `lang` lacks it, the id itself if both do.
#[must_use]
pub fn tr_in(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        fluent_args.set(*k, v.clone());
    }
    for want in [lang, Lang::En] {
        let Some((_, bundle)) = BUNDLES.iter().find(|(l, _)| *l == want) else {
            continue;
        };
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, Some(&fluent_args), &mut errors)
                .into_owned();
        }
    }
    id.to_string()
}

/// The message `id` in the process's language.
#[must_use]
pub fn tr(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    tr_in(current(), id, args)
}

/// `t!("id")` or `t!("id", name = value, …)`: the message in the process's language; `t!(in lang, "id", …)`
/// in `lang`.
#[macro_export]
macro_rules! t {
    (in $lang:expr, $id:literal) => {
        $crate::i18n::tr_in($lang, $id, &[])
    };
    (in $lang:expr, $id:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::i18n::tr_in($lang, $id, &[$((stringify!($k), fluent_bundle::FluentValue::from($v))),+])
    };
    ($id:literal) => {
        $crate::i18n::tr($id, &[])
    };
    ($id:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::i18n::tr($id, &[$((stringify!($k), fluent_bundle::FluentValue::from($v))),+])
    };
}

/// A message kept by id and arguments, to be written in any language: in English where it is recorded
/// (JSON, statuses), in the reader's language where it is shown. Made by [`msg!`](crate::msg).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Msg {
    /// The message's id in the Fluent files.
    pub id: &'static str,
    /// Its arguments, as text.
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    /// The message in `lang`.
    #[must_use]
    pub fn to_lang(&self, lang: Lang) -> String {
        let args: Vec<(&str, FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, FluentValue::from(v.as_str())))
            .collect();
        tr_in(lang, self.id, &args)
    }
}

/// `msg!("id")` or `msg!("id", name = value, …)`: a [`Msg`] (each value is kept as its `Display` text).
#[macro_export]
macro_rules! msg {
    ($id:literal) => {
        $crate::i18n::Msg { id: $id, args: Vec::new() }
    };
    ($id:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::i18n::Msg { id: $id, args: vec![$((stringify!($k), ($v).to_string())),+] }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_chooses_the_language() {
        assert_eq!(Lang::from_locale("vi_VN.UTF-8"), Lang::Vi);
        assert_eq!(Lang::from_locale("vi"), Lang::Vi);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn a_message_is_formatted_in_either_language() {
        let n = |count: usize| [("count", FluentValue::from(count))];
        assert_eq!(
            tr_in(Lang::Vi, "apply-confirm", &n(1)),
            "Thực hiện 1 thay đổi? [y/N] "
        );
        assert_eq!(tr_in(Lang::En, "apply-confirm", &n(1)), "Apply 1 change? [y/N] ");
        assert_eq!(tr_in(Lang::En, "apply-confirm", &n(2)), "Apply 2 changes? [y/N] ");
        assert_eq!(tr_in(Lang::Vi, "no-such-message", &[]), "no-such-message");
    }
}
