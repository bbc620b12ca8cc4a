/**
 * 휴대폰으로 복사 / 휴대폰에서 가져오기: the desktop half of a QR transfer session. Purely presentational: the
 * caller runs the session (main/core/transfer through a command) and passes what to show and what to call.
 *
 * Phases: waiting (QR + countdown) → claimed (the phone's code, address and browser; the person confirms or
 * declines) → confirmed (sending, or waiting for the phone's upload) → one of the endings.
 */
import { useI18n, type MessageKey } from '../i18n'

export type PhoneTransferPhase =
  | 'starting'
  | 'waiting'
  | 'claimed'
  | 'confirmed'
  | 'sent'
  | 'received'
  | 'expired'
  | 'declined'
  | 'cancelled'
  | 'aborted'
  | 'failed'

export interface PhoneClaim {
  /** Six digits, as the core reports it ('claimed' progress detail). */
  code: string
  address: string
  userAgent: string
}

export interface NetworkChoice {
  interface: string
  address: string
}

export interface PhoneTransferProps {
  direction: 'share' | 'receive'
  phase: PhoneTransferPhase
  /** The session URL as a PNG data URL (qrPngDataUrl in main). */
  qrDataUrl?: string
  /** Seconds until the session expires; the caller ticks it. */
  secondsLeft?: number
  /** Share: what is being sent (one line per certificate). */
  items?: string[]
  /** The network chosen in the setup step (shown, not chosen here). */
  network?: NetworkChoice
  /** Format 'p12': the password that opens the phone's .p12, shown here and nowhere else. */
  transferPassword?: string
  claim?: PhoneClaim
  /** Shown under the ending (e.g. a DojangError from the import after a 'received'). */
  error?: string
  onConfirm: () => void
  onReject: () => void
  onCancel: () => void
  /** A new session (new key, new QR) after an ending. */
  onRestart?: () => void
  onClose?: () => void
}

/** "Chrome · Android", "Safari · iPhone": enough for a person to recognise their own phone. */
export function describeUserAgent(ua: string): string {
  const os = /iPhone/.test(ua) ? 'iPhone' : /iPad/.test(ua) ? 'iPad' : /Android/.test(ua) ? 'Android' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : ''
  const browser = /SamsungBrowser/.test(ua)
    ? 'Samsung Internet'
    : /NAVER|Whale/.test(ua)
      ? 'Naver Whale'
      : /KAKAOTALK/.test(ua)
        ? 'KakaoTalk'
        : /EdgA?\//.test(ua)
          ? 'Edge'
          : /Firefox|FxiOS/.test(ua)
            ? 'Firefox'
            : /Chrome|CriOS/.test(ua)
              ? 'Chrome'
              : /Safari/.test(ua)
                ? 'Safari'
                : ''
  return [browser, os].filter(Boolean).join(' · ') || ua.slice(0, 60) || '?'
}

const ENDINGS: Partial<Record<PhoneTransferPhase, MessageKey>> = {
  sent: 'phone.sent',
  received: 'phone.received',
  expired: 'phone.expired',
  declined: 'phone.declined',
  cancelled: 'phone.cancelled',
  aborted: 'phone.aborted',
  failed: 'phone.failed',
}

export function PhoneTransfer(props: PhoneTransferProps) {
  const { t } = useI18n()
  const { direction, phase, claim } = props
  const ending = ENDINGS[phase]
  const live = phase === 'starting' || phase === 'waiting' || phase === 'claimed' || phase === 'confirmed'

  return (
    <section className="screen phone-transfer" data-phase={phase} aria-labelledby="phone-transfer-title">
      <header className="screen-header">
        <h1 id="phone-transfer-title">{t(direction === 'share' ? 'phone.titleShare' : 'phone.titleReceive')}</h1>
      </header>

      {live && props.network && (
        <p className="subtle phone-network" translate="no">
          {t('phone.network')}: {props.network.interface} — {props.network.address}
        </p>
      )}

      {(phase === 'starting' || phase === 'waiting') && (
        <div className="panel phone-qr-panel">
          {props.qrDataUrl ? <img className="phone-qr" src={props.qrDataUrl} alt={t('phone.qrAlt')} width={240} height={240} /> : <p className="subtle">{t('common.loading')}</p>}
          <div>
            <p>
              <strong>{t('phone.scan')}</strong>
            </p>
            <p className="subtle">{t(direction === 'share' ? 'phone.scanHintShare' : 'phone.scanHintReceive')}</p>
            {props.secondsLeft !== undefined && (
              <p className="phone-countdown" aria-live="off">
                {t('phone.countdown', { seconds: Math.max(0, Math.ceil(props.secondsLeft)) })}
              </p>
            )}
            {direction === 'share' && props.items && props.items.length > 0 && (
              <>
                <h2>{t('phone.items')}</h2>
                <ul className="phone-items">
                  {props.items.map((label) => (
                    <li key={label}>{label}</li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </div>
      )}

      {props.transferPassword && phase !== 'declined' && phase !== 'cancelled' && phase !== 'expired' && phase !== 'aborted' && (
        <div className="panel phone-transfer-password" aria-labelledby="phone-transfer-password-title">
          <h2 id="phone-transfer-password-title">{t('phone.transferPasswordTitle')}</h2>
          <p className="phone-secret" translate="no" data-transfer-password={props.transferPassword}>
            {props.transferPassword}
          </p>
          <p className="note">{t('phone.transferPasswordHint')}</p>
        </div>
      )}

      {phase === 'claimed' && claim && (
        <div className="panel phone-claim" role="alertdialog" aria-labelledby="phone-claim-title">
          <h2 id="phone-claim-title">{t('phone.claimedTitle')}</h2>
          <p>{t('phone.claimedQuestion')}</p>
          <p className="phone-code" aria-label={t('phone.codeLabel')} data-code={claim.code}>
            {claim.code.slice(0, 3)} {claim.code.slice(3)}
          </p>
          <p className="subtle phone-peer" translate="no">{t('phone.peer', { browser: describeUserAgent(claim.userAgent), address: claim.address })}</p>
          <p className="note">{t('phone.mismatch')}</p>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={props.onConfirm} data-action="confirm-phone">
              {t('phone.confirm')}
            </button>
            <button type="button" className="btn btn-danger" onClick={props.onReject} data-action="reject-phone">
              {t('phone.reject')}
            </button>
          </div>
        </div>
      )}

      {phase === 'confirmed' && <p className="panel" aria-live="polite">{t(direction === 'share' ? 'phone.sending' : 'phone.waitingUpload')}</p>}

      {ending && (
        <div className="panel" aria-live="polite">
          <p className={phase === 'sent' || phase === 'received' ? '' : 'error-box'}>{t(ending)}</p>
          {props.error && <p className="error-box">{props.error}</p>}
        </div>
      )}

      <div className="actions">
        {live && (
          <button type="button" className="btn" onClick={props.onCancel} data-action="cancel-transfer">
            {t('common.cancel')}
          </button>
        )}
        {!live && props.onRestart && phase !== 'sent' && phase !== 'received' && (
          <button type="button" className="btn btn-primary" onClick={props.onRestart} data-action="restart-transfer">
            {t('phone.restart')}
          </button>
        )}
        {!live && props.onClose && (
          <button type="button" className="btn" onClick={props.onClose}>
            {t('common.close')}
          </button>
        )}
      </div>

      <p className="note">{t('phone.trust')}</p>
      {(phase === 'starting' || phase === 'waiting') && <p className="note">{t('phone.firewall')}</p>}
    </section>
  )
}
