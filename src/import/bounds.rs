//! A spreadsheet is a zip of XML: a file of a few kilobytes can unpack to gigabytes, hold millions of unused
//! shared strings, or name one cell at `XFD1048576` so that a reader laying the sheet out as a grid asks for
//! hundreds of gigabytes. Everything here is measured before calamine unpacks or lays out anything, in
//! bounded memory: the zip's entries are unpacked into nothing and counted, an OpenDocument sheet's repeated
//! rows and columns are added up, and an Excel sheet is read cell by cell.

use std::io::Read;
use std::path::Path;

/// What all the entries of a spreadsheet may unpack to, together.
pub(super) const MAX_UNPACKED: u64 = 128 << 20;
/// What one entry may unpack to (a sheet of 200,000 rows is far below it).
pub(super) const MAX_ENTRY: u64 = 64 << 20;
/// What the shared strings of an Excel workbook may unpack to (every distinct text of the list).
pub(super) const MAX_SHARED_STRINGS: u64 = 16 << 20;
/// Entries in the zip.
pub(super) const MAX_ENTRIES: usize = 10_000;
/// The columns a staff list may use (the widest has a dozen).
pub const MAX_COLUMNS: u32 = 256;

/// Why a spreadsheet is refused: an id and its arguments for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The zip cannot be read.
    NotZip(String),
    /// Too many entries.
    Entries(usize),
    /// One entry unpacks to more than its bound (the entry, the bound in MiB).
    Entry(String, u64),
    /// All entries together unpack to more than the bound.
    Unpacked,
    /// A cell with content beyond the columns or rows a staff list may use (row and column from 1).
    Cell { row: u64, column: u64 },
}

impl Refusal {
    pub(super) fn message(&self) -> crate::i18n::Msg {
        match self {
            Self::NotZip(e) => crate::msg!("diag-list-spreadsheet", error = e.clone()),
            Self::Entries(n) => crate::msg!("diag-list-zip-entries", count = *n, max = MAX_ENTRIES),
            Self::Entry(name, max) => crate::msg!("diag-list-zip-entry", entry = name.clone(), max = *max),
            Self::Unpacked => crate::msg!("diag-list-zip-unpacked", max = MAX_UNPACKED >> 20),
            Self::Cell { row, column } => crate::msg!(
                "diag-list-cell-too-far",
                row = *row,
                column = *column,
                columns = MAX_COLUMNS,
                rows = super::sheet::MAX_ROWS
            ),
        }
    }
}

/// Whether the file is a zip (xlsx, xlsm, ods): its first bytes.
pub(super) fn is_zip(path: &Path) -> bool {
    let mut head = [0_u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == *b"PK\x03\x04"
}

/// Unpacks every entry into nothing, counting: each within its bound, all within [`MAX_UNPACKED`]; an
/// OpenDocument sheet's extent checked too.
pub(super) fn check_zip(path: &Path) -> Result<(), Refusal> {
    let file = std::fs::File::open(path).map_err(|e| Refusal::NotZip(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| Refusal::NotZip(e.to_string()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(Refusal::Entries(zip.len()));
    }
    let mut total = 0_u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| Refusal::NotZip(e.to_string()))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let bound = if name.ends_with("sharedStrings.xml") {
            MAX_SHARED_STRINGS
        } else {
            MAX_ENTRY
        };
        // Read through the bound and no further, whatever the entry's header claims.
        let n = std::io::copy(&mut entry.take(bound + 1), &mut std::io::sink())
            .map_err(|e| Refusal::NotZip(e.to_string()))?;
        if n > bound {
            return Err(Refusal::Entry(name, bound >> 20));
        }
        total += n;
        if total > MAX_UNPACKED {
            return Err(Refusal::Unpacked);
        }
    }
    if let Ok(content) = zip.by_name("content.xml") {
        check_ods(std::io::BufReader::new(content))?;
    }
    Ok(())
}

fn repeats(e: &quick_xml::events::BytesStart<'_>, name: &str) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.value.parse().ok())
        .unwrap_or(1)
}

/// An OpenDocument sheet: every cell with content must lie within [`MAX_COLUMNS`] columns and the rows a
/// staff list may have, once its rows' and columns' repetitions are counted (empty repeated cells, which
/// spreadsheets write to the sheet's edge, are fine).
fn check_ods(reader: impl std::io::BufRead) -> Result<(), Refusal> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::new();
    let (mut row, mut row_repeats, mut column) = (0_u64, 1_u64, 0_u64);
    let max_rows = super::sheet::MAX_ROWS as u64 + 100;
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| Refusal::NotZip(e.to_string()))?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => row = 0,
                "table:table-row" => {
                    row_repeats = repeats(e, "table:number-rows-repeated");
                    column = 0;
                    if matches!(event, Event::Empty(_)) {
                        row = row.saturating_add(row_repeats);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeats(e, "table:number-columns-repeated");
                    let content = matches!(event, Event::Start(_))
                        || e.attributes()
                            .flatten()
                            .any(|a| a.key.as_ref() == "office:value-type");
                    column = column.saturating_add(n);
                    let last_row = row.saturating_add(row_repeats);
                    if content && (column > u64::from(MAX_COLUMNS) || last_row > max_rows) {
                        return Err(Refusal::Cell {
                            row: last_row,
                            column,
                        });
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(row_repeats);
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ods(body: &str) -> Result<(), Refusal> {
        check_ods(std::io::Cursor::new(format!(
            "<office:document-content><office:body><office:spreadsheet><table:table>{body}</table:table></office:spreadsheet></office:body></office:document-content>"
        )))
    }

    #[test]
    fn an_ods_sheet_is_measured_with_its_repetitions() {
        // What LibreOffice writes: empty cells and rows repeated to the sheet's edge.
        assert_eq!(
            ods(
                "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Họ và tên</text:p></table:table-cell><table:table-cell table:number-columns-repeated=\"16383\"/></table:table-row><table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
            ),
            Ok(())
        );
        // One value repeated across every column, or down every row: refused before it is laid out.
        assert!(matches!(
            ods(
                "<table:table-row><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>"
            ),
            Err(Refusal::Cell { .. })
        ));
        assert!(matches!(
            ods(
                "<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell office:value-type=\"float\" office:value=\"1\"/></table:table-row>"
            ),
            Err(Refusal::Cell { .. })
        ));
    }
}
