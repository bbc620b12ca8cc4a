/**
 * 휴대폰으로 복사 / 휴대폰에서 가져오기 (issue 9): QR transfer sessions as operations of kinds 'share' and 'receive'.
 * This module runs a session of either direction; phoneShare.ts and phoneReceive.ts start them.
 *
 *   startShare / startReceive → { operationId, qr, expiresAt, address }   the QR goes to the screen once
 *   progress: waiting-for-phone → claimed {code, address, userAgent} → (confirmShare | rejectShare) → confirmed →
 *             sent | received → file-arrived {name, kind, certificates} → (importReceived) → imported
 *   cancelOperation ends a session at any point; the core's own 120 s expiry ends it too.
 *
 * The session URL carries the key. It leaves these modules only as the QR (and, for the CLI, as the text it
 * prints): never in progress details, the audit log or errors.
 */
import { DojangError } from '../../../../common/errors'
import type { ErrorCode } from '../../../../common/errors'
import { qrPngDataUrl, qrTerminalText, type LanAddress } from '../../transfer'
import type { Core } from '../core'
import type { OperationContext } from '../operation'
import { transferSessions, type RunningTransfer } from '../transferSessions'

export interface TransferEndpointInput {
  /** The address to listen on: one of listNetworks() in the app; any address the CLI's --bind names. */
  bindHost?: string
  /** The CLI's --advertise: the host name the QR names instead of the address. */
  advertiseHost?: string
  /** 'png' (a data URL for the screen, default) or 'terminal' (half-block text for the CLI). */
  qrFormat?: 'png' | 'terminal'
}

export interface StartedTransfer {
  operationId: number
  /** The QR code of the session URL: a PNG data URL, or terminal text. */
  qr: string
  /** The session URL itself, for the CLI to print. Carries the key: front ends other than the CLI drop it. */
  url: string
  expiresAt: number
  /** `host:port` the session listens on (not secret). */
  address: string
  /** Format 'p12': the password that opens the phone's .p12. Shown on the PC screen only; never stored. */
  transferPassword?: string
}

/** 네트워크 선택: the addresses a session can listen on, private ranges first. */
export async function listNetworks(core: Core): Promise<LanAddress[]> {
  return transferSessions(core).settings.networks()
}

export function endpoint(core: Core, input: TransferEndpointInput): { bindHost: string; advertiseHost?: string } {
  const { settings } = transferSessions(core)
  const networks = settings.networks()
  let bindHost = input.bindHost
  if (bindHost === undefined) {
    bindHost = networks[0]?.address
    if (!bindHost) throw new DojangError('INVALID_INPUT', 'This computer is not on a local network. Connect the PC and the phone to the same Wi-Fi.', { reason: 'no-network' })
  } else if (core.frontEnd === 'app' && !networks.some((n) => n.address === bindHost)) {
    // The page may only choose among the addresses Dojang offered.
    throw new DojangError('INVALID_INPUT', 'This network is not one Dojang offered; choose again.', { address: bindHost })
  }
  const advertiseHost = input.advertiseHost ?? settings.advertiseHost
  return advertiseHost ? { bindHost, advertiseHost } : { bindHost }
}

interface OpenedSession {
  url: string
  expiresAt: number
  host: string
  port: number
  confirm(): boolean
  reject(): boolean
}

/**
 * Runs a session as an operation and returns once it listens (or throws why it could not). `open` starts the
 * session with the context given; `after` runs in the operation once the session exists, until it ends.
 */
export async function runSession<S extends OpenedSession>(
  core: Core,
  kind: 'share' | 'receive',
  input: TransferEndpointInput & { bindHost: string },
  open: (ctx: OperationContext) => Promise<S>,
  after: (session: S, ctx: OperationContext, entry: RunningTransfer) => Promise<unknown>,
): Promise<StartedTransfer> {
  const registry = transferSessions(core)
  const entry: RunningTransfer = { kind, confirm: () => false, reject: () => false, claimed: false }
  let opened!: (s: S) => void
  const ready = new Promise<S>((resolve) => (opened = resolve))
  const op = core.operations.start(kind, async (ctx) => {
    const session = await open({
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      progress: (p) => {
        if (p.step === 'claimed') entry.claimed = true
        ctx.progress?.(p)
      },
    })
    entry.confirm = () => session.confirm()
    entry.reject = () => session.reject()
    opened(session)
    return after(session, ctx, entry)
  })
  registry.running.set(op.id, entry)
  op.done.then(
    () => registry.running.delete(op.id),
    () => registry.running.delete(op.id),
  )
  const session = await Promise.race([
    ready,
    op.done.then(() => {
      throw new DojangError('INTERNAL', 'The transfer session ended before it started.')
    }),
  ])
  const url = session.url
  const qr = input.qrFormat === 'terminal' ? await qrTerminalText(url) : await qrPngDataUrl(url)
  // The address the session listens on (the URL may name another host: --advertise).
  const address = `${input.bindHost.includes(':') ? `[${input.bindHost}]` : input.bindHost}:${session.port}`
  return { operationId: op.id, qr, url, expiresAt: session.expiresAt, address }
}

export function auditQuietly(core: Core, entry: Parameters<Core['inventory']['audit']>[0]): void {
  try {
    core.inventory.audit(entry)
  } catch {
    // The audit log never turns a finished transfer into a failure.
  }
}

export const outcomeOf = (status: string): 'ok' | ErrorCode => (status === 'sent' || status === 'received' ? 'ok' : 'CANCELLED')

export function running(core: Core, operationId: number): RunningTransfer {
  const entry = transferSessions(core).running.get(operationId)
  if (!entry) throw new DojangError('NOT_FOUND', 'This phone session has ended.', { operationId })
  return entry
}

/** "It is my phone": releases the certificates (share) or lets the phone upload (receive). Only after a claim. */
export async function confirmShare(core: Core, input: { operationId: number }): Promise<{ confirmed: boolean }> {
  const entry = running(core, input.operationId)
  if (!entry.claimed) throw new DojangError('INVALID_INPUT', 'No phone has connected to this session yet.', { operationId: input.operationId })
  return { confirmed: entry.confirm() }
}

/** "Not my phone" (or the codes differ): ends the session; nothing is sent. Only after a claim. */
export async function rejectShare(core: Core, input: { operationId: number }): Promise<{ rejected: boolean }> {
  const entry = running(core, input.operationId)
  if (!entry.claimed) throw new DojangError('INVALID_INPUT', 'No phone has connected to this session yet.', { operationId: input.operationId })
  return { rejected: entry.reject() }
}
