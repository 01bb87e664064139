//! Rule III.3's attachment policy, rendered for the mail server: a Postfix `mime_header_checks` table and
//! rspamd's configuration.
//!
//! The lists come from a validated Organization: every file type is 1 to 16 lowercase ASCII letters or
//! digits and the cited rule is plain ASCII (`desired::organization`), so nothing from a manifest can change
//! the shape of a regular expression, a Postfix action or a Lua string.
//!
//! # What each covers
//! - **Postfix** sees one MIME header at a time: the `name=` of Content-Type and the `filename=` of
//!   Content-Disposition, quoted or not, any case, RFC 2231 (`filename*=UTF-8''b%C3%A1o.exe`, continuations
//!   `filename*1*=…`), percent- or Q-encoded dots and letters, Windows' ignored trailing dots and spaces, and
//!   a forbidden type inside a compressed one by name (`x.exe.gz`).
//! - **rspamd** decodes what a regular expression cannot: RFC 2047 names (`=?UTF-8?B?…?=`), a name split
//!   across continuations, and the files inside an archive.

use crate::desired::Organization;
use crate::manifest::UnlistedAttachments;

/// The first line of every file mailops renders (after the comment marker): files without it were not
/// written by mailops and are never replaced.
pub const MARKER: &str = "Managed by mailops";

/// The policy, from the Organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The Organization's name (a DNS label).
    pub organization: String,
    /// Document types allowed.
    pub allowed: Vec<String>,
    /// Archive types allowed.
    pub compressed: Vec<String>,
    /// Types refused.
    pub forbidden: Vec<String>,
    /// Whether types in no list are refused.
    pub reject_unlisted: bool,
    /// The rule cited, e.g. `III.3`.
    pub rule: Option<String>,
    /// Whether the Organization declares a policy at all.
    pub declared: bool,
}

impl Policy {
    /// The Organization's policy, `None` when it declares none.
    #[must_use]
    pub fn of(org: &Organization) -> Option<Self> {
        let a = org.attachments.as_ref()?;
        Some(Self {
            organization: Self::label(&org.name),
            allowed: a.allowed.clone(),
            compressed: a.compressed.clone(),
            forbidden: a.forbidden.clone(),
            reject_unlisted: a.unlisted == UnlistedAttachments::Reject,
            rule: a.rule.clone(),
            declared: true,
        })
    }

    /// The Organization's policy, or one that refuses nothing when it declares none (what is installed
    /// then, so that removing the policy from git removes it from the server).
    #[must_use]
    pub fn of_or_none(org: &Organization) -> Self {
        Self::of(org).unwrap_or_else(|| Self {
            organization: Self::label(&org.name),
            allowed: Vec::new(),
            compressed: Vec::new(),
            forbidden: Vec::new(),
            reject_unlisted: false,
            rule: None,
            declared: false,
        })
    }

    fn label(name: &str) -> String {
        name.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
            .collect()
    }

    /// `(rule III.3)`, or nothing.
    fn cite(&self, en: bool) -> String {
        match &self.rule {
            Some(r) if en => format!(" (rule {r})"),
            Some(r) => format!(" (muc {r})"),
            None => String::new(),
        }
    }

    /// The SMTP text of a rejection of a forbidden type (ASCII: SMTP replies are 7-bit).
    #[must_use]
    pub fn forbidden_message(&self, ext: &str) -> String {
        format!(
            "5.7.1 Attachment type .{ext} is forbidden by the agency's mail rules{}; tep dinh kem .{ext} bi cam theo noi quy thu dien tu{}",
            self.cite(true),
            self.cite(false)
        )
    }

    /// The SMTP text of a rejection of one of the forbidden types, not named (rspamd's message is one per
    /// rule).
    #[must_use]
    pub fn forbidden_any_message(&self) -> String {
        let mut types: Vec<String> = self.forbidden.iter().map(|e| format!(".{e}")).collect();
        let more = types.len() > 20;
        types.truncate(20);
        format!(
            "5.7.1 Attachment of a forbidden type ({}{}) refused by the agency's mail rules{}; tep dinh kem thuoc loai bi cam theo noi quy thu dien tu{}",
            types.join(" "),
            if more { " ..." } else { "" },
            self.cite(true),
            self.cite(false)
        )
    }

    /// The SMTP text of a rejection of a type in no list.
    #[must_use]
    pub fn unlisted_message(&self) -> String {
        let mut types: Vec<&str> = self
            .allowed
            .iter()
            .chain(&self.compressed)
            .map(String::as_str)
            .collect();
        let more = types.len() > 20;
        types.truncate(20);
        format!(
            "5.7.1 Attachment type not allowed by the agency's mail rules{}: allowed {}{}; loai tep dinh kem khong duoc phep{}",
            self.cite(true),
            types.join(" "),
            if more { " ..." } else { "" },
            self.cite(false)
        )
    }
}

