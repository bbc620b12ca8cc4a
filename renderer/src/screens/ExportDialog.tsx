/**
 * 내보내기: writes the chosen copy as a PFX (PKCS#12). Main asks where to save; the renderer only collects the two
 * passwords and the profile. "은행 호환" (3DES, SHA-1 MAC) opens in bank tools and old systems; "최신" (AES-256)
 * in current ones.
 */
import { useId, useState } from 'react'
import { checkPasswordRules } from '../../../common/passwordRules'
import type { CopyView } from '../../../common/contract'
import { call } from '../api'
import { DialogForm } from '../components/DialogForm'
import { PasswordField } from '../components/PasswordField'
import { PasswordRules } from '../components/PasswordRules'
import { useToasts } from '../components/Toasts'
import { useDialogSubmit } from '../components/useDialogSubmit'
import { useI18n } from '../i18n'

interface Props {
  copy: CopyView
  name: string
  onClose: () => void
}

export function ExportDialog({ copy, name, onClose }: Props) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [password, setPassword] = useState('')
  const [pfxPassword, setPfxPassword] = useState('')
  const [pfxConfirm, setPfxConfirm] = useState('')
  const [profile, setProfile] = useState<'bank' | 'modern'>('bank')
  const [includeKm, setIncludeKm] = useState(false)
  const clear = () => {
    setPassword('')
    setPfxPassword('')
    setPfxConfirm('')
  }
  const { busy, error, run, cancel } = useDialogSubmit(onClose, clear)
  const hasKm = copy.files.kmCert && copy.files.kmPri
  const mismatch = pfxConfirm !== '' && pfxConfirm !== pfxPassword
  // The PFX password guards the same private key, so it follows the same KISA rules as a certificate password.
  const rulesId = useId()
  const rules = checkPasswordRules(pfxPassword)
  const canSubmit = !busy && password !== '' && rules.ok && pfxPassword === pfxConfirm

  const submit = () => {
    if (!canSubmit) return
    void run(
      () => call('exportPfx', { location: copy.location, password, pfxPassword, profile, includeKm: hasKm ? includeKm : false }),
      (r) => toasts.show(r ? { text: t('export.done', { path: r.path }), kind: 'success' } : { text: t('export.cancelled') }),
    )
  }

  return (
    <DialogForm
      name="export"
      title={t('export.title')}
      busy={busy}
      error={error}
      onCancel={cancel}
      onSubmit={submit}
      canSubmit={canSubmit}
      submitLabel={t('export.submit')}
      submitAction="confirm-export"
    >
      <p className="subtle">{t('export.intro', { name })}</p>
      <PasswordField label={t('export.password')} name="cert-password" value={password} onChange={setPassword} autoFocus />
      <PasswordField label={t('export.pfxPassword')} name="pfx-password" value={pfxPassword} onChange={setPfxPassword} describedBy={rulesId} invalid={pfxPassword !== '' && !rules.ok} />
      <PasswordRules password={pfxPassword} id={rulesId} />
      <PasswordField label={t('export.pfxConfirm')} name="pfx-confirm" value={pfxConfirm} onChange={setPfxConfirm} invalid={mismatch} />
      {mismatch && <p className="field-error">{t('password.mismatch')}</p>}
      <fieldset className="choices">
        <legend>{t('export.profile')}</legend>
        <label className="check-row">
          <input type="radio" name="profile" value="bank" checked={profile === 'bank'} onChange={() => setProfile('bank')} />
          <span>
            <strong>{t('export.profileBank')}</strong> <span className="subtle">{t('export.profileBankHint')}</span>
          </span>
        </label>
        <label className="check-row">
          <input type="radio" name="profile" value="modern" checked={profile === 'modern'} onChange={() => setProfile('modern')} />
          <span>
            <strong>{t('export.profileModern')}</strong> <span className="subtle">{t('export.profileModernHint')}</span>
          </span>
        </label>
      </fieldset>
      {hasKm && (
        <label className="check-row">
          <input type="checkbox" checked={includeKm} onChange={(e) => setIncludeKm(e.target.checked)} name="include-km" />
          <span>{t('export.includeKm')}</span>
        </label>
      )}
      <p className="note">{t('export.note')}</p>
    </DialogForm>
  )
}
