//! The two server files, read and written as a good guest: every line mailops does not change is written
//! back byte for byte, in its place (comments, blank lines, hand-made accounts, extra fields, empty uid and
//! gid, aliases with several targets, catch-alls). A changed line keeps every field mailops does not manage.
//!
//! - passwd-file: `user:password:uid:gid:gecos:home:shell:extra fields` (Dovecot). A line whose user is not
//!   an address of mailops's grammar is kept as it is and never read as an account. A line whose home is not
//!   under the backend's root is refused: mailops never follows a path it was not given.
//! - virtual map: `alias target` (Postfix). Only lines of exactly one address and one target address are
//!   read as aliases; every other line is kept as it is.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::desired::{Address, Quota};

const QUOTA_RULE: &str = "userdb_quota_rule=*:storage=";
const SUSPENDED: &str = "reason=account-suspended";

/// Where a line was in its file: lines are written back in this order, new ones at the end.
pub(crate) type Pos = u64;

/// The lines of a file, each as it is (a `\r` before the newline stays part of its line, so a file with
/// Windows line endings is written back as it was).
pub(crate) fn file_lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n').filter(move |_| !text.is_empty())
}

/// A passwd line as it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadLine {
    pos: Pos,
    /// The line ended with `\r\n` (a file saved on Windows): the `\r` is not part of its last field, and
    /// is written back.
    cr: bool,
    /// Its fields (the eighth holds the extra fields, with any `:` in them).
    fields: Vec<String>,
    quota: Option<Quota>,
    nologin: bool,
}

/// One account of the passwd-file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PasswdEntry {
    pub address: Address,
    pub hash: String,
    /// For a line mailops writes: the owner of new mailboxes.
    pub uid: u32,
    pub gid: u32,
    /// The mailbox folder: the line's home, or the derived one when the line has none.
    pub home: PathBuf,
    pub quota: Option<Quota>,
    pub nologin: bool,
    /// The line as read; `None` for an account mailops adds.
    pub read: Option<ReadLine>,
}

/// Why a passwd line is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LineError {
    /// The home is not under the root.
    /// (The message names the line, never its content: it reaches `/status` and logs.)
    #[error(
        "line {line}: its home is outside {root}; mailops manages only mailboxes under its folder (fix or remove the line)"
    )]
    HomeOutside { line: usize, root: String },
}

fn extras(text: &str) -> impl Iterator<Item = &str> {
    text.split(' ').filter(|t| !t.is_empty())
}

fn quota_of(extra: &str) -> Option<Quota> {
    extras(extra)
        .find_map(|f| f.strip_prefix(QUOTA_RULE))
        .and_then(|v| v.strip_suffix('M'))
        .and_then(|v| v.parse::<u64>().ok())
        .and_then(|mib| mib.checked_mul(1 << 20))
        .map(Quota::Bytes)
}

fn nologin_of(extra: &str) -> bool {
    extras(extra).any(|f| f == "nologin=y" || f == "nologin")
}

/// Whether `home` is the root or under it, with no `..` and no relative part.
fn under(root: &Path, home: &Path) -> bool {
    home.is_absolute()
        && !home
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
        && home.starts_with(root)
}

/// A relative home that an earlier release of mailops wrote itself (`maildir:demo-mail` gave
/// `demo-mail/mail/DOMAIN/LOCAL`, relative to the folder it ran in), read back as the derived home: only
/// when it names this address's own mailbox under a folder whose name ends the root's path. The line is
/// written back with the absolute home at the next change.
fn written_relative(
    root: &Path,
    home: &str,
    address: &Address,
    derived: impl Fn(&Address) -> PathBuf,
) -> Option<PathBuf> {
    let home = Path::new(home);
    if home.is_absolute() {
        return None;
    }
    // The folder it was run from may have been the root's parent or below it: `./`, `../` lead the way.
    let rest: Vec<Component<'_>> = home
        .components()
        .skip_while(|c| matches!(c, Component::CurDir | Component::ParentDir))
        .collect();
    if rest.iter().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let tail = Path::new("mail").join(address.domain()).join(address.local());
    let whole: PathBuf = rest.iter().collect();
    if !whole.ends_with(&tail) {
        return None;
    }
    let prefix: PathBuf = rest[..rest.len() - 3].iter().collect();
    root.ends_with(&prefix).then(|| derived(address))
}

