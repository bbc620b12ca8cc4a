/**
 * 휴대폰으로 복사 / 휴대폰에서 가져오기 as a screen of the app: starts the session through main (startShare /
 * startReceive), follows its operation events for the phases, ticks the countdown, and calls confirmShare /
 * rejectShare / cancelOperation. The QR image arrives once, in the start response, and lives only in this
 * component's state; the session URL itself never reaches the page.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import type { NetworkView, OperationView, PhoneSessionView, ShareFormat } from '../../../common/contract'
import { checkPasswordRules } from '../../../common/passwordRules'
import { call, errorText, errorViewText, isApiError } from '../api'
import { useOperations } from '../app/useOperations'
import { MediaPicker, useMediaTargets } from '../components/MediaPicker'
import { PasswordField } from '../components/PasswordField'
import { PasswordRules } from '../components/PasswordRules'
import { useToasts } from '../components/Toasts'
import { useI18n } from '../i18n'
import { PhoneSetup, type PhoneSetupChoice } from './PhoneSetup'
import { PhoneTransfer, type PhoneClaim, type PhoneTransferPhase } from './PhoneTransfer'

export type PhoneSessionRequest = { direction: 'share'; locations: string[]; labels: string[] } | { direction: 'receive' }

const ENDING_STEPS = new Set(['sent', 'declined', 'expired', 'aborted', 'cancelled'])

/** The phase the screen shows for the operation's latest event. */
export function phaseOf(op: OperationView | null, direction: 'share' | 'receive'): PhoneTransferPhase | 'file-arrived' {
  if (!op) return 'starting'
  if (op.state === 'cancelled') return 'cancelled'
  if (op.state === 'failed') return 'failed'
  if (op.step === 'imported') return 'received'
  if (op.step === 'file-arrived') return op.state === 'running' ? 'file-arrived' : 'failed'
  if (op.step === 'received') return op.state === 'running' ? 'confirmed' : 'received'
  if (ENDING_STEPS.has(op.step)) return op.step as PhoneTransferPhase
  if (op.step === 'claimed') return 'claimed'
  if (op.step === 'confirmed') return 'confirmed'
  return direction === 'share' || op.state === 'running' ? 'waiting' : 'failed'
}

function claimOf(op: OperationView | null): PhoneClaim | undefined {
  if (!op || op.step !== 'claimed') return undefined
  return { code: String(op.detail.code ?? ''), address: String(op.detail.address ?? ''), userAgent: String(op.detail.userAgent ?? '') }
}

