/**
 * A <Dialog> holding one form: Enter submits, and the end is always the same: the error, then 취소 and the submit
 * button (which reads "working" while busy). On a small window the fields scroll and the buttons stay in view.
 */
import type { ReactNode } from 'react'
import type { ErrorOverrides } from '../api'
import { useI18n } from '../i18n'
import { Dialog } from './Dialog'
import { ErrorBox } from './ErrorBox'

interface Props {
  name: string
  title: string
  wide?: boolean
  busy: boolean
  error: unknown
  errorOverrides?: ErrorOverrides
  /** Esc and the cancel button. */
  onCancel: () => void
  onSubmit: () => void
  canSubmit: boolean
  submitLabel: string
  /** data-action of the submit button. */
  submitAction: string
  danger?: boolean
  children: ReactNode
}

export function DialogForm({ name, title, wide, busy, error, errorOverrides, onCancel, onSubmit, canSubmit, submitLabel, submitAction, danger = false, children }: Props) {
  const { t } = useI18n()
  return (
    <Dialog name={name} title={title} onClose={onCancel} busy={busy} wide={wide}>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          onSubmit()
        }}
      >
        <div className="dialog-body">
          {children}
          <ErrorBox error={error} overrides={errorOverrides} />
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className={danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={!canSubmit} data-action={submitAction}>
            {busy ? t('common.working') : submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
