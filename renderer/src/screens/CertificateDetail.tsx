/**
 * 상세: what the certificate is (subject, issuer, serial, validity, policy and what it is for, key usage), where
 * its copies are and which files each has, a local 본인확인 (VID) check, and the actions on one chosen copy.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react'
import type { CertificateDetail as Detail, CopyView, FindingView } from '../../../common/contract'
import type { FindingCode } from '../../../common/findingCodes'
import { daysLeft, formatSerial, issuerName, keySchemeName } from '../../../common/format'
import { call, isApiError, type ErrorOverrides } from '../api'
import { useDojangEvent } from '../app/events'
import { DdayBadge } from '../components/DdayBadge'
import { ErrorBox } from '../components/ErrorBox'
import { CheckIcon, MediumTag } from '../components/Icons'
import { PasswordField } from '../components/PasswordField'
import { useI18n, type MessageKey, type Params } from '../i18n'
import { ChangePasswordDialog } from './ChangePasswordDialog'
import { CopyDialog } from './CopyDialog'
import { DeleteDialog } from './DeleteDialog'
import { RenewDialog, RevokeDialog } from './IssueDialogs'
import { ExportDialog } from './ExportDialog'
import type { PhoneSessionRequest } from './PhoneSession'
import { ChangePinDialog, TokenDeleteDialog } from './TokenDialogs'

type Action = 'password' | 'copy' | 'export' | 'delete' | 'renew' | 'revoke' | 'token-delete' | 'change-pin'

const FILE_KEYS: { key: keyof CopyView['files']; label: MessageKey }[] = [
  { key: 'signCert', label: 'file.signCert' },
  { key: 'signPri', label: 'file.signPri' },
  { key: 'kmCert', label: 'file.kmCert' },
  { key: 'kmPri', label: 'file.kmPri' },
  { key: 'pfx', label: 'file.pfx' },
]

const OWNER_KEYS: Record<string, MessageKey> = {
  personal: 'owner.personal',
  corporate: 'owner.corporate',
  server: 'owner.server',
  organization: 'owner.organization',
  unknown: 'owner.unknown',
}

const KEY_USAGE_KEYS: Record<string, MessageKey> = {
  digitalSignature: 'keyUsage.digitalSignature',
  nonRepudiation: 'keyUsage.nonRepudiation',
  contentCommitment: 'keyUsage.nonRepudiation',
  keyEncipherment: 'keyUsage.keyEncipherment',
  dataEncipherment: 'keyUsage.dataEncipherment',
  keyAgreement: 'keyUsage.keyAgreement',
  keyCertSign: 'keyUsage.keyCertSign',
  cRLSign: 'keyUsage.cRLSign',
  encipherOnly: 'keyUsage.encipherOnly',
  decipherOnly: 'keyUsage.decipherOnly',
}

// Every finding code has a sentence in both languages: a new code fails the typecheck until it is worded.
const FINDING_KEYS: Record<FindingCode, MessageKey> = {
  duplicate: 'finding.duplicate',
  'copies-differ': 'finding.copies-differ',
  expired: 'finding.expired',
  expiring: 'finding.expiring',
  'missing-key': 'finding.missing-key',
  'unreadable-key': 'finding.unreadable-key',
  'unreadable-km-key': 'finding.unreadable-km-key',
  'corrupt-certificate': 'finding.corrupt-certificate',
  'incomplete-km-pair': 'finding.incomplete-km-pair',
  'suspicious-file': 'finding.suspicious-file',
  'sensitive-file': 'finding.sensitive-file',
  'removable-medium': 'finding.removable-medium',
  'gpki-certificate': 'finding.gpki-certificate',
  'stray-copy': 'finding.stray-copy',
  'stray-npki-copy': 'finding.stray-npki-copy',
  'stray-pfx': 'finding.stray-pfx',
  'nonstandard-layout': 'finding.nonstandard-layout',
  'related-store': 'finding.related-store',
  'gpki-store': 'finding.gpki-store',
  'issued-kept': 'finding.issued-kept',
  other: 'finding.other',
}

const SEVERITY_KEYS: Record<FindingView['severity'], MessageKey> = {
  info: 'severity.info',
  warning: 'severity.warning',
  error: 'severity.error',
  critical: 'severity.critical',
}

export function CertificateDetail({
  id,
  onBack,
  onPhone,
  initialAction,
}: {
  id: string
  onBack: () => void
  onPhone?: (request: PhoneSessionRequest) => void
  initialAction?: 'renew'
}) {
  const { t, lang, longDate } = useI18n()
  const [detail, setDetail] = useState<Detail | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [gone, setGone] = useState(false)
  const [chosen, setChosen] = useState<string | null>(null)
  const [action, setAction] = useState<Action | null>(initialAction ?? null)
  const titleRef = useRef<HTMLHeadingElement>(null)

  const load = useCallback(async () => {
    try {
      const d = await call('getCertificate', { id })
      setDetail(d)
      setGone(d.copies.length === 0)
      setError(null)
      setChosen((cur) => {
        const present = d.copies.filter((c) => !c.missing)
        if (cur && present.some((c) => c.location === cur)) return cur
        return (present.find((c) => c.files.signPri) ?? present[0])?.location ?? null
      })
    } catch (e) {
      if (isApiError(e, 'NOT_FOUND')) setGone(true)
      else setError(e)
    }
  }, [id])

  useEffect(() => {
    void load()
  }, [load])
  const loadedId = detail?.id
  useEffect(() => {
    // Move focus to the heading once per certificate so a screen reader announces the new screen.
    if (loadedId) titleRef.current?.focus()
  }, [loadedId])
  useDojangEvent((e) => {
    if (e.type === 'inventoryChanged' || e.type === 'mediaChanged') void load()
  })

  const chosenCopy = detail?.copies.find((c) => c.location === chosen) ?? null
  // A token copy's key never leaves the token: no copy out; delete is for good (its own dialog).
  const onToken = chosenCopy?.medium === 'token'
  const present = detail?.copies.filter((c) => !c.missing) ?? []

  return (
    <section className="screen screen-detail" aria-labelledby="detail-title" data-screen="detail">
      <header className="screen-header">
        <button type="button" className="btn btn-ghost" onClick={onBack} data-action="back">
          ← {t('detail.back')}
        </button>
      </header>
      <ErrorBox error={error} />
      {gone && (
        <div className="empty" data-empty="gone">
          <p>{t('detail.gone')}</p>
          <button type="button" className="btn" onClick={onBack}>
            {t('detail.back')}
          </button>
        </div>
      )}
      {detail && !gone && (
        <>
          <div className="detail-head">
            <h1 id="detail-title" ref={titleRef} tabIndex={-1} translate="no">
              {detail.name}
            </h1>
            <span className="purpose purpose-large">{lang === 'ko' ? (detail.purpose ?? detail.purposeEn) : detail.purposeEn}</span>
            <DdayBadge days={daysLeft(detail.notAfter, Date.now())} />
          </div>

          <div className="detail-grid">
            <section className="panel" aria-labelledby="detail-info">
              <h2 id="detail-info">{t('detail.info')}</h2>
              <dl className="facts">
                <dt>{t('detail.holder')}</dt>
                <dd data-field="holder">
                  <span translate="no">{detail.name}</span>
                  {/* The holder's name is what people know; the full DN is one click away for the helpdesk. */}
                  <details className="disclosure">
                    <summary data-action="show-dn">{t('detail.showDn')}</summary>
                    <span className="mono-wrap subtle" translate="no" data-field="subject">
                      {detail.subject}
                    </span>
                  </details>
                </dd>
                <dt>{t('detail.issuer')}</dt>
                <dd data-field="issuer">
                  <span translate="no">{issuerName(detail, lang)}</span>
                  <span className="mono-wrap subtle" translate="no">
                    {detail.issuer}
                  </span>
                </dd>
                <dt>{t('detail.serial')}</dt>
                <dd className="mono" data-field="serial" translate="no">
                  {formatSerial(detail.serial)}
                </dd>
                <dt>{t('detail.validity')}</dt>
                <dd data-field="validity">
                  {t('detail.validityRange', { from: longDate(detail.notBefore), to: longDate(detail.notAfter) })}
                </dd>
                <dt>{t('detail.policy')}</dt>
                <dd>
                  <span>{lang === 'ko' ? (detail.purpose ?? detail.purposeEn) : detail.purposeEn}</span>
                  {detail.policyOid && (
                    <span className="mono subtle" translate="no">
                      {detail.policyOid}
                    </span>
                  )}
                </dd>
                <dt>{t('detail.owner')}</dt>
                <dd>{t(OWNER_KEYS[detail.ownerType] ?? 'owner.unknown')}</dd>
                <dt>{t('detail.keyUsage')}</dt>
                <dd>{detail.keyUsage.length === 0 ? '—' : detail.keyUsage.map((k) => (KEY_USAGE_KEYS[k] ? t(KEY_USAGE_KEYS[k]) : k)).join(', ')}</dd>
                <dt>{t('detail.vid')}</dt>
                <dd>{detail.hasVid ? t('detail.vidYes') : t('detail.vidNo')}</dd>
                <dt>{t('detail.fingerprint')}</dt>
                <dd className="mono-wrap subtle" translate="no">
                  {detail.fingerprintSha256}
                </dd>
              </dl>
            </section>

            <section className="panel" aria-labelledby="detail-copies">
              <h2 id="detail-copies">{t('detail.copies', { n: present.length })}</h2>
              <fieldset className="copies">
                <legend className="sr-only">{t('detail.chooseCopy')}</legend>
                {detail.copies.map((c) => (
                  <div key={c.location} className={c.missing ? 'copy copy-missing' : 'copy'} data-copy={c.location}>
                    <label className="copy-choice">
                      <input type="radio" name="copy-choice" value={c.location} checked={chosen === c.location} disabled={c.missing} onChange={() => setChosen(c.location)} />
                      <MediumTag medium={c.medium} />
                      {c.missing && <span className="missing-note">{t('copy.missing')}</span>}
                    </label>
                    <code className="path" translate="no">
                      {c.location}
                    </code>
                    <ul className="files" aria-label={t('detail.files')}>
                      {FILE_KEYS.filter((f) => f.key !== 'pfx' || c.files.pfx).map((f) => (
                        <li key={f.key} className={c.files[f.key] ? 'file-ok' : 'file-no'}>
                          <CheckIcon ok={c.files[f.key]} />
                          <span>{t(f.label)}</span>
                          <span className="sr-only">{c.files[f.key] ? t('file.present') : t('file.absent')}</span>
                        </li>
                      ))}
                    </ul>
                    {c.keyScheme && (
                      <p className="subtle" data-field="key-scheme">
                        {t('detail.keyScheme', { scheme: keySchemeName(c.keyScheme, lang) })}
                      </p>
                    )}
                  </div>
                ))}
              </fieldset>
              <div className="actions" role="group" aria-label={t('detail.actions')}>
                <button type="button" className="btn" disabled={!chosenCopy?.files.signPri} onClick={() => setAction('password')} data-action="change-password">
                  {t('action.changePassword')}
                </button>
                <button type="button" className="btn" disabled={!chosenCopy || onToken} onClick={() => setAction('copy')} data-action="copy">
                  {t('action.copyMove')}
                </button>
                <button type="button" className="btn" disabled={!chosenCopy?.files.signPri} onClick={() => setAction('export')} data-action="export">
                  {t('action.export')}
                </button>
                {onPhone && (
                  <button
                    type="button"
                    className="btn"
                    disabled={!chosenCopy?.files.signPri || chosenCopy.medium === 'token'}
                    onClick={() => chosenCopy && onPhone({ direction: 'share', locations: [chosenCopy.location], labels: [detail.name] })}
                    data-action="to-phone"
                  >
                    {t('phone.toPhone')}
                  </button>
                )}
                <button type="button" className="btn btn-danger" disabled={!chosenCopy} onClick={() => setAction(onToken ? 'token-delete' : 'delete')} data-action="delete">
                  {t('action.delete')}
                </button>
                {onToken && (
                  <button type="button" className="btn" onClick={() => setAction('change-pin')} data-action="change-pin">
                    {t('token.changePin')}
                  </button>
                )}
                {/* A token copy is renewed on the token (its key signs there, the new key is generated there). */}
                <button type="button" className="btn" disabled={!chosenCopy?.files.signPri && !onToken} onClick={() => setAction('renew')} data-action="renew">
                  {t('action.renew')}
                </button>
                <button type="button" className="btn btn-danger" disabled={!chosenCopy?.files.signPri && !onToken} onClick={() => setAction('revoke')} data-action="revoke">
                  {t('action.revoke')}
                </button>
              </div>
              {onToken && <p className="note" data-field="token-note">{t('token.copyNote')}</p>}
            </section>

            {chosenCopy?.files.signPri && detail.hasVid && <VidCheck location={chosenCopy.location} />}

            {detail.findings.length > 0 && (
              <section className="panel" aria-labelledby="detail-findings">
                <h2 id="detail-findings">{t('detail.findings')}</h2>
                <ul className="findings">
                  {detail.findings.map((f, i) => (
                    <Finding key={i} finding={f} />
                  ))}
                </ul>
              </section>
            )}
          </div>

          {action === 'password' && chosenCopy && <ChangePasswordDialog detail={detail} location={chosenCopy.location} onClose={() => setAction(null)} />}
          {action === 'copy' && chosenCopy && <CopyDialog copy={chosenCopy} name={detail.name} onClose={() => setAction(null)} />}
          {action === 'export' && chosenCopy && <ExportDialog copy={chosenCopy} name={detail.name} onClose={() => setAction(null)} />}
          {action === 'renew' && chosenCopy && <RenewDialog detail={detail} location={chosenCopy.location} onClose={() => setAction(null)} />}
          {action === 'revoke' && chosenCopy && <RevokeDialog detail={detail} location={chosenCopy.location} onClose={() => setAction(null)} />}
          {action === 'token-delete' && chosenCopy && <TokenDeleteDialog copy={chosenCopy} onClose={() => setAction(null)} />}
          {action === 'change-pin' && chosenCopy && <ChangePinDialog token={chosenCopy.root} onClose={() => setAction(null)} />}
          {action === 'delete' && chosenCopy && <DeleteDialog certs={[detail]} only={[chosenCopy.location]} onClose={() => setAction(null)} />}
        </>
      )}
    </section>
  )
}

