/**
 * 보안토큰 dialogs: delete a certificate from a token (for good: its key cannot go to Dojang's trash, so the person
 * confirms that explicitly) and change a token's PIN. PINs are sent once and cleared from the form.
 */
import { useState } from 'react'
import type { CopyView } from '../../../common/contract'
import { call } from '../api'
import { DialogForm } from '../components/DialogForm'
import { MediumTag } from '../components/Icons'
import { PasswordField } from '../components/PasswordField'
import { useToasts } from '../components/Toasts'
import { useDialogSubmit } from '../components/useDialogSubmit'
import { useI18n } from '../i18n'

export function TokenDeleteDialog({ copy, onClose }: { copy: CopyView; onClose: () => void }) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [pin, setPin] = useState('')
  const [confirmed, setConfirmed] = useState(false)
  const { busy, error, run } = useDialogSubmit(onClose)
  const submit = () =>
    void run(
      () => call('deleteTokenCopy', { location: copy.location, pin, permanent: true }).finally(() => setPin('')),
      () => toasts.show({ text: t('token.deleted'), kind: 'success' }),
    )
  return (
    <DialogForm
      name="token-delete"
      title={t('token.deleteTitle')}
      busy={busy}
      error={error}
      onCancel={onClose}
      onSubmit={submit}
      canSubmit={!busy && confirmed && pin !== ''}
      submitLabel={t('token.deleteSubmit')}
      submitAction="confirm-token-delete"
    >
      <p className="from">
        <MediumTag medium={copy.medium} /> <code className="path">{copy.location}</code>
      </p>
      <p className="note">{t('token.deleteNote')}</p>
      <label className="check-row">
        <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} name="permanent" />
        <span>{t('token.deleteConfirm')}</span>
      </label>
      <PasswordField label={t('copyDialog.tokenPin')} name="token-pin" value={pin} onChange={setPin} autoFocus />
    </DialogForm>
  )
}

export function ChangePinDialog({ token, onClose }: { token: string; onClose: () => void }) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [oldPin, setOldPin] = useState('')
  const [newPin, setNewPin] = useState('')
  const [again, setAgain] = useState('')
  const { busy, error, run } = useDialogSubmit(onClose)
  const mismatch = again !== '' && again !== newPin
  const submit = () =>
    void run(
      () =>
        call('changeTokenPin', { token, oldPin, newPin }).finally(() => {
          setOldPin('')
          setNewPin('')
          setAgain('')
        }),
      () => toasts.show({ text: t('token.pinChanged'), kind: 'success' }),
    )
  return (
    <DialogForm
      name="change-pin"
      title={t('token.changePinTitle')}
      busy={busy}
      error={error}
      onCancel={onClose}
      onSubmit={submit}
      canSubmit={!busy && oldPin !== '' && newPin !== '' && newPin === again}
      submitLabel={t('token.changePinSubmit')}
      submitAction="confirm-change-pin"
    >
      <PasswordField label={t('token.oldPin')} name="old-pin" value={oldPin} onChange={setOldPin} autoFocus />
      <PasswordField label={t('token.newPin')} name="new-pin" value={newPin} onChange={setNewPin} />
      <PasswordField label={t('token.newPinAgain')} name="new-pin-again" value={again} onChange={setAgain} invalid={mismatch} />
      {mismatch && <p className="note">{t('token.pinMismatch')}</p>}
    </DialogForm>
  )
}