export function PhoneSession({ request, onClose }: { request: PhoneSessionRequest; onClose: () => void }) {
  const { t } = useI18n()
  const toasts = useToasts()
  const ops = useOperations()
  const [networks, setNetworks] = useState<NetworkView[] | null>(null)
  /** What the person chose in the setup step (never the passwords: those went to main with the start). */
  const [chosen, setChosen] = useState<{ address: string; format: ShareFormat } | null>(null)
  const [session, setSession] = useState<PhoneSessionView | null>(null)
  const [starting, setStarting] = useState(false)
  const [setupError, setSetupError] = useState<{ text: string; index?: number } | null>(null)
  const [now, setNow] = useState(() => Date.now())

  useEffect(() => {
    call('listNetworks', {}).then(setNetworks, (e: unknown) => {
      setNetworks([])
      setSetupError({ text: errorText(e, t) })
    })
  }, [])

  const start = async (choice: PhoneSetupChoice) => {
    setStarting(true)
    setSetupError(null)
    setChosen({ address: choice.bindHost, format: choice.format })
    try {
      const s =
        request.direction === 'share'
          ? await call('startShare', { locations: request.locations, bindHost: choice.bindHost, ...(choice.format !== 'npki' ? { format: choice.format, passwords: choice.passwords } : { format: 'npki' as const }) })
          : await call('startReceive', { bindHost: choice.bindHost })
      ops.started(s.operationId, request.direction)
      setNow(Date.now())
      setSession(s)
    } catch (e) {
      // Nothing listens yet: the person stays on the setup step (a wrong password names its certificate).
      const index = isApiError(e, 'WRONG_PASSWORD') && typeof e.details.index === 'number' ? e.details.index : undefined
      setSetupError({ text: errorText(e, t), ...(index !== undefined ? { index } : {}) })
    } finally {
      setStarting(false)
    }
  }

  const op = session ? (ops.latest(request.direction) ?? null) : null
  const mine = op && session && op.id === session.operationId ? op : null
  const phase = session ? phaseOf(mine, request.direction) : 'starting'
  const live = phase === 'starting' || phase === 'waiting' || phase === 'claimed' || phase === 'confirmed'

  useEffect(() => {
    if (!live || !session) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [live, session])

  // Leaving the screen ends a session that is still running (nothing is sent after that).
  const sessionId = session?.operationId
  // (Through a ref: the operations value changes with every event, and that must not end the session.)
  const cancelRef = useRef(ops.cancel)
  cancelRef.current = ops.cancel
  useEffect(() => {
    return () => {
      if (sessionId !== undefined) void cancelRef.current(sessionId)
    }
  }, [sessionId])

  const act = async (method: 'confirmShare' | 'rejectShare') => {
    if (!session) return
    try {
      await call(method, { operationId: session.operationId })
    } catch (e) {
      toasts.show({ text: errorText(e, t), kind: 'error' })
    }
  }

  if (!session) {
    return (
      <PhoneSetup
        direction={request.direction}
        {...(request.direction === 'share' ? { items: request.labels } : {})}
        networks={networks}
        {...(chosen ? { initialAddress: chosen.address, initialFormat: chosen.format } : {})}
        {...(setupError ? { error: setupError.text, ...(setupError.index !== undefined ? { errorIndex: setupError.index } : {}) } : {})}
        busy={starting}
        onStart={(choice) => void start(choice)}
        onCancel={onClose}
      />
    )
  }

  if (phase === 'file-arrived' && mine) {
    return <ReceivedFile operationId={session.operationId} detail={mine.detail} onCancel={() => void ops.cancel(session.operationId)} />
  }

  const network = networks?.find((n) => n.address === chosen?.address)
  return (
    <PhoneTransfer
      direction={request.direction}
      phase={phase as PhoneTransferPhase}
      {...(live ? { qrDataUrl: session.qrDataUrl, secondsLeft: Math.max(0, (session.expiresAt - now) / 1000) } : {})}
      {...(request.direction === 'share' ? { items: request.labels } : {})}
      {...(network ? { network } : {})}
      {...(session.transferPassword ? { transferPassword: session.transferPassword } : {})}
      {...(claimOf(mine) ? { claim: claimOf(mine)! } : {})}
      {...(mine?.error ? { error: errorViewText(mine.error, t) } : {})}
      onConfirm={() => void act('confirmShare')}
      onReject={() => void act('rejectShare')}
      onCancel={() => void ops.cancel(session.operationId)}
      // A new session starts from the setup step: new key, new QR, (for a .p12) the passwords typed again.
      onRestart={() => setSession(null)}
      onClose={onClose}
    />
  )
}

/** 휴대폰에서 가져오기, last step: where the file goes, its password and the new one. */
function ReceivedFile({ operationId, detail, onCancel }: { operationId: number; detail: OperationView['detail']; onCancel: () => void }) {
  const { t } = useI18n()
  const [password, setPassword] = useState('')
  const [newPassword, setNewPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const rulesId = useId()

  const { media, target, setTarget, chosen } = useMediaTargets((m) => m.medium === 'disk' || m.medium === 'removable' || m.medium === 'keychain', (e) => setError(errorText(e, t)))
  const rules = checkPasswordRules(newPassword)
  const canSubmit = !busy && chosen !== null && password !== '' && rules.ok && confirm === newPassword

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!canSubmit || !chosen) return
    setBusy(true)
    setError(null)
    try {
      const to = chosen.medium === 'keychain' ? { medium: chosen.medium } : { medium: chosen.medium, root: chosen.root }
      await call('importReceived', { operationId, to, password, newPassword })
      setPassword('')
      setNewPassword('')
      setConfirm('')
    } catch (err) {
      // A wrong password changes nothing; the file waits for another try.
      setError(errorText(err, t))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="screen phone-transfer" data-phase="file-arrived" aria-labelledby="phone-file-title">
      <header className="screen-header">
        <h1 id="phone-file-title">{t('phone.titleReceive')}</h1>
      </header>
      <form className="panel" onSubmit={(e) => void submit(e)} data-form="phone-import">
        <p>
          <strong>{t('phone.fileArrived', { name: String(detail.name ?? ''), n: Number(detail.certificates ?? 1) })}</strong>
        </p>
        <MediaPicker legend={t('phone.importTo')} name="phone-target" media={media} failed={error !== null && media === null} target={target} onChoose={setTarget} />
        <PasswordField label={t(detail.kind === 'zip' ? 'phone.zipPassword' : 'import.pfxPassword')} name="file-password" value={password} onChange={setPassword} autoFocus />
        <PasswordField label={t('import.newPassword')} name="new-password" value={newPassword} onChange={setNewPassword} describedBy={rulesId} invalid={newPassword !== '' && !rules.ok} />
        <PasswordRules password={newPassword} id={rulesId} />
        <PasswordField label={t('password.confirm')} name="confirm-password" value={confirm} onChange={setConfirm} invalid={confirm !== '' && confirm !== newPassword} />
        {error && <p className="error-box">{error}</p>}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={!canSubmit} data-action="import-received">
            {t('phone.importAction')}
          </button>
          <button type="button" className="btn" onClick={onCancel} data-action="cancel-transfer">
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  )
}
