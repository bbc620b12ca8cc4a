import { describe, expect, it } from 'vitest'
import {
  LONG_PASSWORD_WARN_LENGTH,
  checkPasswordRules,
  type PasswordRuleId,
} from '../../common/passwordRules'

const RULE_IDS: PasswordRuleId[] = [
  'minLength',
  'letters',
  'digits',
  'specials',
  'forbiddenChars',
  'printableAscii',
  'noTripleRepeat',
  'noAscendingRun',
]

function failing(pw: string): PasswordRuleId[] {
  return checkPasswordRules(pw)
    .rules.filter((r) => !r.ok)
    .map((r) => r.id)
}

describe('checkPasswordRules', () => {
  it('reports every rule, in a fixed order', () => {
    expect(checkPasswordRules('x').rules.map((r) => r.id)).toEqual(RULE_IDS)
  })

  it.each(['Fixture-Pa55word!', 'Qwer1357!z', 'k9#Lm2@Pq7', 'AAbb1357!x~', 'xz13!Mq80w'])('accepts %s', (pw) => {
    const c = checkPasswordRules(pw)
    expect(failing(pw)).toEqual([])
    expect(c.ok).toBe(true)
  })

  // One example per rule that breaks only that rule.
  it.each<[PasswordRuleId, string]>([
    ['minLength', 'Qw13!z7#k'],
    ['letters', '1357!9024@'],
    ['digits', 'Qwer!Tyui@'],
    ['specials', 'Qwer1357zx'],
    ['printableAscii', 'Qwer 1357!'],
    ['printableAscii', 'Qwer1357!한'],
    ['printableAscii', 'Qwer1357!\t'],
    ['printableAscii', 'Qwer1357!😀'],
    ['noTripleRepeat', 'Qw111r57!z'],
    ['noTripleRepeat', 'QwaAa1357!'],
    ['noTripleRepeat', 'Qwer1357!!!'],
    ['noAscendingRun', 'Qw123e57!z'],
    ['noAscendingRun', 'QwABCe57!9'],
    ['noAscendingRun', 'QxYz1357!e'],
    ['noAscendingRun', 'Q789w135!e'],
  ])('%s fails for %j', (rule, pw) => {
    expect(failing(pw)).toEqual([rule])
    expect(checkPasswordRules(pw).ok).toBe(false)
  })

  it('flags forbidden characters, which also do not count as specials', () => {
    expect(failing("Qwer1357'x")).toEqual(['specials', 'forbiddenChars'])
    for (const c of ['"', '\\', '|']) {
      expect(failing(`Qwer1357!${c}`)).toEqual(['forbiddenChars'])
    }
  })

  it('does not treat wrap-arounds, mixed classes or specials as runs', () => {
    for (const pw of ['Qw890e57!z', 'QwyzA357!e', 'Qw9ab357!e', 'Qw#$%e57!1', 'Qw11e22!z3']) {
      expect(failing(pw)).toEqual([])
    }
  })

  it('warns about descending runs without failing', () => {
    for (const pw of ['Qw321e57!z', 'QwCBAe57!9', 'QwcBa157!9']) {
      const c = checkPasswordRules(pw)
      expect(c.ok).toBe(true)
      expect(c.warnings).toContain('descendingRun')
    }
    expect(checkPasswordRules('Qwer1357!z').warnings).not.toContain('descendingRun')
  })

  it('always notes special-character compatibility when specials are used', () => {
    expect(checkPasswordRules('Qwer1357!z').warnings).toContain('specialCharsCompatibility')
    expect(checkPasswordRules('Qwer1357zx').warnings).not.toContain('specialCharsCompatibility')
  })

  it('warns about long passwords', () => {
    const base = 'Qwer1357!z'
    const atLimit = base.padEnd(LONG_PASSWORD_WARN_LENGTH, 'x').replace(/xxx/g, 'xqx')
    expect(atLimit.length).toBe(LONG_PASSWORD_WARN_LENGTH)
    expect(checkPasswordRules(atLimit).warnings).not.toContain('longPassword')
    const long = atLimit + 'k'
    expect(checkPasswordRules(long).ok).toBe(true)
    expect(checkPasswordRules(long).warnings).toContain('longPassword')
  })

  it('fails an empty password without throwing', () => {
    const c = checkPasswordRules('')
    expect(c.ok).toBe(false)
    expect(failing('')).toEqual(['minLength', 'letters', 'digits', 'specials'])
    expect(c.warnings).toEqual([])
  })
})