/** One finding in the person's language, with the places it is about. */
function Finding({ finding: f }: { finding: FindingView }) {
  const { t, longDate } = useI18n()
  const params: Params = {}
  for (const [k, v] of Object.entries(f.params)) if (typeof v !== 'boolean') params[k] = k === 'notAfter' && typeof v === 'string' ? longDate(v) : v
  return (
    <li className={`finding finding-${f.severity}`} data-finding={f.code}>
      <span className={`finding-severity severity-${f.severity}`}>{t(SEVERITY_KEYS[f.severity])}</span> {t(FINDING_KEYS[f.code], params)}
      {f.locations.length > 0 && (
        <ul className="finding-where" aria-label={t('detail.findingWhere')}>
          {f.locations.map((l) => (
            <li key={l}>
              <code className="path" translate="no">
                {l}
              </code>
            </li>
          ))}
        </ul>
      )}
    </li>
  )
}

// In the VID check NOT_FOUND means the key has no randomNum to check with, not that the certificate is gone.
const VID_ERRORS: ErrorOverrides = { NOT_FOUND: 'vid.noRandomNum' }

/**
 * 본인확인 (VID): checks locally that a 주민등록번호 (or 사업자번호) belongs to this certificate. The number and the
 * password stay in this component's state for the one call, are cleared right after, and only match / no match is
 * shown.
 */
