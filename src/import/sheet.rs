//! The staff list as the agency keeps it: the regulation's appendix as a spreadsheet (.xlsx, .xls, .ods, read
//! by calamine) or CSV (read by the csv crate), with Vietnamese or English headers, a unit column or unit
//! heading rows. `mailops directory --format csv` reads back to the same people.
//!
//! Every problem names the file, the row and the column; a list with problems imports nothing.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::desired::Address;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Position, Text};

/// Largest staff list read (a province's list is a few megabytes).
pub const MAX_LIST_BYTES: u64 = 64 << 20;
/// Most rows read.
pub const MAX_ROWS: usize = 200_000;
/// Longest cell read (a name, a title or a unit is a few dozen characters).
pub const MAX_CELL_CHARS: usize = 1_000;
/// How far down the header row is looked for.
const HEADER_SEARCH: usize = 50;

/// A unit of the list: a value of its unit column, or a heading row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedUnit {
    /// The unit's name as written.
    pub name: String,
    /// Whether it came from a heading row (the appendix's layout), whose text is the directory heading.
    pub from_heading: bool,
}

/// One person of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    /// The row number (from 1), for messages.
    pub row: usize,
    /// The unit, as an index into [`StaffList::units`].
    pub unit: Option<usize>,
    /// The account, when the list gives one.
    pub account: Option<Address>,
    /// Full name (NFC, single spaces).
    pub full_name: String,
    /// Title (chức vụ).
    pub title: Option<String>,
    /// Backup e-mail.
    pub backup_email: Option<String>,
}

/// The staff list, read.
#[derive(Debug, Clone, Default)]
pub struct StaffList {
    /// The file.
    pub file: PathBuf,
    /// Units in the order they first appear.
    pub units: Vec<ListedUnit>,
    /// People in list order.
    pub rows: Vec<StaffRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Account,
    FullName,
    Title,
    Backup,
    Unit,
}

impl Column {
    fn field(self) -> &'static str {
        match self {
            Column::Account => "Tài khoản người dùng (Account)",
            Column::FullName => "Họ và tên (Full name)",
            Column::Title => "Chức vụ (Title)",
            Column::Backup => "Email dự phòng (Backup e-mail)",
            Column::Unit => "Đơn vị (Unit)",
        }
    }
}

/// A header, folded: lowercase ASCII letters and digits, single spaces (`Họ và tên` → `ho va ten`).
fn key(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

fn column_of(header: &str) -> Option<Column> {
    Some(match key(header).as_str() {
        "tai khoan nguoi dung"
        | "tai khoan"
        | "account"
        | "user account"
        | "email"
        | "e mail"
        | "dia chi email"
        | "dia chi thu dien tu"
        | "address"
        | "email address" => Column::Account,
        "ho va ten" | "ho ten" | "full name" | "name" => Column::FullName,
        "chuc vu" | "chuc danh" | "title" | "job title" | "position" => Column::Title,
        "email du phong" | "backup e mail" | "backup email" | "backup" => Column::Backup,
        "don vi" | "phong ban" | "unit" | "department" => Column::Unit,
        _ => return None,
    })
}

/// A cell as text: trimmed, with the `'` that `directory --format csv` puts before a formula-like cell
/// taken off again.
fn cell_text(raw: &str) -> String {
    let t = raw.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => t.to_string(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Rows of cells with their row numbers (from 1).
type Grid = Vec<(usize, Vec<String>)>;

fn error(file: &Path, row: usize, column: usize, code: &'static str, message: impl Into<Text>) -> Diagnostic {
    Diagnostic::error(code, Location::at(file, Position::new(row, column)), message)
}

fn file_error(file: &Path, code: &'static str, message: impl Into<Text>) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(code, Location::file(file), message));
    d
}

fn read_csv(path: &Path, bytes: &[u8]) -> Result<Grid, Diagnostics> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        file_error(
            path,
            "staff-list-encoding",
            crate::msg!("diag-list-not-utf8", byte = e.valid_up_to() + 1),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    // The line a person counts: from the record's byte offset (the csv crate's own line count is one off
    // for every CRLF line, as Excel's "CSV UTF-8" writes them).
    // The crate's offset may point at the line break before the record (`\n` of a CRLF): skipped.
    let line_at = |p: &csv::Position| {
        let bytes = text.as_bytes();
        let mut at = usize::try_from(p.byte()).unwrap_or(usize::MAX).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        bytes[..at].iter().filter(|b| **b == b'\n').count() + 1
    };
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, line_at);
            let mut d = Diagnostics::default();
            d.push(error(
                path,
                line,
                1,
                "staff-list-syntax",
                crate::msg!("diag-list-not-csv", error = e),
            ));
            d
        })?;
        let line = record.position().map_or(grid.len() + 1, line_at);
        grid.push((line, record.iter().map(cell_text).collect()));
        if grid.len() > MAX_ROWS {
            return Err(file_error(
                path,
                "staff-list-too-large",
                crate::msg!("diag-list-too-many-rows", max = MAX_ROWS),
            ));
        }
    }
    Ok(grid)
}

