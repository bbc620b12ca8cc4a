/**
 * Output that cannot steer a terminal or a spreadsheet. Folder names, DN values and file names come from outside
 * (a USB stick, a certificate): printed raw, `ESC [ 3 1 m` recolours the terminal, a newline forges a line, a
 * right-to-left override reverses what a helpdesk reads, and a CSV cell starting with `=` runs as a formula.
 *
 * - `terminalSafe`: C0 controls, DEL, C1 controls, bidirectional overrides/isolates and line/paragraph separators
 *   become visible escapes (`\x1b`, `\u202e`); everything else, Hangul included, is printed as it is.
 * - `csvCell` / `csvLine`: RFC 4180 fields (quoted, `"` doubled) with the same escaping, and a formula guard for
 *   text that starts with `= + - @`, tab or CR. Numbers are written as numbers: `-2444` stays a number.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what must be made visible
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g

function escapeChar(ch: string): string {
  const c = ch.charCodeAt(0)
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`
}

/** A string that prints as exactly one line of inert text. */
export function terminalSafe(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value)
  return s.replace(UNSAFE, escapeChar)
}

/** Text a spreadsheet would evaluate (=, +, -, @) or strip (tab, CR) at the start of a cell. */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV field. Finite numbers and booleans are written bare (a spreadsheet reads `-2444` as a number, which is
 * what it is); everything else is quoted text, escaped like terminal output and guarded against formulas with a
 * leading apostrophe.
 */
export function csvCell(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const text = terminalSafe(value)
  const guarded = FORMULA_START.test(text) ? `'${text}` : text
  return `"${guarded.replace(/"/g, '""')}"`
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',')
}