impl PasswdEntry {
    /// A new account's line.
    pub(crate) fn new(address: Address, hash: String, owner: (u32, u32), home: PathBuf) -> Self {
        Self {
            address,
            hash,
            uid: owner.0,
            gid: owner.1,
            home,
            quota: None,
            nologin: false,
            read: None,
        }
    }

    /// Reads line number `number` (from 1) at `pos`: `Ok(None)` when it is not an account mailops reads
    /// (a comment, a blank line, a user that is not an address); `derived` gives the home of an address.
    pub(crate) fn parse(
        line: &str,
        number: usize,
        pos: Pos,
        root: &Path,
        derived: impl Fn(&Address) -> PathBuf,
    ) -> Result<Option<Self>, LineError> {
        if line.trim().is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        let (line, cr) = match line.strip_suffix('\r') {
            Some(l) => (l, true),
            None => (line, false),
        };
        let fields: Vec<String> = line.splitn(8, ':').map(str::to_string).collect();
        if fields.len() < 2 {
            return Ok(None);
        }
        let Ok(address) = fields[0].parse::<Address>() else {
            return Ok(None);
        };
        // Only an address written exactly as mailops would write it is an account it reads.
        if address.as_str() != fields[0] {
            return Ok(None);
        }
        let home_field = fields.get(5).map_or("", String::as_str);
        let home = if home_field.is_empty() {
            derived(&address)
        } else if let Some(home) = written_relative(root, home_field, &address, &derived) {
            home
        } else {
            let home = PathBuf::from(home_field);
            if !under(root, &home) {
                return Err(LineError::HomeOutside {
                    line: number,
                    root: root.display().to_string(),
                });
            }
            home
        };
        let extra = fields.get(7).map_or("", String::as_str);
        let (quota, nologin) = (quota_of(extra), nologin_of(extra));
        Ok(Some(Self {
            address,
            hash: fields[1].clone(),
            uid: 0,
            gid: 0,
            home,
            quota,
            nologin,
            read: Some(ReadLine {
                pos,
                cr,
                fields,
                quota,
                nologin,
            }),
        }))
    }

    /// The line's comment (GECOS) field as a person's name, when a person wrote one: a hand-made account's
    /// name (mailops keeps its own names apart, in the metadata file).
    pub(crate) fn comment(&self) -> Option<&str> {
        let text = self.read.as_ref()?.fields.get(4)?.trim();
        (!text.is_empty()).then_some(text)
    }

    /// Where the line goes: its place when it was read, the end for a new one.
    pub(crate) fn pos(&self) -> Pos {
        self.read.as_ref().map_or(Pos::MAX, |r| r.pos)
    }

    /// The line: as read where nothing changed, with only the changed fields replaced otherwise.
    pub(crate) fn line(&self) -> String {
        let Some(read) = &self.read else {
            let mut extra = vec!["userdb_mail=maildir:~/Maildir".to_string()];
            if let Some(mib) = self.quota.and_then(Quota::mebibytes) {
                extra.push(format!("{QUOTA_RULE}{mib}M"));
            }
            if self.nologin {
                extra.push(format!("nologin=y {SUSPENDED}"));
            }
            return format!(
                "{}:{}:{}:{}::{}::{}",
                self.address,
                self.hash,
                self.uid,
                self.gid,
                self.home.display(),
                extra.join(" ")
            );
        };
        let mut fields = read.fields.clone();
        if fields[0] != self.address.as_str() {
            fields[0] = self.address.to_string();
        }
        if fields[1] != self.hash {
            fields[1].clone_from(&self.hash);
        }
        let home_changed = fields
            .get(5)
            .is_some_and(|h| !h.is_empty() && Path::new(h) != self.home);
        let quota_changed = read.quota != self.quota;
        let nologin_changed = read.nologin != self.nologin;
        if home_changed || quota_changed || nologin_changed {
            while fields.len() < 8 {
                fields.push(String::new());
            }
        }
        if home_changed {
            fields[5] = self.home.display().to_string();
        }
        if quota_changed || nologin_changed {
            let mut tokens: Vec<String> = fields[7].split(' ').map(str::to_string).collect();
            if quota_changed {
                tokens.retain(|t| !t.starts_with(QUOTA_RULE));
                if let Some(mib) = self.quota.and_then(Quota::mebibytes) {
                    tokens.push(format!("{QUOTA_RULE}{mib}M"));
                }
            }
            if nologin_changed {
                tokens.retain(|t| t != "nologin=y" && t != "nologin" && t != SUSPENDED);
                if self.nologin {
                    tokens.push("nologin=y".into());
                    tokens.push(SUSPENDED.into());
                }
            }
            tokens.retain(|t| !t.is_empty());
            fields[7] = tokens.join(" ");
        }
        let mut line = fields.join(":");
        if read.cr {
            line.push('\r');
        }
        line
    }
}

