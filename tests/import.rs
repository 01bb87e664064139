//! `mailops import` through the binary: the example applied to the maildir backend and imported back (with
//! and without the staff list), a hand-made server whose accounts break rule II.2, the appendix as .xlsx,
//! .ods and .xls, and the refusals (a folder that is not empty, a list with bad rows). After every import:
//! `validate` passes, `plan` shows no changes, and the server's files are byte for byte as before.
//! (The same round trip on a real Modoboa is in tests/modoboa.rs.)

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{AppendixRow, Run, mailops};
use mailops::desired::DesiredState;

/// A maildir server with the example applied, and a folder for imports.
struct Server {
    dir: tempfile::TempDir,
}

impl Server {
    fn example() -> Self {
        let s = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        let r = mailops(&[
            "apply",
            common::EXAMPLE,
            "--server",
            &s.url(),
            "--date",
            "2026-12-01",
        ]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        s
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    fn url(&self) -> String {
        format!("maildir:{}", self.root().display())
    }

    fn out(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// The server's own files (not mailops's state, journal or audit log), by path.
    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        common::files_below(&self.root())
            .into_iter()
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                !name.starts_with("mailops-state") && !name.starts_with(".mailops")
            })
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect()
    }
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

fn state(path: &str) -> DesiredState {
    mailops::source::revision::folder(Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Person by address: (full name, quota, unit name, title, backup e-mail, suspended).
type People = BTreeMap<
    String,
    (
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        bool,
    ),
>;

fn people(s: &DesiredState) -> People {
    s.mailboxes
        .iter()
        .map(|m| {
            let unit = s.organization.unit(&m.unit).unwrap().name.clone();
            (
                m.address.to_string(),
                (
                    m.full_name.clone(),
                    m.quota.map(|q| q.to_string()),
                    unit,
                    m.title.clone(),
                    m.backup_email.clone(),
                    m.state == mailops::manifest::MailboxState::Suspended,
                ),
            )
        })
        .collect()
}

/// The agency mailboxes: address → (owner's address, delegates' addresses, quota, display name).
fn shared(s: &DesiredState) -> BTreeMap<String, (String, Vec<String>, Option<String>, String)> {
    let address = |name: &str| s.mailbox(name).unwrap().address.to_string();
    s.shared_mailboxes
        .iter()
        .map(|x| {
            (
                x.address.to_string(),
                (
                    address(&x.owner),
                    x.delegates.iter().map(|d| address(d)).collect(),
                    x.quota.map(|q| q.to_string()),
                    x.display_name.clone(),
                ),
            )
        })
        .collect()
}

fn plan_is_empty(repo: &str, server: &str) {
    let r = mailops(&["plan", repo, "--server", server]);
    assert_eq!(r.code, 0, "plan after import:\n{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("No changes"), "{}", r.stdout);
    let v = mailops(&["validate", repo]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

#[test]
fn the_example_on_maildir_imports_back_to_itself() {
    let s = Server::example();
    let before = s.files();
    let example = state(common::EXAMPLE);
    // From the server alone: every person, address, quota and the agency mailbox; units to assign.
    let out = s.out("from-server");
    let r = mailops(&["import", "--server", &s.url(), "--out", &out, "--output", "json"]);
    ok(&r);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["planChanges"], 0, "{}", r.stdout);
    assert_eq!(report["report"]["followRule"], 24);
    assert_eq!(report["report"]["needReason"].as_array().unwrap().len(), 0);
    assert_eq!(report["report"]["unitsToAssign"].as_array().unwrap().len(), 24);
    assert_eq!(report["report"]["sharedMailboxes"], 1);
    plan_is_empty(&out, &s.url());
    let imported = state(&out);
    let strip = |p: People| -> BTreeMap<String, (String, Option<String>, bool)> {
        p.into_iter().map(|(a, v)| (a, (v.0, v.1, v.5))).collect()
    };
    assert_eq!(strip(people(&imported)), strip(people(&example)));
    assert_eq!(shared(&imported), shared(&example));
    // No address written where the rule derives it: the manifests carry the name only.
    let k_rem = std::fs::read_to_string(Path::new(&out).join("staff/unassigned/k-rem.yaml")).unwrap();
    assert!(
        k_rem.contains("fullName: K'Rẻm") && !k_rem.contains("address:"),
        "{k_rem}"
    );

    // With the staff list (the directory's own CSV): units, titles and backup e-mails too.
    let csv = s.dir.path().join("staff.csv");
    let d = mailops(&["directory", common::EXAMPLE, "--format", "csv"]);
    ok(&d);
    std::fs::write(&csv, &d.stdout).unwrap();
    let out2 = s.out("with-list");
    let r = mailops(&[
        "import",
        "--server",
        &s.url(),
        "--from",
        &csv.display().to_string(),
        "--out",
        &out2,
        "--short-name",
        "bdt",
        "--lang",
        "en",
    ]);
    ok(&r);
    assert!(r.stdout.contains("Plan: no changes."), "{}", r.stdout);
    assert!(!r.stdout.contains("Units to assign"), "{}", r.stdout);
    plan_is_empty(&out2, &s.url());
    let imported = state(&out2);
    assert_eq!(people(&imported), people(&example));
    assert_eq!(shared(&imported), shared(&example));
    // The directory reads the same from both repositories: the list round-trips.
    let again = mailops(&["directory", &out2, "--format", "csv"]);
    ok(&again);
    assert_eq!(again.stdout, d.stdout);

    // Nothing of the server was written by either import.
    assert_eq!(s.files(), before);
}

#[test]
fn a_hand_made_server_imports_with_reasons_for_each_exception() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mail");
    std::fs::create_dir_all(root.join("mail")).unwrap();
    // Accounts made by hand, as an administrator writes them: names in the comment field.
    let hash = "{SHA512-CRYPT}$6$x$y";
    let lines = [
        ("anvtt@bdt.binhthuan.gov.vn", "Võ Thị Thu An", ""),
        ("an.vo@bdt.binhthuan.gov.vn", "Võ Văn An", ""),
        ("lienntn.vp@bdt.binhthuan.gov.vn", "Nguyễn Thị Ngọc Liên", ""),
        ("liennt1@bdt.binhthuan.gov.vn", "Nguyễn Thị Liên", ""),
        ("lienntn@bdt.binhthuan.gov.vn", "Nguyễn Thị Ngọc Liên", ""),
        ("hoamd.bdt@bdt.binhthuan.gov.vn", "Mai Đắc Hòa", ""),
        ("ketoan@bdt.binhthuan.gov.vn", "", " nologin=y"),
        ("senm@binhthuan.gov.vn", "Mai Sên", ""),
    ];
    let mut passwd = String::from("# made by hand\n");
    for (a, name, extra) in lines {
        passwd.push_str(&format!("{a}:{hash}:1000:1000:{name}:::{extra}\n"));
    }
    std::fs::write(root.join("passwd"), &passwd).unwrap();
    std::fs::write(
        root.join("virtual"),
        "thuvien@bdt.binhthuan.gov.vn anvtt@bdt.binhthuan.gov.vn\n",
    )
    .unwrap();
    let url = format!("maildir:{}", root.display());
    let out = dir.path().join("repo").display().to_string();
    let r = mailops(&[
        "import",
        "--server",
        &url,
        "--out",
        &out,
        "--short-name",
        "bdt",
        "--lang",
        "en",
    ]);
    ok(&r);
    // The report names each exception and what the rule would give.
    for line in [
        "an.vo@bdt.binhthuan.gov.vn (vo-van-an): imported: rule II.2 gives `anvv` for this name, the server has `an.vo`",
        "liennt1@bdt.binhthuan.gov.vn (nguyen-thi-lien): imported: rule II.2 gives `liennt` for this name, the server has `liennt1`",
        "hoamd.bdt@bdt.binhthuan.gov.vn (mai-dac-hoa): imported: the extension breaks rule II.2 (the extension `bdt` uses the agency's name `bdt`)",
        "collision, same derived address lienntn@bdt.binhthuan.gov.vn: lienntn.vp@bdt.binhthuan.gov.vn, lienntn@bdt.binhthuan.gov.vn",
        "Accounts without a name (1): ketoan@bdt.binhthuan.gov.vn",
        "Rule II.2 (@bdt.binhthuan.gov.vn): 4 address(es) follow the rule (1 with an extension), 4 need a reason.",
    ] {
        assert!(r.stdout.contains(line), "missing `{line}` in:\n{}", r.stdout);
    }
    let v = mailops(&["validate", &out]);
    ok(&v);
    let ext =
        std::fs::read_to_string(Path::new(&out).join("staff/unassigned/nguyen-thi-ngoc-lien.yaml")).unwrap();
    assert!(
        ext.contains("extension: vp") && !ext.contains("address:"),
        "{ext}"
    );
    let other = std::fs::read_to_string(Path::new(&out).join("staff/unassigned/mai-sen.yaml")).unwrap();
    assert!(
        other.contains("domain: binhthuan.gov.vn") && !other.contains("address:"),
        "{other}"
    );
    let unnamed = std::fs::read_to_string(Path::new(&out).join("staff/unassigned/ketoan.yaml")).unwrap();
    assert!(unnamed.contains("state: suspended"), "{unnamed}");
    let alias = std::fs::read_to_string(Path::new(&out).join("staff/unassigned/vo-thi-thu-an.yaml")).unwrap();
    assert!(alias.contains("- thuvien@bdt.binhthuan.gov.vn"), "{alias}");
    // The plan: the one account without a name gets the name written (nothing else).
    let p = mailops(&["plan", &out, "--server", &url, "--output", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&p.stdout).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{}", p.stdout);
    assert_eq!(
        changes[0]["target"]["address"], "ketoan@bdt.binhthuan.gov.vn",
        "{}",
        p.stdout
    );
    assert_eq!(changes[0]["fields"][0]["field"], "fullName", "{}", p.stdout);
    // The hand-made file is as it was.
    assert_eq!(std::fs::read_to_string(root.join("passwd")).unwrap(), passwd);
}

/// The appendix as rows of cells: the header, unit heading rows, people.
fn appendix_rows() -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "DANH SÁCH EMAIL CỦA CÔNG CHỨC, VIÊN CHỨC BAN DÂN TỘC".to_string(),
    ]];
    rows.push(
        ["Tài khoản người dùng", "Họ và tên", "Chức vụ", "Email dự phòng"]
            .map(String::from)
            .to_vec(),
    );
    for r in common::appendix() {
        rows.push(match r {
            AppendixRow::Unit(u) => vec![u],
            AppendixRow::Person {
                account,
                full_name,
                title,
                backup,
            } => vec![account, full_name, title, backup],
        });
    }
    rows
}

fn published_addresses() -> Vec<String> {
    let mut v: Vec<String> = common::appendix()
        .into_iter()
        .filter_map(|r| match r {
            AppendixRow::Person { account, .. } => Some(account),
            AppendixRow::Unit(_) => None,
        })
        .collect();
    v.sort();
    v
}

fn import_list(file: &Path, out: &str) -> DesiredState {
    let r = mailops(&[
        "import",
        "--from",
        &file.display().to_string(),
        "--out",
        out,
        "--short-name",
        "bdt",
        "--shared",
        "bdt@binhthuan.gov.vn=senm@bdt.binhthuan.gov.vn",
        "--output",
        "json",
    ]);
    ok(&r);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["report"]["followRule"], 24, "{}", r.stdout);
    assert_eq!(report["report"]["newHires"].as_array().unwrap().len(), 24);
    let s = state(out);
    let mut addresses: Vec<String> = s.mailboxes.iter().map(|m| m.address.to_string()).collect();
    addresses.sort();
    assert_eq!(addresses, published_addresses());
    let units: Vec<&str> = s.organization.units.iter().map(|u| u.heading.as_str()).collect();
    assert_eq!(units, ["BAN DÂN TỘC", "TRUNG TÂM DỊCH VỤ MN (Đơn vị trực thuộc)"]);
    // The subordinate unit, as its heading says.
    assert_eq!(
        s.organization.units[1].parent.as_deref(),
        Some(s.organization.units[0].id.as_str())
    );
    let example = state(common::EXAMPLE);
    let by_unit = |st: &DesiredState| -> Vec<(usize, String, Option<String>)> {
        st.mailboxes
            .iter()
            .map(|m| {
                let i = st.organization.units.iter().position(|u| u.id == m.unit).unwrap();
                (i, m.full_name.clone(), m.title.clone())
            })
            .collect()
    };
    assert_eq!(by_unit(&s), by_unit(&example));
    s
}

#[test]
fn the_appendix_as_xlsx_and_ods_imports_to_the_24_published_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let rows = appendix_rows();
    // .xlsx, written by rust_xlsxwriter.
    let xlsx = dir.path().join("phu-luc.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), cell)
                .unwrap();
        }
    }
    book.save(&xlsx).unwrap();
    import_list(&xlsx, &dir.path().join("from-xlsx").display().to_string());
    // .ods, written by spreadsheet-ods.
    let ods = dir.path().join("phu-luc.ods");
    let mut wb = spreadsheet_ods::WorkBook::new_empty();
    let mut sh = spreadsheet_ods::Sheet::new("Phụ lục");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sh.set_value(
                u32::try_from(r).unwrap(),
                u32::try_from(c).unwrap(),
                cell.as_str(),
            );
        }
    }
    wb.push_sheet(sh);
    spreadsheet_ods::write_ods(&mut wb, &ods).unwrap();
    import_list(&ods, &dir.path().join("from-ods").display().to_string());
}