fn data_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => cell_text(s),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        other => cell_text(&other.to_string()),
    }
}

fn read_workbook(path: &Path) -> Result<Grid, Diagnostics> {
    let refused = |r: super::bounds::Refusal| file_error(path, "staff-list-too-large", r.message());
    // Measured before calamine unpacks anything (see `bounds`).
    if super::bounds::is_zip(path) {
        super::bounds::check_zip(path).map_err(refused)?;
    }
    let unreadable = |e: &dyn std::fmt::Display| {
        file_error(
            path,
            "staff-list-unreadable",
            crate::msg!("diag-list-spreadsheet", error = e.to_string()),
        )
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| unreadable(&e))?;
    // An Excel sheet is read cell by cell: calamine's own grid would be as large as its farthest cell.
    if let calamine::Sheets::Xlsx(xlsx) = &mut book {
        for name in xlsx.sheet_names() {
            let grid = xlsx_grid(xlsx, &name).map_err(|e| match e {
                Ok(refusal) => refused(refusal),
                Err(e) => unreadable(&e),
            })?;
            if header(&grid).is_some() {
                return Ok(grid);
            }
        }
        return Ok(Vec::new());
    }
    // The first sheet that has a header row is the list.
    for (_, range) in book.worksheets() {
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut grid: Grid = Vec::new();
        for (i, row) in range.rows().enumerate().take(MAX_ROWS + 1) {
            let mut cells = vec![String::new(); left as usize];
            cells.extend(row.iter().map(data_text));
            grid.push((top as usize + i + 1, cells));
        }
        if grid.len() > MAX_ROWS {
            return Err(file_error(
                path,
                "staff-list-too-large",
                crate::msg!("diag-list-too-many-rows", max = MAX_ROWS),
            ));
        }
        if header(&grid).is_some() {
            return Ok(grid);
        }
    }
    Ok(Vec::new())
}

/// An Excel sheet's cells with content, read one by one; a cell beyond the columns and rows a staff list
/// may use is refused before anything is laid out (`Ok` of the error), a sheet that cannot be read is not
/// (`Err`).
fn xlsx_grid<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Result<Grid, Result<super::bounds::Refusal, calamine::XlsxError>> {
    use super::bounds::{MAX_COLUMNS, Refusal};
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(Err)?;
    let mut rows: std::collections::BTreeMap<u32, Vec<(u32, String)>> = std::collections::BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(Err)? {
        let (row, column) = cell.get_position();
        let text = data_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if column >= MAX_COLUMNS || row as usize >= MAX_ROWS + HEADER_SEARCH {
            return Err(Ok(Refusal::Cell {
                row: u64::from(row) + 1,
                column: u64::from(column) + 1,
            }));
        }
        rows.entry(row).or_default().push((column, text));
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| {
            let width = cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
            let mut line = vec![String::new(); width];
            for (c, text) in cells {
                line[c as usize] = text;
            }
            (row as usize + 1, line)
        })
        .collect())
}

/// The header row's index in the grid and the column of each known header.
fn header(grid: &Grid) -> Option<(usize, Vec<(usize, Column)>)> {
    grid.iter()
        .take(HEADER_SEARCH)
        .enumerate()
        .find_map(|(i, (_, cells))| {
            let columns: Vec<(usize, Column)> = cells
                .iter()
                .enumerate()
                .filter_map(|(c, text)| column_of(text).map(|k| (c, k)))
                .collect();
            columns
                .iter()
                .any(|(_, k)| *k == Column::FullName)
                .then_some((i, columns))
        })
}

/// Reads a staff list: `.csv` (or `.txt`) as CSV, anything else as a spreadsheet.
///
/// # Errors
/// Every problem found, each with the file, row and column.
pub fn read(path: &Path) -> Result<StaffList, Diagnostics> {
    let size = std::fs::metadata(path)
        .map_err(|e| {
            file_error(
                path,
                "staff-list-unreadable",
                crate::msg!("diag-cannot-read-file", error = e),
            )
        })?
        .len();
    if size > MAX_LIST_BYTES {
        return Err(file_error(
            path,
            "staff-list-too-large",
            crate::msg!("diag-list-too-large", max = MAX_LIST_BYTES >> 20),
        ));
    }
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"));
    let grid = if is_csv {
        let bytes = std::fs::read(path).map_err(|e| {
            file_error(
                path,
                "staff-list-unreadable",
                crate::msg!("diag-cannot-read-file", error = e),
            )
        })?;
        read_csv(path, &bytes)?
    } else {
        read_workbook(path)?
    };
    parse(path, &grid)
}