/// Which Postfix lookup table type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Table {
    /// `pcre:` (Debian's postfix-pcre).
    Pcre,
    /// `regexp:` (POSIX, built into every Postfix).
    Regexp,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Pcre => "pcre",
            Table::Regexp => "regexp",
        }
    }
}

/// One character of a file type as a MIME parameter may write it: itself, percent-encoded (RFC 2231) or
/// Q-encoded (RFC 2047). Postfix tables match without regard to case, so `%2E` and `%2e` are both found.
fn char_pattern(c: char) -> String {
    let hex = format!("{:02x}", u32::from(c));
    if c == '.' {
        format!("(\\.|%{hex}|={hex})")
    } else {
        format!("({c}|%{hex}|={hex})")
    }
}

/// `.ext` in every way a parameter may write it.
fn dot_ext(ext: &str) -> String {
    std::iter::once('.')
        .chain(ext.chars())
        .map(char_pattern)
        .collect()
}

/// A parameter `name`/`filename` (with RFC 2231's `*`, `*0`, `*0*`) whose value ends in one of `ends`
/// (already patterns), quoted or not, followed by the Windows-ignored trailing dots and spaces.
/// The syntax is common to PCRE and POSIX extended expressions: `[^"\\]` is "neither quote nor backslash"
/// in both.
fn parameter_ending_in(ends: &str) -> String {
    const PARAM: &str = r";[[:space:]]*(file)?name(\*[0-9]+)?\*?[[:space:]]*=[[:space:]]*";
    format!(
        r#"{PARAM}("([^"\\]|\\.)*({ends})[.[:space:]]*(\?=)?"|[^[:space:]";]*({ends})\.*(\?=)?)[[:space:]]*(;|$)"#
    )
}

/// The `mime_header_checks` table.
#[must_use]
pub fn postfix(policy: &Policy, table: Table) -> String {
    let t = table.name();
    let mut out = format!(
        "# {MARKER} from Organization {org} (spec.attachments{rule}): do not edit, mailops replaces this file.\n\
         # In main.cf:  mime_header_checks = {t}:/etc/postfix/mailops-attachments.{t}\n\
         # Forbidden types are refused by name, in Content-Type's name= and Content-Disposition's filename=,\n\
         # also inside a compressed type's name (x.exe.gz); RFC 2047 names and archive contents need rspamd.\n",
        org = policy.organization,
        rule = policy
            .rule
            .as_ref()
            .map(|r| format!(", rule {r}"))
            .unwrap_or_default(),
    );
    if !policy.declared {
        out.push_str("# The Organization declares no attachment policy: nothing is refused.\n");
    }
    out.push_str("if /^Content-(Type|Disposition)[[:space:]]*:/\n");
    let compressed: Vec<String> = policy.compressed.iter().map(|c| dot_ext(c)).collect();
    let inside = if compressed.is_empty() {
        String::new()
    } else {
        format!("({})?", compressed.join("|"))
    };
    for ext in &policy.forbidden {
        out.push_str(&format!(
            "/{}/ REJECT {}\n",
            parameter_ending_in(&format!("{}{inside}", dot_ext(ext))),
            policy.forbidden_message(ext)
        ));
    }
    if policy.reject_unlisted {
        let allowed: Vec<String> = policy
            .allowed
            .iter()
            .chain(&policy.compressed)
            .map(|e| dot_ext(e))
            .collect();
        out.push_str("# Any other named attachment: refused unless its type is allowed.\n");
        out.push_str(r"if /;[[:space:]]*(file)?name(\*[0-9]+)?\*?[[:space:]]*=/");
        out.push('\n');
        if allowed.is_empty() {
            out.push_str(&format!("/./ REJECT {}\n", policy.unlisted_message()));
        } else {
            out.push_str(&format!(
                "!/{}/ REJECT {}\n",
                parameter_ending_in(&allowed.join("|")),
                policy.unlisted_message()
            ));
        }
        out.push_str("endif\n");
    }
    out.push_str("endif\n");
    out
}

