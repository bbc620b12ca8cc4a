/**
 * 암호 변경: current, new and confirmation, with the KISA checklist live as the person types. The passwords exist
 * only in this component's state; they are sent once on submit and cleared right after, success or not, and on
 * cancel (the component unmounts). A wrong current password is the one mistake worth a retry: only that field is
 * cleared, and the focus goes back to it. A change of several copies shows its progress copy by copy.
 */
import { useId, useRef, useState } from 'react'
import type { CertificateView } from '../../../common/contract'
import { checkPasswordRules } from '../../../common/passwordRules'
import { call, errorViewText, isApiError } from '../api'
import { useOperations } from '../app/useOperations'
import { DialogForm } from '../components/DialogForm'
import { OperationBar } from '../components/OperationBar'
import { PasswordField } from '../components/PasswordField'
import { PasswordRules } from '../components/PasswordRules'
import { useToasts } from '../components/Toasts'
import { useDialogSubmit } from '../components/useDialogSubmit'
import { useI18n } from '../i18n'

interface Props {
  detail: CertificateView
  location: string
  onClose: () => void
}

export function ChangePasswordDialog({ detail, location, onClose }: Props) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [allCopies, setAllCopies] = useState(false)
  const rulesId = useId()
  const confirmId = useId()
  const currentRef = useRef<HTMLInputElement>(null)
  const operations = useOperations()
  // Operations that appear while the dialog is open are this dialog's (one window, one password change at a time).
  const [opened] = useState(() => operations.mark)
  const progress = operations.latest('change-password', opened)

  const clear = () => {
    setCurrent('')
    setNext('')
    setConfirm('')
  }
  const { busy, error, setError, run, cancel } = useDialogSubmit(onClose, clear)

  const usable = detail.copies.filter((c) => !c.missing && c.files.signPri)
  const locations = allCopies ? usable.map((c) => c.location) : [location]
  const rules = checkPasswordRules(next)
  const mismatch = confirm !== '' && confirm !== next
  const same = next !== '' && next === current
  const canSubmit = !busy && current !== '' && rules.ok && confirm === next && !same

  const submit = () => {
    if (!canSubmit) return
    void run(
      () => call('changePassword', { locations, oldPassword: current, newPassword: next }),
      (r) => {
        toasts.show({ text: t('password.done', { n: r.changed.length }), kind: 'success' })
        // "Every copy": each copy changes on its own; one with another password is left as it was and named here.
        for (const f of r.failed) {
          toasts.show({ text: `${t('password.copyFailed', { location: f.location })} ${errorViewText(f.error, t)}`, kind: 'error', timeout: 20_000 })
        }
      },
      (e) => {
        if (!isApiError(e, 'WRONG_PASSWORD')) return false
        // The new password was fine; retyping it all would only punish a typo in the current one.
        setCurrent('')
        setError(e)
        window.setTimeout(() => currentRef.current?.focus())
        return true
      },
    )
  }

  return (
    <DialogForm
      name="change-password"
      title={t('password.title')}
      busy={busy}
      error={error}
      onCancel={cancel}
      onSubmit={submit}
      canSubmit={canSubmit}
      submitLabel={t('password.submit')}
      submitAction="confirm-password"
    >
      <p className="subtle">{t('password.intro', { name: detail.name })}</p>
      <PasswordField label={t('password.current')} name="current-password" value={current} onChange={setCurrent} autoFocus inputRef={currentRef} />
      <PasswordField label={t('password.new')} name="new-password" value={next} onChange={setNext} describedBy={rulesId} invalid={next !== '' && !rules.ok} />
      <PasswordRules password={next} id={rulesId} />
      <PasswordField label={t('password.confirm')} name="confirm-password" value={confirm} onChange={setConfirm} describedBy={confirmId} invalid={mismatch} />
      <p id={confirmId} className={mismatch ? 'field-error' : 'sr-only'} aria-live="polite">
        {mismatch ? t('password.mismatch') : ''}
      </p>
      {same && <p className="field-error">{t('password.same')}</p>}
      <p className="note">{t('password.compatNote')}</p>
      {usable.length > 1 && (
        <label className="check-row">
          <input type="checkbox" checked={allCopies} onChange={(e) => setAllCopies(e.target.checked)} name="all-copies" />
          <span>{t('password.allCopies', { n: usable.length })}</span>
        </label>
      )}
      {allCopies && <p className="note">{t('password.allCopiesNote')}</p>}
      {progress?.state === 'running' && <OperationBar operation={progress} cancellable={false} />}
    </DialogForm>
  )
}