fn parse(path: &Path, grid: &Grid) -> Result<StaffList, Diagnostics> {
    let Some((header_at, columns)) = header(grid) else {
        return Err(file_error(
            path,
            "staff-list-header",
            crate::msg!("diag-list-no-header"),
        ));
    };
    let mut diags = Diagnostics::default();
    let header_row = grid[header_at].0;
    for (i, (c, k)) in columns.iter().enumerate() {
        if columns[..i].iter().any(|(_, other)| other == k) {
            diags.push(
                error(
                    path,
                    header_row,
                    c + 1,
                    "staff-list-header",
                    crate::msg!("diag-list-second-column", column = k.field()),
                )
                .field(k.field()),
            );
        }
    }
    let at = |k: Column| columns.iter().find(|(_, x)| *x == k).map(|(c, _)| *c);
    let get = |cells: &[String], k: Column| at(k).and_then(|c| cells.get(c)).cloned().unwrap_or_default();
    let mut list = StaffList {
        file: path.to_path_buf(),
        ..StaffList::default()
    };
    let mut heading: Option<usize> = None;
    let mut seen: std::collections::BTreeMap<Address, usize> = std::collections::BTreeMap::new();
    for (row, cells) in &grid[header_at + 1..] {
        let filled: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
        if filled.is_empty() {
            continue;
        }
        let bad_cell = cells.iter().enumerate().find_map(|(c, t)| {
            if t.chars().count() > MAX_CELL_CHARS {
                Some((
                    c,
                    "staff-list-too-long",
                    crate::msg!("diag-list-cell-too-long", max = MAX_CELL_CHARS),
                ))
            } else if t
                .chars()
                .any(|ch| ch.is_control() && !matches!(ch, '\t' | '\n' | '\r'))
            {
                Some((c, "staff-list-control", crate::msg!("diag-list-control")))
            } else if let Some(ch) = t.chars().find(|&ch| crate::diagnostics::is_format(ch)) {
                Some((
                    c,
                    "staff-list-format",
                    crate::msg!("diag-list-format", character = format!("U+{:04X}", u32::from(ch))),
                ))
            } else {
                None
            }
        });
        if let Some((c, code, message)) = bad_cell {
            let field = columns.iter().find(|(i, _)| *i == c).map(|(_, k)| k.field());
            let mut d = error(path, *row, c + 1, code, message);
            if let Some(f) = field {
                d = d.field(f);
            }
            diags.push(d);
            continue;
        }
        let (account, full_name) = (
            get(cells, Column::Account),
            one_line(&get(cells, Column::FullName)),
        );
        if filled.len() == 1 && !filled[0].contains('@') {
            // A unit heading row (the appendix: `BAN DÂN TỘC` alone on its row).
            let name = one_line(filled[0]);
            heading = Some(unit_index(&mut list.units, &name, true));
            continue;
        }
        if full_name.is_empty() {
            diags.push(
                error(
                    path,
                    *row,
                    at(Column::FullName).map_or(1, |c| c + 1),
                    "staff-list-name",
                    crate::msg!("diag-list-no-name"),
                )
                .field(Column::FullName.field())
                .hint(crate::msg!("hint-list-no-name")),
            );
            continue;
        }
        let account = if account.is_empty() {
            None
        } else {
            match account.parse::<Address>() {
                Ok(a) => Some(a),
                Err(e) => {
                    diags.push(
                        error(
                            path,
                            *row,
                            at(Column::Account).map_or(1, |c| c + 1),
                            "staff-list-account",
                            crate::msg!(
                                "diag-list-not-an-address",
                                value = crate::diagnostics::escape_controls(&account),
                                error = e
                            ),
                        )
                        .field(Column::Account.field()),
                    );
                    continue;
                }
            }
        };
        if let Some(a) = &account {
            if let Some(first) = seen.get(a) {
                diags.push(
                    error(
                        path,
                        *row,
                        at(Column::Account).map_or(1, |c| c + 1),
                        "staff-list-duplicate",
                        crate::msg!("diag-list-twice", address = a, first = first),
                    )
                    .field(Column::Account.field()),
                );
                continue;
            }
            seen.insert(a.clone(), *row);
        }
        let backup = get(cells, Column::Backup);
        if !backup.is_empty()
            && let Err(e) = backup.parse::<Address>()
        {
            diags.push(
                error(
                    path,
                    *row,
                    at(Column::Backup).map_or(1, |c| c + 1),
                    "staff-list-backup",
                    crate::msg!(
                        "diag-list-not-an-email",
                        value = crate::diagnostics::escape_controls(&backup),
                        error = e
                    ),
                )
                .field(Column::Backup.field()),
            );
            continue;
        }
        let unit_cell = one_line(&get(cells, Column::Unit));
        let unit = if unit_cell.is_empty() {
            heading
        } else {
            Some(unit_index(&mut list.units, &unit_cell, false))
        };
        let title = one_line(&get(cells, Column::Title));
        list.rows.push(StaffRow {
            row: *row,
            unit,
            account,
            full_name: crate::naming::display_name(&full_name),
            title: (!title.is_empty()).then_some(title),
            backup_email: (!backup.is_empty()).then(|| backup.trim().to_string()),
        });
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(list)
}

fn unit_index(units: &mut Vec<ListedUnit>, name: &str, from_heading: bool) -> usize {
    if let Some(i) = units.iter().position(|u| u.name == name) {
        return i;
    }
    units.push(ListedUnit {
        name: name.to_string(),
        from_heading,
    });
    units.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        rows.iter()
            .enumerate()
            .map(|(i, r)| (i + 1, r.iter().map(|c| cell_text(c)).collect()))
            .collect()
    }

    #[test]
    fn appendix_layout_with_heading_rows() {
        let g = grid(&[
            &["DANH SÁCH EMAIL"],
            &["Tài khoản người dùng", "Họ và tên", "Chức vụ", "Email dự phòng"],
            &["BAN DÂN TỘC", "", "", ""],
            &[
                "senm@bdt.binhthuan.gov.vn",
                "Mai  Sên",
                "Trưởng Ban",
                "senm@bdt.binhthuan.gov.vn",
            ],
            &["TRUNG TÂM DỊCH VỤ MN (Đơn vị trực thuộc)"],
            &["giangcv@bdt.binhthuan.gov.vn", "Cờ Văn Giảng", "", ""],
        ]);
        let list = parse(Path::new("list.csv"), &g).unwrap();
        assert_eq!(list.units.len(), 2);
        assert!(list.units[0].from_heading);
        assert_eq!(list.rows[0].full_name, "Mai Sên");
        assert_eq!(list.rows[0].unit, Some(0));
        assert_eq!(list.rows[1].unit, Some(1));
        assert_eq!(list.rows[1].title, None);
        assert_eq!(list.rows[1].row, 6);
    }

    #[test]
    fn english_headers_with_a_unit_column_and_escaped_cells() {
        let g = grid(&[
            &["Unit", "Account", "Full name", "Title", "Backup e-mail"],
            &[
                "Ban Dân tộc",
                "anvtt@bdt.binhthuan.gov.vn",
                "Võ Thị Thu An",
                "'=SUM(A1)",
                "",
            ],
        ]);
        let list = parse(Path::new("list.csv"), &g).unwrap();
        assert_eq!(list.units[0].name, "Ban Dân tộc");
        assert!(!list.units[0].from_heading);
        assert_eq!(list.rows[0].title.as_deref(), Some("=SUM(A1)"));
    }

    #[test]
    fn problems_name_row_and_column() {
        let g = grid(&[
            &["Họ và tên", "Tài khoản"],
            &["Võ Thị Thu An", "not an address"],
            &["", "anvtt@bdt.binhthuan.gov.vn"],
            &["Mai Sên", "senm@x.vn"],
            &["Mai Sên", "senm@x.vn"],
            &["Mai \u{1b}[2JSên", "senm2@x.vn"],
            &[&"Mai ".repeat(300), "senm3@x.vn"],
        ]);
        let diags = parse(Path::new("l.csv"), &g).unwrap_err();
        let lines: Vec<String> = diags.iter().map(Diagnostic::one_line).collect();
        assert!(
            lines[0].starts_with("l.csv:2:2: `not an address` is not an address"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("l.csv:3:1: the row has no full name"),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("l.csv:5:2: `senm@x.vn` is listed twice (first on row 4)"),
            "{lines:?}"
        );
        assert!(
            lines[3].starts_with("l.csv:6:1: the cell holds a control character"),
            "{lines:?}"
        );
        assert!(
            lines[4].starts_with("l.csv:7:1: the cell is longer than 1000 characters"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_list_without_a_name_column_is_refused() {
        let diags = parse(Path::new("l.csv"), &grid(&[&["a", "b"], &["c", "d"]])).unwrap_err();
        assert!(diags.iter().next().unwrap().message.contains("Họ và tên"));
    }

    #[test]
    fn csv_delimiters_and_bom() {
        let g = read_csv(
            Path::new("l.csv"),
            "\u{feff}Họ và tên;Chức vụ\r\nMai Sên;Trưởng Ban\r\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(g[1].1, vec!["Mai Sên", "Trưởng Ban"]);
        assert!(read_csv(Path::new("l.csv"), b"\xff\xfe").is_err());
    }
}
