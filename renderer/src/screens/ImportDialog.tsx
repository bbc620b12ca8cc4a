/**
 * 가져오기: a PFX becomes an NPKI copy in the chosen medium under a new password. The file comes either dropped
 * (its bytes are read here and sent) or from main's file dialog (the request then carries neither path nor bytes
 * and main asks). The new password follows the KISA rules like any password change.
 */
import { useId, useState, type DragEvent } from 'react'
import { checkPasswordRules } from '../../../common/passwordRules'
import { call, isApiError, type ErrorOverrides } from '../api'
import { DialogForm } from '../components/DialogForm'
import { MediaPicker, useMediaTargets } from '../components/MediaPicker'
import { PasswordField } from '../components/PasswordField'
import { PasswordRules } from '../components/PasswordRules'
import { useToasts } from '../components/Toasts'
import { useDialogSubmit } from '../components/useDialogSubmit'
import { useI18n, type MessageKey } from '../i18n'

export interface DroppedFile {
  name: string
  bytes: Uint8Array<ArrayBuffer>
}

export const MAX_PFX_BYTES = 1 << 20

export function isPfxName(name: string): boolean {
  return /\.(pfx|p12)$/i.test(name)
}

/** Reads a dropped file, refusing what cannot be a PFX before any byte crosses IPC. */
export async function readDroppedPfx(file: File): Promise<DroppedFile | MessageKey> {
  if (!isPfxName(file.name)) return 'import.notPfx'
  if (file.size > MAX_PFX_BYTES) return 'import.tooLarge'
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }
}

const WARNING_KEYS: Record<string, MessageKey> = { NO_RANDOM_NUM: 'import.warning.NO_RANDOM_NUM' }
// Here the only password main opens is the PFX file's; the bank lockout warning would mislead.
const IMPORT_ERRORS: ErrorOverrides = { WRONG_PASSWORD: 'import.wrongPfxPassword' }

interface Props {
  initial: DroppedFile | null
  onClose: () => void
}

export function ImportDialog({ initial, onClose }: Props) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [file, setFile] = useState<DroppedFile | null>(initial)
  const [pfxPassword, setPfxPassword] = useState('')
  const [newPassword, setNewPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [dragOver, setDragOver] = useState(false)
  const [conflict, setConflict] = useState(false)
  const [fileProblem, setFileProblem] = useState<MessageKey | null>(null)
  const rulesId = useId()

  const clear = () => {
    setPfxPassword('')
    setNewPassword('')
    setConfirm('')
  }
  const { busy, error, setError, run, cancel } = useDialogSubmit(onClose, clear)

  const { media, target, setTarget, chosen } = useMediaTargets((m) => m.medium === 'disk' || m.medium === 'removable' || m.medium === 'keychain', setError)
  const rules = checkPasswordRules(newPassword)
  const mismatch = confirm !== '' && confirm !== newPassword
  const canSubmit = !busy && chosen !== null && pfxPassword !== '' && rules.ok && confirm === newPassword

  const onDrop = async (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault()
    e.stopPropagation()
    setDragOver(false)
    const f = e.dataTransfer.files[0]
    if (!f) return
    const r = await readDroppedPfx(f)
    if (typeof r === 'string') setFileProblem(r)
    else {
      setFileProblem(null)
      setFile(r)
    }
  }

  const submit = (overwrite: boolean) => {
    if (!canSubmit || !chosen) return
    const to = chosen.medium === 'keychain' ? { medium: chosen.medium } : { medium: chosen.medium, root: chosen.root }
    void run(
      () => call('importPfx', { ...(file ? { bytes: file.bytes } : {}), pfxPassword, newPassword, to, overwrite }),
      (r) => {
        toasts.show({ text: t('import.done', { where: chosen.label }), kind: 'success' })
        for (const w of r.warnings) toasts.show({ text: WARNING_KEYS[w] ? t(WARNING_KEYS[w]) : w, kind: 'info', timeout: 12_000 })
      },
      (e) => {
        if (isApiError(e, 'CONFLICT') && !overwrite) {
          setConflict(true)
          return true
        }
        // The person closed main's file dialog: nothing happened, nothing to report.
        return isApiError(e, 'CANCELLED')
      },
    )
  }

  return (
    <DialogForm
      name="import"
      title={t('import.title')}
      wide
      busy={busy}
      error={error}
      errorOverrides={IMPORT_ERRORS}
      onCancel={cancel}
      onSubmit={() => submit(false)}
      canSubmit={canSubmit}
      submitLabel={file ? t('import.submit') : t('import.submitPick')}
      submitAction="confirm-import"
    >
      <div
        className={dragOver ? 'dropzone dropzone-over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault()
          e.stopPropagation()
          setDragOver(true)
        }}
        onDragLeave={() => setDragOver(false)}
        onDrop={(e) => void onDrop(e)}
        data-dropzone
      >
        {file ? (
          <p>
            {t('import.fileChosen')} <strong data-file={file.name}>{file.name}</strong>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setFile(null)}>
              {t('import.clearFile')}
            </button>
          </p>
        ) : (
          <p>{t('import.dropHint')}</p>
        )}
      </div>
      {fileProblem && (
        <p className="field-error" role="alert">
          {t(fileProblem)}
        </p>
      )}
      <PasswordField label={t('import.pfxPassword')} name="pfx-password" value={pfxPassword} onChange={setPfxPassword} autoFocus />
      <PasswordField label={t('import.newPassword')} name="new-password" value={newPassword} onChange={setNewPassword} describedBy={rulesId} invalid={newPassword !== '' && !rules.ok} />
      <PasswordRules password={newPassword} id={rulesId} />
      <PasswordField label={t('password.confirm')} name="confirm-password" value={confirm} onChange={setConfirm} invalid={mismatch} />
      {mismatch && <p className="field-error">{t('password.mismatch')}</p>}
      <p className="note">{t('password.compatNote')}</p>
      <MediaPicker
        legend={t('import.target')}
        name="import-target"
        media={media}
        failed={Boolean(error)}
        target={target}
        onChoose={(key) => {
          setTarget(key)
          setConflict(false)
        }}
      />
      {conflict && (
        <div className="conflict" role="alert">
          <p>{t('import.conflict')}</p>
          <button type="button" className="btn btn-danger" onClick={() => submit(true)} disabled={busy || !canSubmit} data-action="overwrite">
            {t('copyDialog.overwrite')}
          </button>
        </div>
      )}
    </DialogForm>
  )
}
