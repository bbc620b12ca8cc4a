/**
 * 휴대폰으로 복사 / 휴대폰에서 가져오기, first step: before any server listens, the person chooses the network the
 * phone is on and (for a share) what the phone gets, and types the certificate passwords a .p12 needs. Pressing
 * "QR 코드 만들기" hands the choice to PhoneSession, which starts the session; the passwords then leave this form.
 *
 * The firewall note is shown here, before the first listen can make the operating system ask.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { NetworkView, ShareFormat } from '../../../common/contract'
import { PasswordField } from '../components/PasswordField'
import { useI18n, type MessageKey } from '../i18n'

export interface PhoneSetupChoice {
  bindHost: string
  format: ShareFormat
  /** One per certificate, in order; empty for 'npki' and for receiving. */
  passwords: string[]
}

interface Props {
  direction: 'share' | 'receive'
  /** Share: one label per certificate (their order is the order of `passwords`). */
  items?: string[]
  /** null while loading. */
  networks: NetworkView[] | null
  /** The address of the last session, kept when the person comes back to this step. */
  initialAddress?: string
  initialFormat?: ShareFormat
  /** A start that failed (e.g. a wrong certificate password), and which certificate it was about. */
  error?: string
  errorIndex?: number
  busy: boolean
  onStart: (choice: PhoneSetupChoice) => void
  onCancel: () => void
}

const FORMATS: { format: ShareFormat; title: MessageKey; hint: MessageKey }[] = [
  { format: 'both', title: 'phone.formatBoth', hint: 'phone.formatBothHint' },
  { format: 'p12', title: 'phone.formatP12', hint: 'phone.formatP12Hint' },
  { format: 'npki', title: 'phone.formatNpki', hint: 'phone.formatNpkiHint' },
]

export function PhoneSetup(props: Props) {
  const { t } = useI18n()
  const { direction, networks } = props
  const items = props.items ?? []
  const [address, setAddress] = useState<string | undefined>(props.initialAddress)
  const [format, setFormat] = useState<ShareFormat>(props.initialFormat ?? 'both')
  const [passwords, setPasswords] = useState<string[]>(() => items.map(() => ''))
  const fields = useRef<(HTMLInputElement | null)[]>([])

  useEffect(() => {
    if (!networks) return
    setAddress((a) => (a && networks.some((n) => n.address === a) ? a : networks[0]?.address))
  }, [networks])

  // After a wrong password, the focus goes back to that certificate's field.
  useEffect(() => {
    if (props.errorIndex !== undefined) fields.current[props.errorIndex]?.focus()
  }, [props.error, props.errorIndex])

  const needsPasswords = direction === 'share' && format !== 'npki'
  const ready = !props.busy && address !== undefined && (!needsPasswords || passwords.every((p) => p !== ''))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!ready || !address) return
    props.onStart({ bindHost: address, format: direction === 'share' ? format : 'npki', passwords: needsPasswords ? passwords : [] })
    // The passwords cross to main once; the form forgets them at once.
    setPasswords(items.map(() => ''))
  }

  return (
    <section className="screen phone-transfer" data-phase="setup" aria-labelledby="phone-setup-title">
      <header className="screen-header">
        <h1 id="phone-setup-title">{t(direction === 'share' ? 'phone.titleShare' : 'phone.titleReceive')}</h1>
      </header>
      <form className="panel phone-setup" onSubmit={submit} data-form="phone-setup">
        {direction === 'share' && items.length > 0 && (
          <>
            <h2>{t('phone.items')}</h2>
            <ul className="phone-items">
              {items.map((label, i) => (
                <li key={`${i}-${label}`}>{label}</li>
              ))}
            </ul>
          </>
        )}

        <fieldset className="targets">
          <legend>{t('phone.network')}</legend>
          {networks === null && <p className="subtle">{t('common.loading')}</p>}
          {networks?.length === 0 && <p className="error-box">{t('phone.noNetwork')}</p>}
          {networks?.map((n) => (
            <label key={n.address} className="check-row target">
              <input type="radio" name="network" value={n.address} checked={address === n.address} onChange={() => setAddress(n.address)} />
              <span translate="no">{n.interface}</span>
              <code className="path subtle">{n.address}</code>
              {!n.private && <span className="subtle">{t('phone.networkPublic')}</span>}
            </label>
          ))}
        </fieldset>

        {direction === 'share' && (
          <fieldset className="targets">
            <legend>{t('phone.format')}</legend>
            {FORMATS.map((f) => (
              <label key={f.format} className="check-row target">
                <input type="radio" name="share-format" value={f.format} checked={format === f.format} onChange={() => setFormat(f.format)} />
                <span>
                  <strong>{t(f.title)}</strong>
                  <br />
                  <span className="subtle">{t(f.hint)}</span>
                </span>
              </label>
            ))}
          </fieldset>
        )}

        {needsPasswords &&
          items.map((label, i) => (
            <PasswordField
              key={`${i}-${label}`}
              label={items.length > 1 ? t('phone.certPasswordOf', { name: label }) : t('phone.certPassword')}
              name={`cert-password-${i}`}
              value={passwords[i] ?? ''}
              onChange={(v) => setPasswords((ps) => ps.map((p, j) => (j === i ? v : p)))}
              autoFocus={i === 0}
              invalid={props.errorIndex === i}
              inputRef={(el) => {
                fields.current[i] = el
              }}
            />
          ))}
        {needsPasswords && <p className="note">{t(format === 'p12' ? 'phone.passwordWhyP12' : 'phone.passwordWhyBoth')}</p>}

        {props.error && (
          <p className="error-box" role="alert">
            {props.error}
          </p>
        )}
        <p className="note">{t('phone.firewall')}</p>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={!ready} data-action="start-transfer" autoFocus={!needsPasswords}>
            {props.busy ? t('common.loading') : t('phone.makeQr')}
          </button>
          <button type="button" className="btn" onClick={props.onCancel} data-action="cancel-setup">
            {t('common.cancel')}
          </button>
        </div>
      </form>
      <p className="note">{t('phone.trust')}</p>
    </section>
  )
}
