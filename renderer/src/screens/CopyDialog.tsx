/**
 * 복사 / 이동: pick a medium that is there now (listMedia), copy or move the chosen copy into it. A copy already in
 * the target is never replaced silently: CONFLICT asks first.
 */
import { useState } from 'react'
import type { CopyView } from '../../../common/contract'
import { call, isApiError } from '../api'
import { DialogForm } from '../components/DialogForm'
import { MediumTag } from '../components/Icons'
import { MediaPicker, useMediaTargets } from '../components/MediaPicker'
import { PasswordField } from '../components/PasswordField'
import { useToasts } from '../components/Toasts'
import { useDialogSubmit } from '../components/useDialogSubmit'
import { useI18n } from '../i18n'

interface Props {
  copy: CopyView
  name: string
  onClose: () => void
}

export function CopyDialog({ copy, name, onClose }: Props) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [move, setMove] = useState(false)
  const [conflict, setConflict] = useState(false)
  // 보안토큰: the token PIN and the certificate password (the token stores the opened key); sent once, then cleared.
  const [pin, setPin] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, setError, run } = useDialogSubmit(onClose)

  // The copy's own root is not a destination.
  const { media, target, setTarget, chosen } = useMediaTargets((m) => m.medium !== 'other' && !(m.medium === copy.medium && m.root === copy.root), setError, [copy.medium, copy.root])
  const toToken = chosen?.medium === 'token'

  const submit = (overwrite: boolean) => {
    if (!chosen) return
    // A token is named by its id (several can be connected); the keychain is the only one of its kind.
    const to = chosen.medium === 'keychain' ? { medium: chosen.medium } : { medium: chosen.medium, root: chosen.root }
    const secrets = toToken ? { pin, password } : {}
    void run(
      () => call('copyCertificate', { location: copy.location, to, move: toToken ? false : move, overwrite, ...secrets }).finally(() => toToken && (setPin(''), setPassword(''))),
      (r) => toasts.show({ text: t(move ? 'copyDialog.moved' : 'copyDialog.copied', { where: chosen.label || r.location }), kind: 'success' }),
      (e) => {
        const isConflict = isApiError(e, 'CONFLICT') && !overwrite
        if (isConflict) setConflict(true)
        return isConflict
      },
    )
  }

  return (
    <DialogForm
      name="copy"
      title={t('copyDialog.title')}
      wide
      busy={busy}
      error={error}
      onCancel={onClose}
      onSubmit={() => submit(false)}
      canSubmit={!busy && chosen !== null && (!toToken || (pin !== '' && password !== ''))}
      submitLabel={move ? t('copyDialog.submitMove') : t('copyDialog.submitCopy')}
      submitAction="confirm-copy"
    >
      <p>{t('copyDialog.intro', { name })}</p>
      <p className="from">
        <MediumTag medium={copy.medium} /> <code className="path">{copy.location}</code>
      </p>
      <MediaPicker
        legend={t('copyDialog.target')}
        name="target"
        media={media}
        failed={Boolean(error)}
        target={target}
        onChoose={(key) => {
          setTarget(key)
          setConflict(false)
        }}
      />
      {toToken ? (
        <>
          <p className="note">{t('copyDialog.tokenNote')}</p>
          <PasswordField label={t('copyDialog.tokenPin')} name="token-pin" value={pin} onChange={setPin} />
          <PasswordField label={t('copyDialog.certPassword')} name="cert-password" value={password} onChange={setPassword} />
        </>
      ) : (
        <>
          <label className="check-row">
            <input type="checkbox" checked={move} onChange={(e) => setMove(e.target.checked)} name="move" />
            <span>{t('copyDialog.move')}</span>
          </label>
          {move && <p className="note">{t('copyDialog.moveNote')}</p>}
        </>
      )}
      {conflict && (
        <div className="conflict" role="alert">
          <p>{t('copyDialog.conflict')}</p>
          <button type="button" className="btn btn-danger" onClick={() => submit(true)} disabled={busy} data-action="overwrite">
            {t('copyDialog.overwrite')}
          </button>
        </div>
      )}
    </DialogForm>
  )
}
