/**
 * 휴대폰으로 복사 / 휴대폰에서 가져오기 (issue 9): QR transfer sessions as operations of kinds 'share' and 'receive'.
 *
 *   startShare / startReceive → { operationId, qr, expiresAt, address }   the QR goes to the screen once
 *   progress: waiting-for-phone → claimed {code, address, userAgent} → (confirmShare | rejectShare) → confirmed →
 *             sent | received → file-arrived {name, kind, certificates} → (importReceived) → imported
 *   cancelOperation ends a session at any point; the core's own 120 s expiry ends it too.
 *
 * The session URL carries the key. It leaves this module only as the QR (and, for the CLI, as the text it prints):
 * never in progress details, the audit log or errors.
 */
import { DojangError, isDojangError } from '../../../../common/errors'
import type { ErrorCode } from '../../../../common/errors'
import { changeBundlePasswordAsync, checkBundlePasswordAsync } from '../../npki/keyCrypto'
import { requireStrongPassword } from '../../npki/keyPassword'
import { checkBundle } from '../../stores/bundle'
import { SHARE_FORMATS, type ShareFormat } from '../../../../common/contract'
import { pfxFromCopy } from '../../ops/pfxFile'
import {
  certFoldersInZip,
  newTransferPassword,
  qrPngDataUrl,
  qrTerminalText,
  readZip,
  shareItemFromBundle,
  startReceive as openReceiveSession,
  startShare as openShareSession,
  type LanAddress,
  type ShareItem,
  type UploadFile,
} from '../../transfer'
import type { CertificateKey } from '../../inventory'
import type { Core } from '../core'
import { lookupCopy, passwordAttempt } from '../lookup'
import type { OperationContext } from '../operation'
import { transferSessions, type RunningTransfer } from '../transferSessions'
import { importPfx } from './pfx'
import { resolveDestination, type CopyInput } from './copyCertificate'

/** 휴대폰으로 복사 carries at most this many certificates in one session (the payload format's cap). */
const MAX_SHARE = 64

export interface TransferEndpointInput {
  /** The address to listen on: one of listNetworks() in the app; any address the CLI's --bind names. */
  bindHost?: string
  /** The CLI's --advertise: the host name the QR names instead of the address. */
  advertiseHost?: string
  /** 'png' (a data URL for the screen, default) or 'terminal' (half-block text for the CLI). */
  qrFormat?: 'png' | 'terminal'
}

