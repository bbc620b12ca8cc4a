/**
 * The KISA rule checklist, recomputed on every keystroke from common/passwordRules.ts (the same rules main
 * enforces), so a person sees what is missing before anything crosses IPC. Before the first keystroke the rules are
 * neutral: a list of red crosses on an empty field reads as an error the person has not made.
 */
import { checkPasswordRules, type PasswordRuleId, type PasswordWarning } from '../../../common/passwordRules'
import { useI18n, type MessageKey } from '../i18n'
import { CheckIcon } from './Icons'

const ruleKeys: Record<PasswordRuleId, MessageKey> = {
  minLength: 'rule.minLength',
  letters: 'rule.letters',
  digits: 'rule.digits',
  specials: 'rule.specials',
  forbiddenChars: 'rule.forbiddenChars',
  printableAscii: 'rule.printableAscii',
  noTripleRepeat: 'rule.noTripleRepeat',
  noAscendingRun: 'rule.noAscendingRun',
}

const warningKeys: Record<PasswordWarning, MessageKey> = {
  descendingRun: 'ruleWarning.descendingRun',
  specialCharsCompatibility: 'ruleWarning.specialCharsCompatibility',
  longPassword: 'ruleWarning.longPassword',
}

export function PasswordRules({ password, id }: { password: string; id: string }) {
  const { t } = useI18n()
  const check = checkPasswordRules(password)
  // The special-character compatibility note is always on screen in the dialogs (password.compatNote), so the
  // per-keystroke warning would only repeat it.
  const warnings = check.warnings.filter((w) => w !== 'specialCharsCompatibility')
  const typed = password !== ''
  return (
    <div className="rules" id={id}>
      <ul className="rule-list" aria-label={t('rule.title')}>
        {check.rules.map((r) =>
          typed ? (
            <li key={r.id} className={r.ok ? 'rule rule-ok' : 'rule rule-fail'} data-rule={r.id} data-ok={r.ok}>
              <CheckIcon ok={r.ok} />
              <span>{t(ruleKeys[r.id])}</span>
              <span className="sr-only">{r.ok ? t('rule.met') : t('rule.notMet')}</span>
            </li>
          ) : (
            <li key={r.id} className="rule rule-neutral" data-rule={r.id} data-ok="neutral">
              <span className="rule-dot" aria-hidden="true" />
              <span>{t(ruleKeys[r.id])}</span>
            </li>
          ),
        )}
      </ul>
      {warnings.length > 0 && (
        <ul className="rule-warnings">
          {warnings.map((w) => (
            <li key={w}>{t(warningKeys[w])}</li>
          ))}
        </ul>
      )}
    </div>
  )
}
