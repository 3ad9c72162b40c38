/**
 * CSV as spreadsheets read it (RFC 4180): fields with a comma, quote, line break or edge spaces are
 * quoted, quotes doubled, CRLF between records. Cells that a spreadsheet would run as a formula
 * (text starting with = + - @, or a tab / carriage return) get a leading apostrophe, so an exported
 * report name like `=HYPERLINK(…)` stays text. Plain numbers (`-12.50`) are left as numbers.
 *
 * Pure and dependency-free: used by the service (audit report) and bundled into the console.
 */
export type CsvValue = string | number | boolean | null | undefined;

const NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (values: readonly CsvValue[]): string => values.map(csvCell).join(',');

/** Records joined with CRLF, ending with one. */
export const toCsv = (rows: readonly (readonly CsvValue[])[]): string => rows.map(csvRow).join('\r\n') + (rows.length ? '\r\n' : '');

/** Reads CSV text back into records (for tests and checks): quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}