export interface StartShareInput extends TransferEndpointInput {
  locations: string[]
  /**
   * What the phone gets (default 'npki'): the NPKI files as they are ('npki'); those plus a bank-compatible .p12
   * under the certificate's own password ('both'); or only a .p12 under a random transfer password shown on the PC
   * ('p12'). The two PFX forms need the certificate passwords.
   */
  format?: ShareFormat
  /** One certificate password per location, in order (for 'both' and 'p12'); used once to build the PFX. */
  passwords?: string[]
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

function endpoint(core: Core, input: TransferEndpointInput): { bindHost: string; advertiseHost?: string } {
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
async function runSession<S extends OpenedSession>(
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

function auditQuietly(core: Core, entry: Parameters<Core['inventory']['audit']>[0]): void {
  try {
    core.inventory.audit(entry)
  } catch {
    // The audit log never turns a finished transfer into a failure.
  }
}

const outcomeOf = (status: string): 'ok' | ErrorCode => (status === 'sent' || status === 'received' ? 'ok' : 'CANCELLED')

/** 휴대폰으로 복사: the listed copies, read through their stores, sealed into one session for the phone. */
export async function startShare(core: Core, input: StartShareInput): Promise<StartedTransfer> {
  if (!Array.isArray(input.locations) || input.locations.length === 0 || input.locations.length > MAX_SHARE) {
    throw new DojangError('INVALID_INPUT', `Choose 1 to ${MAX_SHARE} certificates to copy to the phone.`)
  }
  const format: ShareFormat = input.format ?? 'npki'
  if (!SHARE_FORMATS.includes(format)) throw new DojangError('INVALID_INPUT', `Unknown share format: choose ${SHARE_FORMATS.join(', ')}.`)
  const needsPasswords = format !== 'npki'
  if (needsPasswords && (!Array.isArray(input.passwords) || input.passwords.length !== input.locations.length || input.passwords.some((p) => typeof p !== 'string' || p === ''))) {
    throw new DojangError('INVALID_INPUT', 'A .p12 for the phone is built with each certificate password: give one password per certificate.', { field: 'passwords' })
  }
  const transferPassword = format === 'p12' ? newTransferPassword() : undefined
  const sources: { location: string; certificate: CertificateKey | null }[] = []
  const items: ShareItem[] = []
  try {
    for (const [i, raw] of input.locations.entries()) {
      const target = await lookupCopy(core, raw)
      if (!target.store.capabilities.readKeys) {
        throw new DojangError('KEY_NOT_EXPORTABLE', 'The private key on a security token never leaves it: it cannot be copied to a phone.', { medium: target.store.medium })
      }
      const bundle = await target.store.read(target.location)
      if (needsPasswords) {
        const password = input.passwords?.[i] as string
        // The PFX is sealed under the person's own password ('both') or the transfer password ('p12'); a wrong
        // password ends here, before any session listens. The detail says which certificate, never the password.
        const pfx = await passwordAttempt(core, target, () =>
          pfxFromCopy(target.store, target.location, password, transferPassword ?? password, { profile: 'bank' }).catch((e: unknown) => {
            if (isDojangError(e) && e.code === 'WRONG_PASSWORD') throw new DojangError('WRONG_PASSWORD', e.message, { ...e.details, index: i, location: target.location }, { cause: e })
            throw e
          }),
        )
        items.push(shareItemFromBundle(bundle, { pfx: { data: pfx.bytes, password: transferPassword ? 'transfer' : 'certificate' }, npkiFiles: format === 'both' }))
      } else {
        items.push(shareItemFromBundle(bundle))
      }
      sources.push({ location: target.location, certificate: target.certificate })
    }
  } catch (e) {
    for (const item of items) item.pfx?.data.fill(0)
    throw e
  }
  const where = endpoint(core, input)
  const { limits } = transferSessions(core).settings
  const started = await runSession(
    core,
    'share',
    { ...input, ...where },
    async (ctx) => {
      try {
        return await openShareSession({ ...limits, ...where, items }, ctx)
      } finally {
        // Sealed into the envelope (or failed): the PFX bytes are not needed any more.
        for (const item of items) item.pfx?.data.fill(0)
      }
    },
    async (session) => {
      const { status } = await session.result
      for (const s of sources) auditQuietly(core, { action: 'transfer-out', certificate: s.certificate, locations: [s.location], outcome: outcomeOf(status), detail: { status, certificates: sources.length, format } })
      return status
    },
  )
  return transferPassword ? { ...started, transferPassword } : started
}

/** 휴대폰에서 가져오기: a session the phone uploads a .p12/.pfx or an NPKI folder ZIP into. */
export async function startReceive(core: Core, input: TransferEndpointInput = {}): Promise<StartedTransfer> {
  const where = endpoint(core, input)
  const { limits } = transferSessions(core).settings
  return runSession(
    core,
    'receive',
    { ...input, ...where },
    (ctx) => openReceiveSession({ ...limits, ...where }, ctx),
    async (session, ctx, entry) => {
      const outcome = await session.result
      if (outcome.status !== 'received') {
        auditQuietly(core, { action: 'transfer-in', locations: [], outcome: outcomeOf(outcome.status), detail: { status: outcome.status } })
        return outcome.status
      }
      const file = outcome.file
      try {
        const certificates = file.kind === 'zip' ? zipFolders(file).length : 1
        entry.received = file
        ctx.progress?.({ step: 'file-arrived', detail: { name: file.name, kind: file.kind, certificates } })
        // The file waits in memory until the person chose where it goes and typed its password (importReceived),
        // or cancels.
        const summary = await new Promise<{ locations: string[] }>((resolve, reject) => {
          entry.imported = resolve
          const stop = () => reject(new DojangError('CANCELLED', 'Cancelled'))
          if (ctx.signal?.aborted) stop()
          ctx.signal?.addEventListener('abort', stop, { once: true })
        })
        ctx.progress?.({ step: 'imported', detail: { certificates: summary.locations.length } })
        return 'imported'
      } finally {
        file.data.fill(0)
        delete entry.received
      }
    },
  )
}

function zipFolders(file: UploadFile) {
  const folders = certFoldersInZip(readZip(file.data))
  if (folders.length === 0) throw new DojangError('CORRUPT_FILE', 'The ZIP file holds no certificate folder (signCert.der).', { name: file.name })
  return folders
}

function running(core: Core, operationId: number): RunningTransfer {
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

export interface ImportReceivedInput {
  operationId: number
  to: CopyInput['to']
  /** The password of the file from the phone (the PFX password, or the certificates' password for a ZIP). */
  password: string
  /** The password the certificate gets on the chosen medium. */
  newPassword: string
  allowWeak?: boolean
  overwrite?: boolean
}

/**
 * Puts the file the phone uploaded onto the chosen medium: a .p12/.pfx through the PFX import; an NPKI ZIP folder
 * by folder, every folder's password checked before anything is written. A wrong password changes nothing and the
 * file stays waiting for another try.
 */
export async function importReceived(core: Core, input: ImportReceivedInput): Promise<{ locations: string[]; warnings: string[]; note?: string }> {
  const entry = running(core, input.operationId)
  const file = entry.kind === 'receive' ? entry.received : undefined
  if (!file) throw new DojangError('INVALID_INPUT', 'No file from the phone is waiting in this session.', { operationId: input.operationId })
  let result: { locations: string[]; warnings: string[]; note?: string }
  if (file.kind === 'pfx') {
    const r = await importPfx(core, { pfx: file.data, pfxPassword: input.password, newPassword: input.newPassword, to: input.to, allowWeak: input.allowWeak, overwrite: input.overwrite })
    result = { locations: [r.location], warnings: r.warnings, ...(r.note ? { note: r.note } : {}) }
  } else {
    result = await importZip(core, file, input)
  }
  for (const location of result.locations) auditQuietly(core, { action: 'transfer-in', locations: [location], outcome: 'ok', detail: { kind: file.kind } })
  entry.imported?.({ locations: result.locations })
  return result
}

async function importZip(core: Core, file: UploadFile, input: ImportReceivedInput): Promise<{ locations: string[]; warnings: string[]; note?: string }> {
  const folders = zipFolders(file)
  const { store, note } = await resolveDestination(core, input.to)
  if (!store.capabilities.write) throw new DojangError('INVALID_INPUT', 'Certificates cannot be written to this medium.', { medium: store.medium })
  const changing = input.newPassword !== input.password
  if (changing) requireStrongPassword(input.newPassword, input.allowWeak)
  // Every folder opens with the password (and is re-encrypted in memory) before the first write.
  const bundles = []
  for (const f of folders) {
    const label = f.folder.split('/').pop() || 'certificate'
    const bundle = { files: checkBundle({ files: f.files }) }
    if (changing) bundles.push({ files: (await changeBundlePasswordAsync(bundle, label, input.password, input.newPassword, { allowWeak: input.allowWeak })).files })
    else {
      await checkBundlePasswordAsync(bundle, label, input.password, {})
      bundles.push(bundle)
    }
  }
  const locations: string[] = []
  for (const bundle of bundles) {
    try {
      const ref = await store.write(bundle, { dataDir: core.dataDir, overwrite: input.overwrite })
      await core.records.refresh(store, ref.location)
      locations.push(ref.location)
    } catch (e) {
      // What was written stays (each folder is whole); say how far it got.
      if (locations.length > 0 && isDojangError(e)) core.inventoryChanged()
      throw e
    }
  }
  core.inventoryChanged()
  return { locations, warnings: [], ...(note ? { note } : {}) }
}
