/**
 * Rules for new certificate passwords (npki-format.md §13). Pure and synchronous so the UI can show per-rule
 * feedback on every keystroke.
 *
 * Decisions where the sources are silent:
 * - Only printable ASCII 0x21–0x7E is allowed. Space is NOT allowed: no source permits it, some vendor dialogs
 *   trim it, and a password whose bytes depend on the keyboard or encoding cannot be typed reliably at a bank.
 * - Runs are checked within digits (0–9) and within letters (a–z, case-insensitive); `xyz` and `789` are runs,
 *   `890` and `yzA` are not, and special characters never form a run.
 * - Three equal characters compare case-insensitively too (`aAa` counts), matching the run rule.
 * - Descending runs are only a warning (the published examples show ascending runs only).
 */

export type PasswordRuleId =
  | 'minLength'
  | 'letters'
  | 'digits'
  | 'specials'
  | 'forbiddenChars'
  | 'printableAscii'
  | 'noTripleRepeat'
  | 'noAscendingRun'

export type PasswordWarning = 'descendingRun' | 'specialCharsCompatibility' | 'longPassword'

export interface PasswordCheck {
  ok: boolean
  rules: { id: PasswordRuleId; ok: boolean }[]
  warnings: PasswordWarning[]
}

export const MIN_PASSWORD_LENGTH = 10
/**
 * Some vendor modules are said to cut long passwords; no limit is documented. Above this length the UI warns
 * (a guess, not a rule).
 */
export const LONG_PASSWORD_WARN_LENGTH = 20
export const FORBIDDEN_PASSWORD_CHARS = `'"\\|`

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isPrintable(c: number): boolean {
  return c >= 0x21 && c <= 0x7e
}

function fold(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c
}

/** A run needs three characters of the same class (digit or letter) stepping by `step`. */
function hasRun(codes: number[], step: 1 | -1): boolean {
  for (let i = 0; i + 2 < codes.length; i++) {
    const a = fold(codes[i] as number)
    const b = fold(codes[i + 1] as number)
    const c = fold(codes[i + 2] as number)
    const sameClass = (isDigit(a) && isDigit(b) && isDigit(c)) || (isLetter(a) && isLetter(b) && isLetter(c))
    if (sameClass && b - a === step && c - b === step) return true
  }
  return false
}

function hasTriple(codes: number[]): boolean {
  for (let i = 0; i + 2 < codes.length; i++) {
    const a = fold(codes[i] as number)
    if (a === fold(codes[i + 1] as number) && a === fold(codes[i + 2] as number)) return true
  }
  return false
}

export function checkPasswordRules(pw: string): PasswordCheck {
  // Code points, so that a non-BMP character counts once (and fails printableAscii).
  const codes = Array.from(typeof pw === 'string' ? pw : '', (ch) => ch.codePointAt(0) as number)
  const forbidden = new Set(Array.from(FORBIDDEN_PASSWORD_CHARS, (ch) => ch.charCodeAt(0)))
  const isSpecial = (c: number): boolean => isPrintable(c) && !isLetter(c) && !isDigit(c)

  const rules: PasswordCheck['rules'] = [
    { id: 'minLength', ok: codes.length >= MIN_PASSWORD_LENGTH },
    { id: 'letters', ok: codes.some(isLetter) },
    { id: 'digits', ok: codes.some(isDigit) },
    // Forbidden characters do not satisfy the special-character requirement.
    { id: 'specials', ok: codes.some((c) => isSpecial(c) && !forbidden.has(c)) },
    { id: 'forbiddenChars', ok: !codes.some((c) => forbidden.has(c)) },
    { id: 'printableAscii', ok: codes.every(isPrintable) },
    { id: 'noTripleRepeat', ok: !hasTriple(codes) },
    { id: 'noAscendingRun', ok: !hasRun(codes, 1) },
  ]

  const warnings: PasswordWarning[] = []
  if (hasRun(codes, -1)) warnings.push('descendingRun')
  if (codes.some(isSpecial)) warnings.push('specialCharsCompatibility')
  if (codes.length > LONG_PASSWORD_WARN_LENGTH) warnings.push('longPassword')

  return { ok: rules.every((r) => r.ok), rules, warnings }
}