/// rspamd's files, relative to its local configuration folder (`/etc/rspamd`).
#[must_use]
pub fn rspamd(policy: &Policy) -> Vec<(&'static str, String)> {
    let header = |c: &str| {
        format!(
            "{c} {MARKER} from Organization {} (spec.attachments): do not edit, mailops replaces this file.\n",
            policy.organization
        )
    };
    let table = |exts: &[String], score: &str| {
        exts.iter()
            .map(|e| format!("  {e} = {score};\n"))
            .collect::<String>()
    };
    let mime_types = format!(
        "{}# Forbidden types raise MIME_BAD_EXTENSION, in archives too; the rejection itself is force_actions.conf's.\n\
         bad_extensions {{\n{}}}\n\
         bad_archive_extensions {{\n{}}}\n",
        header("#"),
        table(&policy.forbidden, "8"),
        table(&policy.forbidden, "8"),
    );
    let lua_set = |exts: &[String]| {
        exts.iter()
            .map(|e| format!("[\"{e}\"] = true"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lua = format!(
        r#"{header}-- Rule III.3 on every named part and every file inside an archive, with names decoded by rspamd
-- (RFC 2047 and RFC 2231). Symbols: MAILOPS_FORBIDDEN_ATTACHMENT, MAILOPS_UNLISTED_ATTACHMENT (option: the
-- file's name); force_actions.conf turns them into a rejection.
local allowed = {{ {allowed} }}
local compressed = {{ {compressed} }}
local forbidden = {{ {forbidden} }}
local reject_unlisted = {reject_unlisted}

-- The last extension and the one before it, lowercase; Windows ignores trailing dots and spaces.
local function extensions(name)
  name = name:gsub('[%s%.]+$', '')
  local stem, ext = name:match('^(.*)%.([^%.]+)$')
  if not ext then return '', nil end
  local ext2 = stem:match('%.([^%.]+)$')
  return ext:lower(), ext2 and ext2:lower()
end

local function verdict(name)
  local ext, ext2 = extensions(name)
  if forbidden[ext] or (compressed[ext] and ext2 and forbidden[ext2]) then return 'forbidden' end
  if reject_unlisted and not (allowed[ext] or compressed[ext]) then return 'unlisted' end
  return nil
end

local function names(task)
  local found = {{}}
  for _, part in ipairs(task:get_parts() or {{}}) do
    local name = part:get_filename()
    if name then table.insert(found, name) end
    if part:is_archive() then
      local archive = part:get_archive()
      for _, f in ipairs(archive:get_files_full(1000) or {{}}) do
        if f['name'] then table.insert(found, f['name']) end
      end
    end
  end
  return found
end

local function check(wanted)
  return function(task)
    for _, name in ipairs(names(task)) do
      if verdict(name) == wanted then
        return true, 1.0, name
      end
    end
    return false
  end
end

rspamd_config:register_symbol({{
  name = 'MAILOPS_FORBIDDEN_ATTACHMENT', type = 'normal', score = 0.0, group = 'mailops',
  description = 'An attachment of a forbidden type (mailops, rule III.3)', callback = check('forbidden'),
}})
rspamd_config:register_symbol({{
  name = 'MAILOPS_UNLISTED_ATTACHMENT', type = 'normal', score = 0.0, group = 'mailops',
  description = 'An attachment of a type not allowed (mailops, rule III.3)', callback = check('unlisted'),
}})
"#,
        header = header("--"),
        allowed = lua_set(&policy.allowed),
        compressed = lua_set(&policy.compressed),
        forbidden = lua_set(&policy.forbidden),
        reject_unlisted = policy.reject_unlisted,
    );
    let forbidden_message = policy.forbidden_any_message();
    let force = format!(
        "{}rules {{\n  MAILOPS_FORBIDDEN_ATTACHMENT {{\n    action = \"reject\";\n    expression = \"MAILOPS_FORBIDDEN_ATTACHMENT\";\n    message = \"{}\";\n  }}\n{}}}\n",
        header("#"),
        forbidden_message,
        if policy.reject_unlisted {
            format!(
                "  MAILOPS_UNLISTED_ATTACHMENT {{\n    action = \"reject\";\n    expression = \"MAILOPS_UNLISTED_ATTACHMENT\";\n    message = \"{}\";\n  }}\n",
                policy.unlisted_message()
            )
        } else {
            String::new()
        }
    );
    vec![
        ("local.d/mime_types.conf", mime_types),
        ("local.d/force_actions.conf", force),
        ("local.d/rspamd.lua", lua),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            organization: "bdt".into(),
            allowed: vec!["pdf".into(), "ods".into()],
            compressed: vec!["zip".into(), "gz".into()],
            forbidden: vec!["exe".into()],
            reject_unlisted: true,
            rule: Some("III.3".into()),
            declared: true,
        }
    }

    #[test]
    fn a_file_type_matches_plain_percent_and_q_encoded() {
        assert_eq!(dot_ext("ex"), "(\\.|%2e|=2e)(e|%65|=65)(x|%78|=78)");
        let table = postfix(&policy(), Table::Pcre);
        assert!(
            table.starts_with("# Managed by mailops from Organization bdt (spec.attachments, rule III.3)")
        );
        assert!(table.contains("REJECT 5.7.1 Attachment type .exe is forbidden"));
        assert!(table.contains("!/;"));
        assert_eq!(
            table.matches("\nif ").count() + usize::from(table.starts_with("if ")),
            2
        );
        assert_eq!(table.matches("endif").count(), 2);
    }

    #[test]
    fn unlisted_accepted_means_no_second_block() {
        let mut p = policy();
        p.reject_unlisted = false;
        let table = postfix(&p, Table::Regexp);
        assert!(!table.contains("!/"));
        assert_eq!(table.matches("endif").count(), 1);
        assert!(!rspamd(&p)[1].1.contains("MAILOPS_UNLISTED"));
    }
}
