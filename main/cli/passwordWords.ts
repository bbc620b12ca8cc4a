/**
 * The KISA password rules in words for the terminal, so a refused password says what to change (the ids alone,
 * `noAscendingRun`, mean nothing to a helpdesk). Used for new certificate passwords and PFX passwords alike.
 */
import { checkPasswordRules, type PasswordRuleId } from '../../common/passwordRules'

const RULE_WORDS: Record<PasswordRuleId, string> = {
  minLength: '10자 이상 · at least 10 characters',
  letters: '영문자 포함 · contains a letter',
  digits: '숫자 포함 · contains a digit',
  specials: '특수문자 포함 · contains a special character',
  forbiddenChars: '\' " \\ | 사용 불가 · none of \' " \\ |',
  printableAscii: '영문 키보드 문자만 · only letters, digits and symbols of an English keyboard (no spaces, no Hangul)',
  noTripleRepeat: '같은 문자 3번 반복 불가 · no character three times in a row (111, aaa)',
  noAscendingRun: '연속된 문자 불가 · no runs like 123 or abc',
}

/**
 * The lines to print for a password that breaks the rules `failed` (rule ids, as in a WEAK_PASSWORD error's
 * details). `what` names the password ("new password", "PFX password"); the last line says how to go on anyway.
 */
export function weakPasswordLines(failed: readonly string[], what: string): string[] {
  const broken = new Set(failed)
  return [
    `The ${what} does not meet the KISA password rules (암호 규칙):`,
    ...(Object.keys(RULE_WORDS) as PasswordRuleId[]).map((id) => `  ${broken.has(id) ? 'NO' : 'ok'}  ${RULE_WORDS[id]}`),
    'Choose another password, or pass --allow-weak to use it anyway.',
  ]
}

/** The rules `password` breaks (empty when it follows them all). */
export function brokenRules(password: string): string[] {
  return checkPasswordRules(password).rules.filter((r) => !r.ok).map((r) => r.id)
}