#[test]
fn the_appendix_as_xls_imports_to_the_24_published_addresses() {
    // .xls (BIFF8) has no well-kept Rust writer: Python's xlwt writes it, from the venv tests/run.sh makes.
    let python = std::env::var("MAILOPS_XLWT_PYTHON").unwrap_or_else(|_| {
        panic!(
            "MAILOPS_XLWT_PYTHON is not set: run ./tests/run.sh, which installs xlwt in a venv under target/"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.json");
    std::fs::write(&rows, serde_json::to_string(&appendix_rows()).unwrap()).unwrap();
    let xls = dir.path().join("phu-luc.xls");
    let script = "import json, sys, xlwt\nbook = xlwt.Workbook(encoding='utf-8')\nsheet = book.add_sheet('Phu luc')\nfor r, row in enumerate(json.load(open(sys.argv[1], encoding='utf-8'))):\n    for c, cell in enumerate(row):\n        sheet.write(r, c, cell)\nbook.save(sys.argv[2])\n";
    let status = std::process::Command::new(python)
        .args([
            "-c",
            script,
            &rows.display().to_string(),
            &xls.display().to_string(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    import_list(&xls, &dir.path().join("from-xls").display().to_string());
}

#[test]
fn import_refuses_a_folder_that_is_not_empty_and_a_list_with_bad_rows() {
    let s = Server::example();
    let out = s.dir.path().join("repo");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.md"), "mine\n").unwrap();
    let r = mailops(&[
        "import",
        "--server",
        &s.url(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("is not empty") && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    assert_eq!(common::files_below(&out).len(), 1);
    // With --force: written beside what was there, which is kept.
    let r = mailops(&[
        "import",
        "--server",
        &s.url(),
        "--out",
        &out.display().to_string(),
        "--force",
    ]);
    ok(&r);
    assert_eq!(std::fs::read_to_string(out.join("notes.md")).unwrap(), "mine\n");
    // A list with a bad address and a row without a name: every problem with its row and column; nothing
    // written.
    let csv = s.dir.path().join("list.csv");
    std::fs::write(
        &csv,
        "Họ và tên,Tài khoản người dùng\nVõ Thị Thu An,anvtt@@bdt.binhthuan.gov.vn\n,senm@bdt.binhthuan.gov.vn\n",
    )
    .unwrap();
    let empty = s.out("empty");
    let r = mailops(&["import", "--from", &csv.display().to_string(), "--out", &empty]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("list.csv:2:2"), "{}", r.stderr);
    assert!(r.stderr.contains("list.csv:3:1"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!Path::new(&empty).exists());
    // A new hire whose derived address is someone else's: refused, with extensions to agree.
    std::fs::write(&csv, "Họ và tên,Chức vụ\nVõ Thị Thu An,Chánh Thanh tra\n").unwrap();
    let r = mailops(&[
        "import",
        "--server",
        &s.url(),
        "--from",
        &csv.display().to_string(),
        "--out",
        &empty,
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("anvtt@bdt.binhthuan.gov.vn")
            && r.stderr.contains("anvtt.ctt@bdt.binhthuan.gov.vn"),
        "{}",
        r.stderr
    );
    // On a server that does not record who uses the agency mailbox, its owner must be named.
    let r = mailops(&[
        "import",
        "--from",
        &csv.display().to_string(),
        "--out",
        &empty,
        "--shared",
        "bdt@binhthuan.gov.vn",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("--shared bdt@binhthuan.gov.vn=OWNER"),
        "{}",
        r.stderr
    );
}

#[test]
fn server_and_list_are_joined_by_address_and_every_difference_is_listed() {
    let s = Server::example();
    let d = mailops(&["directory", common::EXAMPLE, "--format", "csv"]);
    ok(&d);
    // One name corrected in the list, one person left out, one new hire without an account.
    let list = d
        .stdout
        .replace("Võ Thị Thu An", "Võ Thị Thu Ân")
        .lines()
        .filter(|l| !l.contains("kienvd@"))
        .chain(["Ban Dân tộc,,Nguyễn Văn Mới,Chuyên viên,"])
        .collect::<Vec<_>>()
        .join("\r\n");
    let csv = s.dir.path().join("list.csv");
    std::fs::write(&csv, list).unwrap();
    let out = s.out("joined");
    let r = mailops(&[
        "import",
        "--server",
        &s.url(),
        "--from",
        &csv.display().to_string(),
        "--out",
        &out,
        "--output",
        "json",
    ]);
    ok(&r);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let report = &v["report"];
    assert_eq!(
        report["notInList"],
        serde_json::json!(["kienvd@bdt.binhthuan.gov.vn"]),
        "{}",
        r.stdout
    );
    assert_eq!(
        report["newHires"][0]["address"], "moinv@bdt.binhthuan.gov.vn",
        "{}",
        r.stdout
    );
    assert_eq!(report["namesDiffer"][0]["list"], "Võ Thị Thu Ân", "{}", r.stdout);
    assert_eq!(
        report["unitsToAssign"],
        serde_json::json!(["kienvd@bdt.binhthuan.gov.vn"])
    );
    // The person left out of the list is imported (never dropped), into `unassigned`.
    assert!(
        Path::new(&out)
            .join("staff/unassigned/vu-dang-kien.yaml")
            .exists()
    );
    // The plan: the new hire is created and the corrected name written; nothing else.
    assert_eq!(v["planChanges"], 2, "{}", r.stdout);
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_server_as_it_was_and_no_half_repository() {
    let s = Server::example();
    let before = s.files();
    let (mut finished, mut killed) = (0, 0);
    for i in 0..24u64 {
        let out = s.dir.path().join(format!("kill-{i}"));
        let state = s.dir.path().join(format!("state-{i}.json"));
        let (out_s, state_s) = (out.display().to_string(), state.display().to_string());
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailops"))
            .args([
                "import",
                "--server",
                &s.url(),
                "--out",
                &out_s,
                "--state",
                &state_s,
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(i * 2_000));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if status.success() {
            finished += 1;
        } else {
            killed += 1;
        }
        // The server is as it was; the repository is whole (and valid) or not there at all; the state file
        // is whole.
        assert_eq!(s.files(), before, "kill {i}");
        if out.exists() {
            let v = mailops(&["validate", &out_s]);
            assert_eq!(
                v.code, 0,
                "kill {i} left a repository that does not validate:\n{}",
                v.stderr
            );
        }
        if state.exists() {
            let text = std::fs::read_to_string(&state).unwrap();
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("kill {i}: {e}"));
        }
        // The same import again completes it.
        let r = mailops(&[
            "import",
            "--server",
            &s.url(),
            "--out",
            &out_s,
            "--state",
            &state_s,
            "--force",
            "--lang",
            "en",
        ]);
        ok(&r);
        assert!(r.stdout.contains("Plan: no changes."), "kill {i}: {}", r.stdout);
    }
    // No staging folder is left behind.
    let left: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mailops-tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    eprintln!("import killed {killed} time(s), finished {finished} time(s) before the kill");
}

#[test]
fn names_and_titles_yaml_would_misread_are_written_so_that_they_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("l.csv");
    std::fs::write(
        &csv,
        "Tài khoản người dùng,Họ và tên,Chức vụ\nyes@bdt.gov.vn,yes,null\nab@bdt.gov.vn,\"a: b #c\",- x\nli@bdt.gov.vn,李小龍,\"[x]\"\nq@bdt.gov.vn,\"Nguyễn \"\"Văn\"\" Q\",'=1+1\n",
    )
    .unwrap();
    let out = dir.path().join("repo").display().to_string();
    let r = mailops(&[
        "import",
        "--from",
        &csv.display().to_string(),
        "--out",
        &out,
        "--lang",
        "en",
    ]);
    ok(&r);
    // Names with no address under the rule are imported with their address and a reason.
    assert!(r.stdout.contains("3 need a reason"), "{}", r.stdout);
    let s = state(&out);
    let read: BTreeMap<String, (String, Option<String>)> = s
        .mailboxes
        .iter()
        .map(|m| (m.address.to_string(), (m.full_name.clone(), m.title.clone())))
        .collect();
    let want = |n: &str, t: &str| (n.to_string(), Some(t.to_string()));
    assert_eq!(read["yes@bdt.gov.vn"], want("yes", "null"));
    assert_eq!(read["ab@bdt.gov.vn"], want("a: b #c", "- x"));
    assert_eq!(read["li@bdt.gov.vn"], want("李小龍", "[x]"));
    assert_eq!(read["q@bdt.gov.vn"], want("Nguyễn \"Văn\" Q", "=1+1"));
}

#[test]
fn a_server_name_too_long_for_a_manifest_is_refused_by_account() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mail");
    std::fs::create_dir_all(root.join("mail")).unwrap();
    let name = "Võ ".repeat(700);
    std::fs::write(
        root.join("passwd"),
        format!("anvtt@bdt.binhthuan.gov.vn:{{SHA512-CRYPT}}$6$x$y:1000:1000:{name}:::\n"),
    )
    .unwrap();
    let out = dir.path().join("repo");
    let r = mailops(&[
        "import",
        "--server",
        &format!("maildir:{}", root.display()),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("the name of anvtt@bdt.binhthuan.gov.vn on the server is 2099 characters long"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
}

/// `mailops import --from FILE` under a 2 GiB address-space limit (prlimit): a reader that laid the sheet
/// out or unpacked it whole would die of it instead of refusing it.
fn import_bounded(file: &Path, out: &str) -> Run {
    std::process::Command::new("prlimit")
        .arg(format!("--as={}", 2_u64 << 30))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_mailops"))
        .args(["import", "--from", &file.display().to_string(), "--out", out])
        .args(["--naming-domain", "bdt.binhthuan.gov.vn", "--short-name", "bdt"])
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .output()
        .expect("run prlimit")
        .into()
}

/// A small .xlsx: the appendix's header row and one person, plus `far` (a cell at row, column from 0).
fn small_xlsx(path: &Path, far: Option<(u32, u16)>) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, cell) in ["Họ và tên", "Chức vụ"].iter().enumerate() {
        sheet.write_string(0, u16::try_from(c).unwrap(), *cell).unwrap();
    }
    sheet.write_string(1, 0, "Võ Thị Thu An").unwrap();
    if let Some((r, c)) = far {
        sheet.write_string(r, c, "x").unwrap();
    }
    book.save(path).unwrap();
}

/// `path`'s zip with the entry `name` replaced by `bytes` (deflated).
fn replace_entry(path: &Path, name: &str, bytes: &[u8]) {
    let mut source = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let entry_name = entry.name().unwrap().to_string();
        writer.start_file(entry_name.as_str(), options).unwrap();
        if entry_name == name {
            std::io::Write::write_all(&mut writer, bytes).unwrap();
        } else {
            std::io::copy(&mut entry, &mut writer).unwrap();
        }
    }
    writer.finish().unwrap();
    std::fs::write(path, out.into_inner()).unwrap();
}

#[test]
fn spreadsheet_bombs_are_refused_before_they_are_unpacked_or_laid_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = |n: &str| dir.path().join(format!("out-{n}")).display().to_string();
    // One cell at XFD1048576 (a 512 GiB grid for a reader that lays it out), and at XFD6000 (5 GB).
    for (name, far, place) in [
        ("corner.xlsx", (1_048_575, 16_383), "row 1048576, column 16384"),
        ("wide.xlsx", (5_999, 16_383), "row 6000, column 16384"),
    ] {
        let file = dir.path().join(name);
        small_xlsx(&file, Some(far));
        assert!(std::fs::metadata(&file).unwrap().len() < 16 << 10, "a small file");
        let r = import_bounded(&file, &out(name));
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(place),
            "{}",
            r.stderr
        );
        assert!(!Path::new(&out(name)).exists(), "nothing written");
    }
    // 40 MiB of unused shared strings, deflated to a few hundred KiB.
    let strings = dir.path().join("strings.xlsx");
    small_xlsx(&strings, None);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    );
    while xml.len() < 40 << 20 {
        xml.push_str("<si><t>a</t></si>");
    }
    xml.push_str("</sst>");
    replace_entry(&strings, "xl/sharedStrings.xml", xml.as_bytes());
    assert!(std::fs::metadata(&strings).unwrap().len() < 1 << 20);
    let r = import_bounded(&strings, &out("strings"));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("strings.xlsx") && r.stderr.contains("xl/sharedStrings.xml"),
        "{}",
        r.stderr
    );
    // An .ods whose one value is repeated across every column of a million rows.
    let ods = dir.path().join("repeated.ods");
    let mut wb = spreadsheet_ods::WorkBook::new_empty();
    let mut sh = spreadsheet_ods::Sheet::new("Phụ lục");
    sh.set_value(0, 0, "Họ và tên");
    sh.set_value(1, 0, "Võ Thị Thu An");
    wb.push_sheet(sh);
    spreadsheet_ods::write_ods(&mut wb, &ods).unwrap();
    let mut content = String::new();
    std::io::Read::read_to_string(
        &mut zip::ZipArchive::new(std::fs::File::open(&ods).unwrap())
            .unwrap()
            .by_name("content.xml")
            .unwrap(),
        &mut content,
    )
    .unwrap();
    let bomb = content.replacen(
        "</table:table-row>",
        "</table:table-row><table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>",
        1,
    );
    assert_ne!(bomb, content);
    replace_entry(&ods, "content.xml", bomb.as_bytes());
    let r = import_bounded(&ods, &out("ods"));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("repeated.ods") && r.stderr.contains("column"),
        "{}",
        r.stderr
    );
    // The same files without their bombs import.
    let fine = dir.path().join("fine.xlsx");
    small_xlsx(&fine, None);
    let r = import_bounded(&fine, &out("fine"));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn rows_are_numbered_as_a_person_counts_them_and_invisible_characters_are_refused_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    // Excel's "CSV UTF-8": CRLF line ends. The bad address is on the third line.
    let csv = dir.path().join("list.csv");
    std::fs::write(
        &csv,
        "Họ và tên,Tài khoản người dùng\r\nMai Sen,senm@bdt.binhthuan.gov.vn\r\nVõ Thị Thu An,anvtt@@bdt.binhthuan.gov.vn\r\n",
    )
    .unwrap();
    let out = dir.path().join("out").display().to_string();
    let r = mailops(&["import", "--from", &csv.display().to_string(), "--out", &out]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("list.csv:3:2"), "{}", r.stderr);
    assert!(!r.stderr.contains("list.csv:4:"), "{}", r.stderr);
    // A right-to-left override in a name, and a zero-width space in a title: named by row and column.
    std::fs::write(
        &csv,
        "Họ và tên,Chức vụ\r\nMai Sen,Văn thư\r\nVõ Thị \u{202e}Thu An,Kế toán\r\nHồ Thị Kim Lệ,Thủ\u{200b}quỹ\r\n",
    )
    .unwrap();
    let r = mailops(&["import", "--from", &csv.display().to_string(), "--out", &out]);
    assert_eq!(r.code, 1);
    for at in ["list.csv:3:1", "list.csv:4:2"] {
        assert!(
            r.stderr.contains(at) && r.stderr.contains("invisible formatting character"),
            "{at}: {}",
            r.stderr
        );
    }
    assert!(!Path::new(&out).exists(), "nothing written");
}

#[test]
fn a_name_that_folds_to_nothing_imports_as_unnamed_and_an_import_that_would_not_validate_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    // A comment field a person filled with dashes: no letter, so no name (and no address to derive).
    std::fs::write(
        mail.join("passwd"),
        "x@bdt.binhthuan.gov.vn:{PLAIN}pw:::--:::\nanvtt@bdt.binhthuan.gov.vn:{PLAIN}pw:::Võ Thị Thu An:::\n",
    )
    .unwrap();
    let before = std::fs::read(mail.join("passwd")).unwrap();
    let server = format!("maildir:{}", mail.display());
    let out = dir.path().join("out").display().to_string();
    let r = mailops(&["import", "--server", &server, "--out", &out]);
    ok(&r);
    let v = mailops(&["validate", &out]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let x = std::fs::read_to_string(Path::new(&out).join("staff/unassigned/x.yaml")).unwrap();
    assert!(x.contains("fullName: x\n") && !x.contains("--"), "{x}");
    assert_eq!(
        std::fs::read(mail.join("passwd")).unwrap(),
        before,
        "the server's file as it was"
    );
    // Into a folder that already holds another agency's Organization (--force writes beside it): the
    // result would not validate, so nothing is written, and the error says so.
    let beside = dir.path().join("beside");
    std::fs::create_dir_all(&beside).unwrap();
    let other = "apiVersion: mailops.dev/v1alpha1\nkind: Organization\nmetadata:\n  name: other\nspec:\n  displayName: Other\n  shortName: other\n  domains:\n    - name: other.gov.vn\n  units:\n    - id: a\n      name: A\n  naming:\n    domain: other.gov.vn\n";
    std::fs::write(beside.join("other.yaml"), other).unwrap();
    let r = mailops(&[
        "import",
        "--server",
        &server,
        "--out",
        &beside.display().to_string(),
        "--force",
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(common::files_below(&beside), [beside.join("other.yaml")]);
    assert_eq!(std::fs::read_to_string(beside.join("other.yaml")).unwrap(), other);
}
