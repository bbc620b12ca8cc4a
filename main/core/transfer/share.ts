/**
 * PC → phone: the public entry for the 휴대폰으로 복사 command and `dojang share`.
 *
 *   const session = await startShare({ bindHost, items }, ctx)   // listening; show session.url as a QR
 *   ctx.progress: 'waiting-for-phone' → 'claimed' {code, address, userAgent} → (person compares codes)
 *   session.confirm() or session.reject()                        // or ctx.signal aborts, or 120 s pass
 *   await session.result                                          // { status: 'sent' | 'declined' | … }
 */
import { join } from 'node:path'
import type { OperationContext } from '../app/operation'
import { readFileSafe } from '../fsx'
import { loadCertFolder } from '../npki/certFolder'
import { caFolderName, dnFolderName } from '../npki/dnFolder'
import { summarizeCertificate } from '../npki/summary'
import { sealEnvelope } from './envelope'
import { encodeSharePayload, type ShareItem } from './payload'
import { newSessionSecrets } from './secrets'
import { TransferSession, type EndpointOptions, type SessionLimits, type TerminalState } from './server'

export interface ShareOptions extends EndpointOptions, SessionLimits {
  items: ShareItem[]
}

export type ShareStatus = 'sent' | Exclude<TerminalState, 'done'>

export interface ShareOutcome {
  status: ShareStatus
}

export interface ShareSession {
  /** For the QR code and the CLI. Holds the key in its fragment: show it, never log it. */
  readonly url: string
  /** The path part of the URL; not secret on its own (the key is not in it). */
  readonly sessionId: string
  readonly host: string
  readonly port: number
  readonly expiresAt: number
  confirm(): boolean
  reject(): boolean
  cancel(): void
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
  return {
    // A getter: the session forgets the URL (and the key in it) when it ends.
    get url() {
      return session.url
    },
    sessionId: session.sessionId,
    host: session.host,
    port: session.port,
    expiresAt: session.expiresAt,
    confirm: () => session.confirm(),
    reject: () => session.reject(),
    cancel: () => session.cancel(),
    result: session.ended.then((end) => ({ status: end.state === 'done' ? 'sent' : end.state })),
  }
}

/**
 * A share item straight from a certificate folder on disk (the CLI's `dojang share <cert-folder>`): every NPKI
 * file byte for byte under its on-disk name, placed in the ZIP at `NPKI/<CA>/USER/<DN folder>`.
 */
export async function shareItemFromFolder(dir: string, pfx?: ShareItem['pfx']): Promise<ShareItem> {
  const loaded = await loadCertFolder(dir)
  const files: ShareItem['files'] = []
  for (const name of Object.values(loaded.files.names)) {
    if (name) files.push({ name, data: await readFileSafe(join(dir, name)) })
  }
  const summary = summarizeCertificate(loaded.signCert)
  const item: ShareItem = {
    label: `${summary.name} · ${summary.purposeKo} · ${summary.notAfter.slice(0, 10)}`,
    folder: `NPKI/${caFolderName(loaded.signCert)}/USER/${dnFolderName(loaded.signCert)}`,
    files,
  }
  if (pfx) item.pfx = pfx
  return item
}
