/**
 * PC → phone: the public entry for the 휴대폰으로 복사 command and `dojang share`.
 *
 *   const session = await startShare({ bindHost, items }, ctx)   // listening; show session.url as a QR
 *   ctx.progress: 'waiting-for-phone' → 'claimed' {code, address, userAgent} → (person compares codes)
 *   session.confirm() or session.reject()                        // or ctx.signal aborts, or 120 s pass
 *   await session.result                                          // { status: 'sent' | 'declined' | … }
 */
import type { OperationContext } from '../app/operation'
import { loadCertBundle } from '../npki/certBundle'
import { caFolderName, dnFolderName } from '../npki/dnFolder'
import { summarizeCertificate } from '../npki/summary'
import { DiskStore } from '../stores/diskStore'
import type { CertBundle } from '../stores/types'
import { sealEnvelope } from './envelope'
import { encodeSharePayload, type PfxPasswordKind, type ShareItem } from './payload'
import { newSessionSecrets } from './secrets'
import { sessionHandle, TransferSession, type EndpointOptions, type SessionHandle, type SessionLimits, type TerminalState } from './server'

export interface ShareOptions extends EndpointOptions, SessionLimits {
  items: ShareItem[]
}

export type ShareStatus = 'sent' | Exclude<TerminalState, 'done'>

export interface ShareOutcome {
  status: ShareStatus
}

export interface ShareSession extends SessionHandle {
  /** Resolves when the session ends, however it ends; never rejects. */
  readonly result: Promise<ShareOutcome>
}

/**
 * Seals the certificates under a fresh session key and starts listening. The plaintext frame is dropped once
 * sealed; the caller's items are not kept by the session.
 */
export async function startShare(opts: ShareOptions, ctx: OperationContext = {}): Promise<ShareSession> {
  const secrets = newSessionSecrets()
  const plain = encodeSharePayload(opts.items)
  const sealed = sealEnvelope(secrets.key, secrets.sid, 'down', plain)
  plain.fill(0)
  const session = new TransferSession({ ...opts, mode: 'share', secrets, sealed, ctx })
  await session.listen()
  return sessionHandle(session, session.ended.then((end): ShareOutcome => ({ status: end.state === 'done' ? 'sent' : end.state })))
}

export interface ShareItemOptions {
  /** A PFX of the same certificate the caller built; named after the holder unless a name is given. */
  pfx?: { data: Uint8Array; password: PfxPasswordKind; name?: string }
  /**
   * Send the NPKI files too (default). Off for a PFX under a transfer password: the NPKI key would leave the
   * weaker certificate password as a way in.
   */
  npkiFiles?: boolean
}

/**
 * A share item from one copy's bundle, read by its store (any medium whose keys can be read): the NPKI files byte
 * for byte under their names, placed in the ZIP at `NPKI/<CA>/USER/<DN folder>`, and the PFX when given.
 */
export function shareItemFromBundle(bundle: CertBundle, opts: ShareItemOptions = {}): ShareItem {
  const loaded = loadCertBundle(bundle, 'share')
  const names = new Set(Object.values(loaded.files.names).filter((n): n is string => typeof n === 'string'))
  const files: ShareItem['files'] = opts.npkiFiles === false ? [] : bundle.files.filter((f) => names.has(f.name)).map((f) => ({ name: f.name, data: f.data }))
  const summary = summarizeCertificate(loaded.signCert)
  const item: ShareItem = {
    label: `${summary.name} · ${summary.purposeKo} · ${summary.notAfter.slice(0, 10)}`,
    folder: `NPKI/${caFolderName(loaded.signCert)}/USER/${dnFolderName(loaded.signCert)}`,
    files,
  }
  if (opts.pfx) item.pfx = { name: opts.pfx.name ?? pfxFileName(summary.name, summary.notAfter), password: opts.pfx.password, data: opts.pfx.data }
  return item
}

/** `홍길동_2027-01-01.p12`: the holder and the expiry date, in characters every phone file system accepts. */
export function pfxFileName(holder: string, notAfter: string): string {
  const base = holder.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '').slice(0, 60) || 'certificate'
  return `${base}_${notAfter.slice(0, 10)}.p12`
}

/** shareItemFromBundle for a certificate folder named by path. */
export async function shareItemFromFolder(dir: string, opts: ShareItemOptions = {}): Promise<ShareItem> {
  return shareItemFromBundle(await DiskStore.forFolder(dir).read(dir), opts)
}