/// The lines of the virtual map that are aliases mailops reads: where each was and how it read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AliasLines {
    /// alias → (position, the line, its target).
    read: BTreeMap<Address, (Pos, String, Address)>,
    /// The file's lines end with `\r\n`: the lines mailops writes do too.
    crlf: bool,
}

/// Reads the virtual map: the aliases, where they were, and every other line as it was.
pub(crate) fn parse_virtual(text: &str) -> (BTreeMap<Address, Address>, AliasLines, Vec<(Pos, String)>) {
    let mut aliases = BTreeMap::new();
    let mut lines = AliasLines::default();
    let mut kept = Vec::new();
    for (i, line) in file_lines(text).enumerate() {
        let pos = i as Pos;
        let mut parts = line.split_whitespace();
        let parsed = match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(t), None) if !line.starts_with('#') => a
                .parse::<Address>()
                .ok()
                .filter(|x| x.as_str() == a)
                .zip(t.parse::<Address>().ok().filter(|x| x.as_str() == t)),
            _ => None,
        };
        match parsed {
            Some((alias, target)) if !aliases.contains_key(&alias) => {
                lines.crlf |= line.ends_with('\r');
                aliases.insert(alias.clone(), target.clone());
                lines.read.insert(alias, (pos, line.to_string(), target));
            }
            _ => kept.push((pos, line.to_string())),
        }
    }
    (aliases, lines, kept)
}

/// Writes the virtual map: kept lines and unchanged aliases as they were, changed ones in their place, new
/// ones at the end.
pub(crate) fn render_virtual(
    aliases: &BTreeMap<Address, Address>,
    lines: &AliasLines,
    kept: &[(Pos, String)],
) -> String {
    let mut out: Vec<(Pos, String)> = kept.to_vec();
    if out.is_empty() && lines.read.is_empty() {
        out.push((0, "# managed by mailops: alias target".to_string()));
    }
    let cr = if lines.crlf || kept.iter().any(|(_, l)| l.ends_with('\r')) {
        "\r"
    } else {
        ""
    };
    for (alias, target) in aliases {
        out.push(match lines.read.get(alias) {
            Some((pos, line, t)) if t == target => (*pos, line.clone()),
            Some((pos, _, _)) => (*pos, format!("{alias} {target}{cr}")),
            None => (Pos::MAX, format!("{alias} {target}{cr}")),
        });
    }
    in_order(out)
}

