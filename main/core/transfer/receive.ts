/**
 * Phone → PC: the public entry for the reverse direction (휴대폰에서 가져오기, `dojang receive`).
 *
 *   const session = await startReceive({ bindHost }, ctx)        // show session.url as a QR
 *   'claimed' {code, …} → session.confirm() → the phone uploads its sealed .p12/.pfx or NPKI ZIP
 *   const outcome = await session.result                          // { status: 'received', file, imported }
 *
 * The decrypted file goes to `onReceived` (which asks the person for the password and imports into the chosen
 * medium; its answer comes back as `imported`, its error rejects `result`). Without it, the caller takes
 * `outcome.file`. A ZIP is read with readZip + certFoldersInZip (./unzip).
 */
import type { OperationContext } from '../app/operation'
import type { UploadFile } from './payload'
import { newSessionSecrets } from './secrets'
import { sessionHandle, TransferSession, type EndpointOptions, type SessionHandle, type SessionLimits, type TerminalState } from './server'

export interface ReceiveOptions<T> extends EndpointOptions, SessionLimits {
  onReceived?: (file: UploadFile) => Promise<T> | T
}

export type ReceiveOutcome<T> =
  | { status: 'received'; file: UploadFile; imported: T | undefined }
  | { status: Exclude<TerminalState, 'done'> }

export interface ReceiveSession<T> extends SessionHandle {
  /** Resolves when the session ends; rejects only with onReceived's error. */
  readonly result: Promise<ReceiveOutcome<T>>
}

export async function startReceive<T = void>(opts: ReceiveOptions<T>, ctx: OperationContext = {}): Promise<ReceiveSession<T>> {
  const session = new TransferSession({ ...opts, mode: 'receive', secrets: newSessionSecrets(), ctx })
  await session.listen()
  const result = session.ended.then(async (end): Promise<ReceiveOutcome<T>> => {
    if (end.state !== 'done' || !end.upload) return { status: end.state === 'done' ? 'aborted' : end.state }
    const imported = opts.onReceived ? await opts.onReceived(end.upload) : undefined
    return { status: 'received', file: end.upload, imported }
  })
  // The caller sees the rejection when it awaits `result`; this only keeps Node from calling it unhandled when the
  // session ends before the caller got there.
  result.catch(() => undefined)
  return sessionHandle(session, result)
}
