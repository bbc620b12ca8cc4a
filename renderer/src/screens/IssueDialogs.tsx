/**
 * 발급 / 갱신 / 폐지 over CMP with a CA profile from 설정. Secrets (인가코드, passwords) live only in component
 * state, cross IPC once and are cleared after; progress comes from the operation (OperationBar, op.<kind>.<step>).
 */
import { useEffect, useId, useState } from 'react'
import { REVOCATION_REASONS, type CaProfileView, type CertificateView, type CopyView } from '../../../common/contract'
import { daysLeft } from '../../../common/domain'
import { checkPasswordRules } from '../../../common/passwordRules'
import { call, errorViewText, type ErrorOverrides } from '../api'
import { useOperations } from '../app/useOperations'
import { DialogForm } from '../components/DialogForm'
import { MediaPicker, useMediaTargets } from '../components/MediaPicker'
import { OperationBar } from '../components/OperationBar'
import { PasswordField } from '../components/PasswordField'
import { PasswordRules } from '../components/PasswordRules'
import { useToasts } from '../components/Toasts'
import { useDialogSubmit } from '../components/useDialogSubmit'
import { useI18n, type MessageKey } from '../i18n'
import { CopyDialog } from './CopyDialog'

const CMP_ERRORS: ErrorOverrides = { CA_AUTH_FAILED: 'cmp.error.auth', CA_UNREACHABLE: 'cmp.error.unreachable' }

function useCaProfiles(onError: (e: unknown) => void): { profiles: CaProfileView[] | null; ca: string; setCa: (s: string) => void } {
  const [profiles, setProfiles] = useState<CaProfileView[] | null>(null)
  const [ca, setCa] = useState('')
  useEffect(() => {
    let live = true
    call('listCaProfiles', {})
      .then((list) => {
        if (!live) return
        setProfiles(list)
        setCa((cur) => cur || (list[0]?.name ?? ''))
      })
      .catch((e: unknown) => live && onError(e))
    return () => {
      live = false
    }
  }, [])
  return { profiles, ca, setCa }
}

function CaPicker({ profiles, ca, setCa }: { profiles: CaProfileView[] | null; ca: string; setCa: (s: string) => void }) {
  const { t } = useI18n()
  if (profiles === null) return <p className="subtle">{t('common.loading')}</p>
  if (profiles.length === 0) return <p className="note" data-field="no-ca">{t('cmp.noProfiles')}</p>
  return (
    <label className="field">
      <span>{t('cmp.ca')}</span>
      <select name="ca" value={ca} onChange={(e) => setCa(e.target.value)}>
        {profiles.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  )
}

/** 발급: 참조번호 + 인가코드 from the bank, a medium, a new password; then the offer of a second copy. */
export function IssueDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [ref, setRef] = useState('')
  const [code, setCode] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [issued, setIssued] = useState<CopyView | null>(null)
  // 보안토큰: the key pair is generated on the token; its PIN instead of a new password (sent once, then cleared).
  const [pin, setPin] = useState('')
  const rulesId = useId()
  const operations = useOperations()
  const [opened] = useState(() => operations.mark)
  const progress = operations.latest('issue', opened)
  const clear = () => {
    setCode('')
    setNext('')
    setConfirm('')
    setPin('')
  }
  const { busy, error, setError, run, cancel } = useDialogSubmit(() => undefined, clear)
  const { profiles, ca, setCa } = useCaProfiles(setError)
  const { media, target, setTarget, chosen } = useMediaTargets((m) => m.medium === 'disk' || m.medium === 'removable' || m.medium === 'keychain' || m.medium === 'token', setError)
  const toToken = chosen?.medium === 'token'
  const rules = checkPasswordRules(next)
  const secretsReady = toToken ? pin !== '' : rules.ok && confirm === next
  const canSubmit = !busy && ca !== '' && ref.trim() !== '' && code.trim() !== '' && secretsReady && chosen !== null

  if (issued) {
    // A single copy on one PC is how certificates get lost: offer the second one at once.
    return <CopyDialog copy={issued} name={t('cmp.issue.newCert')} onClose={onClose} />
  }

  const submit = () => {
    if (!canSubmit || !chosen) return
    const to = chosen.medium === 'keychain' ? { medium: chosen.medium } : { medium: chosen.medium, root: chosen.root }
    const secret = toToken ? { pin } : { newPassword: next }
    void run(
      () => call('issueCertificate', { ca, referenceNumber: ref.trim(), authCode: code, to, ...secret }),
      (r) => {
        if (r.keyOnToken) {
          // Its key never leaves the token, so there is no second copy to offer.
          toasts.show({ text: t('cmp.issue.doneToken', { name: r.certificate.displayName, purpose: r.certificate.purposeKo, until: r.certificate.notAfter.slice(0, 10) }), kind: 'success', timeout: 20_000 })
          onClose()
          return
        }
        toasts.show({ text: t('cmp.issue.done', { name: r.certificate.displayName, purpose: r.certificate.purposeKo, until: r.certificate.notAfter.slice(0, 10) }), kind: 'success', timeout: 20_000 })
        setIssued({ medium: chosen.medium, root: chosen.root, location: r.location, files: { signCert: true, signPri: true, kmCert: false, kmPri: false, pfx: false }, keyScheme: null, missing: false })
      },
    )
  }

  return (
    <DialogForm name="issue" title={t('cmp.issue.title')} wide busy={busy} error={error} errorOverrides={CMP_ERRORS} onCancel={() => (busy ? cancel() : onClose())} onSubmit={submit} canSubmit={canSubmit} submitLabel={t('cmp.issue.submit')} submitAction="confirm-issue">
      <p className="subtle">{t('cmp.issue.intro')}</p>
      <CaPicker profiles={profiles} ca={ca} setCa={setCa} />
      <label className="field">
        <span>{t('cmp.ref')}</span>
        <input name="reference-number" value={ref} onChange={(e) => setRef(e.target.value)} autoComplete="off" spellCheck={false} />
      </label>
      <PasswordField label={t('cmp.authCode')} name="auth-code" value={code} onChange={setCode} />
      <MediaPicker legend={t('cmp.issue.where')} name="issue-target" media={media} failed={error !== null} target={target} onChoose={setTarget} />
      {toToken ? (
        <>
          <p className="note" data-field="token-keygen">{t('cmp.issue.tokenNote')}</p>
          <PasswordField label={t('copyDialog.tokenPin')} name="token-pin" value={pin} onChange={setPin} />
        </>
      ) : (
        <>
          <PasswordField label={t('password.new')} name="new-password" value={next} onChange={setNext} describedBy={rulesId} invalid={next !== '' && !rules.ok} />
          <PasswordRules password={next} id={rulesId} />
          <PasswordField label={t('password.confirm')} name="confirm-password" value={confirm} onChange={setConfirm} invalid={confirm !== '' && confirm !== next} />
        </>
      )}
      {progress?.state === 'running' && <OperationBar operation={progress} cancellable={false} />}
    </DialogForm>
  )
}