/// The lines in the order of their positions (a stable sort: new lines keep their order), one per line.
fn in_order(mut lines: Vec<(Pos, String)>) -> String {
    lines.sort_by_key(|(p, _)| *p);
    let mut text = String::new();
    for (_, line) in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Writes the passwd-file: kept lines and unchanged accounts as they were, new accounts at the end.
pub(crate) fn render_passwd<'a>(
    entries: impl Iterator<Item = &'a PasswdEntry>,
    kept: &[(Pos, String)],
) -> String {
    let entries: Vec<&PasswdEntry> = entries.collect();
    // A file saved on Windows gets Windows line ends on the lines mailops adds too.
    let crlf = kept.iter().any(|(_, l)| l.ends_with('\r'))
        || entries.iter().any(|e| e.read.as_ref().is_some_and(|r| r.cr));
    let mut out: Vec<(Pos, String)> = kept.to_vec();
    out.extend(entries.iter().map(|e| {
        let mut line = e.line();
        if crlf && e.read.is_none() {
            line.push('\r');
        }
        (e.pos(), line)
    }));
    in_order(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from("/srv/mail")
    }

    fn derived(a: &Address) -> PathBuf {
        root().join("mail").join(a.domain()).join(a.local())
    }

    fn read(line: &str) -> PasswdEntry {
        PasswdEntry::parse(line, 1, 0, &root(), derived).unwrap().unwrap()
    }

    #[test]
    fn an_unchanged_line_is_written_back_byte_for_byte() {
        for line in [
            "a@x.vn:{SHA512-CRYPT}$6$abc:::::: allow_nets=10.0.0.0/8  userdb_mail=maildir:/srv/mail/x/a",
            "a@x.vn:{PLAIN}pw:1000:1000:Nguyen A:/srv/mail/mail/x.vn/a:/bin/false:userdb_quota_rule=*:storage=10M",
            "a@x.vn:{PLAIN}pw",
        ] {
            assert_eq!(read(line).line(), line);
        }
    }

    #[test]
    fn a_change_replaces_only_its_field() {
        let line = "a@x.vn:{PLAIN}pw:::::: allow_nets=10.0.0.0/8 userdb_quota_rule=*:storage=10M";
        let mut e = read(line);
        e.quota = Some(Quota::Bytes(20 << 20));
        e.nologin = true;
        assert_eq!(
            e.line(),
            "a@x.vn:{PLAIN}pw::::::allow_nets=10.0.0.0/8 userdb_quota_rule=*:storage=20M nologin=y reason=account-suspended"
        );
        e.nologin = false;
        e.quota = Some(Quota::Bytes(10 << 20));
        let back = e.line();
        assert!(
            back.contains("allow_nets=10.0.0.0/8") && !back.contains("nologin"),
            "{back}"
        );
    }

    #[test]
    fn homes_outside_the_root_are_refused_and_others_not_read() {
        for outside in [
            "a@x.vn:h:1:1::/prod/mail/x.vn/a::",
            "a@x.vn:h:1:1::/srv/mail/../etc::",
            "a@x.vn:h:1:1::relative/a::",
        ] {
            assert!(
                PasswdEntry::parse(outside, 3, 0, &root(), derived).is_err(),
                "{outside}"
            );
        }
        for not_ours in ["# comment", "", "root:x:0:0", "\"q\"@x.vn:h", "A@X.vn:h"] {
            assert_eq!(
                PasswdEntry::parse(not_ours, 1, 0, &root(), derived).unwrap(),
                None,
                "{not_ours}"
            );
        }
    }

    #[test]
    fn a_relative_home_mailops_wrote_is_read_back_as_its_mailbox_and_rewritten_absolute() {
        let root = PathBuf::from("/work/demo-mail");
        let derived = |a: &Address| root.join("mail").join(a.domain()).join(a.local());
        for (line, home) in [
            (
                "a@x.vn:h:1:1::demo-mail/mail/x.vn/a::",
                Some("/work/demo-mail/mail/x.vn/a"),
            ),
            (
                "a@x.vn:h:1:1::./demo-mail/mail/x.vn/a::",
                Some("/work/demo-mail/mail/x.vn/a"),
            ),
            (
                "a@x.vn:h:1:1::../demo-mail/mail/x.vn/a::",
                Some("/work/demo-mail/mail/x.vn/a"),
            ),
            ("a@x.vn:h:1:1::mail/x.vn/a::", Some("/work/demo-mail/mail/x.vn/a")),
            // Someone else's mailbox, another folder, a way out: refused as before.
            ("a@x.vn:h:1:1::demo-mail/mail/x.vn/b::", None),
            ("a@x.vn:h:1:1::other/mail/x.vn/a::", None),
            ("a@x.vn:h:1:1::demo-mail/../etc/mail/x.vn/a::", None),
        ] {
            let read = PasswdEntry::parse(line, 1, 0, &root, derived);
            match home {
                Some(home) => {
                    let e = read.unwrap().unwrap();
                    assert_eq!(e.home, Path::new(home), "{line}");
                    assert_eq!(e.line(), format!("a@x.vn:h:1:1::{home}::"), "{line}");
                }
                None => assert!(read.is_err(), "{line}"),
            }
        }
    }

    #[test]
    fn hand_made_virtual_lines_are_kept() {
        let text = "# aliases\nabuse@x.vn root\n@x.vn catchall@x.vn\nsales@x.vn a@x.vn, b@x.vn\nk@x.vn a@x.vn\n\nold@x.vn a@x.vn\n";
        let (mut aliases, lines, kept) = parse_virtual(text);
        assert_eq!(aliases.len(), 2);
        assert_eq!(render_virtual(&aliases, &lines, &kept), text);
        aliases.remove(&"old@x.vn".parse().unwrap());
        aliases.insert("new@x.vn".parse().unwrap(), "a@x.vn".parse().unwrap());
        assert_eq!(
            render_virtual(&aliases, &lines, &kept),
            "# aliases\nabuse@x.vn root\n@x.vn catchall@x.vn\nsales@x.vn a@x.vn, b@x.vn\nk@x.vn a@x.vn\n\nnew@x.vn a@x.vn\n"
        );
    }
}