function VidCheck({ location }: { location: string }) {
  const { t } = useI18n()
  const [password, setPassword] = useState('')
  const [idn, setIdn] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<boolean | null>(null)
  const [error, setError] = useState<unknown>(null)
  const hintId = useId()
  const digits = idn.replace(/[^0-9]/g, '')

  const submit = async () => {
    setBusy(true)
    setResult(null)
    setError(null)
    try {
      const r = await call('verifyVid', { location, password, idn: digits })
      setResult(r.match)
    } catch (e) {
      setError(e)
    } finally {
      setPassword('')
      setIdn('')
      setBusy(false)
    }
  }

  return (
    <section className="panel" aria-labelledby="vid-title" data-panel="vid">
      <h2 id="vid-title">{t('vid.title')}</h2>
      <p className="subtle" id={hintId}>
        {t('vid.intro')}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <PasswordField label={t('vid.password')} name="vid-password" value={password} onChange={setPassword} />
        <PasswordField label={t('vid.idn')} name="vid-idn" value={idn} onChange={setIdn} inputMode="numeric" describedBy={hintId} />
        <button type="submit" className="btn" disabled={busy || password === '' || digits.length < 10} data-action="verify-vid">
          {busy ? t('common.working') : t('vid.check')}
        </button>
      </form>
      {result !== null && (
        <p className={result ? 'vid-result vid-match' : 'vid-result vid-nomatch'} role="status" data-vid={result ? 'match' : 'nomatch'}>
          {result ? t('vid.match') : t('vid.noMatch')}
        </p>
      )}
      <ErrorBox error={error} overrides={VID_ERRORS} />
    </section>
  )
}