/** 갱신: from D-30 until expiry; optionally every other copy of the certificate gets the new pair too. */
export function RenewDialog({ detail, location, onClose }: { detail: CertificateView; location: string; onClose: () => void }) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [password, setPassword] = useState('')
  const [pin, setPin] = useState('')
  const [allCopies, setAllCopies] = useState(true)
  const [force, setForce] = useState(false)
  const operations = useOperations()
  const [opened] = useState(() => operations.mark)
  const progress = operations.latest('renew', opened)
  const { busy, error, setError, run, cancel } = useDialogSubmit(onClose, () => (setPassword(''), setPin('')))
  const { profiles, ca, setCa } = useCaProfiles(setError)
  // A copy on a 보안토큰 is renewed there: the old key signs on the token, the new one is generated on it (PIN only).
  const onToken = detail.copies.find((c) => c.location === location)?.medium === 'token'
  const left = daysLeft(detail.notAfter, Date.now())
  const early = left > 30
  const expired = left < 0
  const others = onToken ? [] : detail.copies.filter((c) => !c.missing && c.files.signPri && c.location !== location && c.medium !== 'token')
  const canSubmit = !busy && !expired && ca !== '' && (onToken ? pin !== '' : password !== '') && (!early || force)

  const submit = () => {
    if (!canSubmit) return
    void run(
      () => call('renewCertificate', onToken ? { location, ca, pin, force: early ? true : undefined } : { location, ca, password, force: early ? true : undefined, alsoUpdate: allCopies ? others.map((c) => c.location) : [] }),
      (r) => {
        if (r.onToken) {
          toasts.show({ text: t('cmp.renew.doneToken', { until: r.certificate.notAfter.slice(0, 10) }), kind: 'success', timeout: 20_000 })
          return
        }
        toasts.show({ text: t('cmp.renew.done', { until: r.certificate.notAfter.slice(0, 10), n: r.renewed.length }), kind: 'success', timeout: 15_000 })
        for (const f of r.failed) toasts.show({ text: `${t('password.copyFailed', { location: f.location })} ${errorViewText(f.error, t)}`, kind: 'error', timeout: 20_000 })
      },
    )
  }

  return (
    <DialogForm name="renew" title={t('cmp.renew.title')} busy={busy} error={error} errorOverrides={CMP_ERRORS} onCancel={() => (busy ? cancel() : onClose())} onSubmit={submit} canSubmit={canSubmit} submitLabel={t('cmp.renew.submit')} submitAction="confirm-renew">
      <p className="subtle">{t(onToken ? 'cmp.renew.introToken' : 'cmp.renew.intro', { name: detail.name })}</p>
      {expired && <p className="field-error">{t('error.CERT_EXPIRED')}</p>}
      {early && (
        <label className="check-row">
          <input type="checkbox" name="force" checked={force} onChange={(e) => setForce(e.target.checked)} />
          <span>{t('cmp.renew.early', { n: left })}</span>
        </label>
      )}
      <CaPicker profiles={profiles} ca={ca} setCa={setCa} />
      {onToken ? (
        <PasswordField label={t('copyDialog.tokenPin')} name="token-pin" value={pin} onChange={setPin} autoFocus />
      ) : (
        <PasswordField label={t('password.current')} name="password" value={password} onChange={setPassword} autoFocus />
      )}
      {others.length > 0 && (
        <label className="check-row">
          <input type="checkbox" name="all-copies" checked={allCopies} onChange={(e) => setAllCopies(e.target.checked)} />
          <span>{t('cmp.renew.allCopies', { n: others.length })}</span>
        </label>
      )}
      {progress?.state === 'running' && <OperationBar operation={progress} cancellable={false} />}
    </DialogForm>
  )
}

const REASON_KEYS: Record<(typeof REVOCATION_REASONS)[number], MessageKey> = {
  unspecified: 'cmp.reason.unspecified',
  keyCompromise: 'cmp.reason.keyCompromise',
  affiliationChanged: 'cmp.reason.affiliationChanged',
  superseded: 'cmp.reason.superseded',
  cessationOfOperation: 'cmp.reason.cessationOfOperation',
}

/** 폐지: cannot be undone; afterwards every local copy is in Dojang's trash. */
export function RevokeDialog({ detail, location, onClose }: { detail: CertificateView; location: string; onClose: () => void }) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [password, setPassword] = useState('')
  const [reason, setReason] = useState<(typeof REVOCATION_REASONS)[number]>('cessationOfOperation')
  const [sure, setSure] = useState(false)
  const operations = useOperations()
  const [opened] = useState(() => operations.mark)
  const progress = operations.latest('revoke', opened)
  const { busy, error, setError, run, cancel } = useDialogSubmit(onClose, () => setPassword(''))
  const { profiles, ca, setCa } = useCaProfiles(setError)
  // A copy on a 보안토큰 signs the request on the token, with its PIN.
  const onToken = detail.copies.find((c) => c.location === location)?.medium === 'token'
  const canSubmit = !busy && sure && ca !== '' && password !== ''

  const submit = () => {
    if (!canSubmit) return
    void run(
      () => call('revokeCertificate', onToken ? { location, ca, reason, pin: password } : { location, ca, reason, password }),
      (r) => {
        if (r.left.length > 0 && r.trashed.length === 0) {
          toasts.show({ text: t('cmp.revoke.doneToken', { n: r.left.length }), kind: 'success', timeout: 20_000 })
          return
        }
        toasts.show({ text: t('cmp.revoke.done', { n: r.trashed.length }), kind: 'success', timeout: 15_000 })
        if (r.left.length > 0) toasts.show({ text: t('cmp.revoke.leftOnToken', { n: r.left.length }), kind: 'info', timeout: 20_000 })
      },
    )
  }

  return (
    <DialogForm name="revoke" title={t('cmp.revoke.title')} danger busy={busy} error={error} errorOverrides={CMP_ERRORS} onCancel={() => (busy ? cancel() : onClose())} onSubmit={submit} canSubmit={canSubmit} submitLabel={t('cmp.revoke.submit')} submitAction="confirm-revoke">
      <p className="field-error">{t('cmp.revoke.warning', { name: detail.name })}</p>
      <CaPicker profiles={profiles} ca={ca} setCa={setCa} />
      <label className="field">
        <span>{t('cmp.revoke.reason')}</span>
        <select name="reason" value={reason} onChange={(e) => setReason(e.target.value as (typeof REVOCATION_REASONS)[number])}>
          {REVOCATION_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(REASON_KEYS[r])}
            </option>
          ))}
        </select>
      </label>
      {onToken ? (
        <PasswordField label={t('copyDialog.tokenPin')} name="token-pin" value={password} onChange={setPassword} />
      ) : (
        <PasswordField label={t('password.current')} name="password" value={password} onChange={setPassword} />
      )}
      <label className="check-row">
        <input type="checkbox" name="sure" checked={sure} onChange={(e) => setSure(e.target.checked)} />
        <span>{t('cmp.revoke.sure')}</span>
      </label>
      {progress?.state === 'running' && <OperationBar operation={progress} cancellable={false} />}
    </DialogForm>
  )
}
