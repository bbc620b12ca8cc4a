/**
 * `dojang share` and `dojang receive` as terminal flows over main/core/transfer, ready for run.ts to call (not
 * registered there yet: the commands refactor owns run.ts). Data goes to stdout (the URL, or one JSON line per
 * event with --json), the QR code and messages to stderr; the person answers y/n on stdin unless --yes.
 */
import { resolve } from 'node:path'
import { DojangError } from '../../common/errors'
import type { OperationContext, OperationProgress } from '../core/app/operation'
// eslint-disable-next-line no-restricted-imports -- until `dojang share`/`receive` are wired as commands (issue 9): this file is not imported yet
import { formatCode, lanAddresses, qrTerminalText, shareItemFromFolder, startReceive, startShare, type SessionLimits, type UploadFile } from '../core/transfer'
import { EXIT } from './exitCodes'
import { LineReader, type CliIo } from './io'

export interface TransferCliOptions {
  /** --bind: the address to listen on; default the first private LAN address. */
  bind?: string
  /** --advertise: the host the URL names (a name resolving to the bind address). */
  advertise?: string
  json: boolean
  /** --yes: release without asking (scripted tests). */
  yes: boolean
  /** Asks one question and returns the answer line (null at end of input); default: a line from stdin. */
  ask?: (question: string) => Promise<string | null>
  signal?: AbortSignal
  /** Tests only: a shorter expiry or a manual clock. */
  limits?: SessionLimits
}

function bindAddress(opts: TransferCliOptions): string {
  if (opts.bind) return opts.bind
  const first = lanAddresses()[0]
  if (!first) throw new DojangError('INVALID_INPUT', 'This computer is not on a local network. Connect it to the same Wi-Fi as the phone, or give --bind ADDRESS.')
  return first.address
}

function defaultAsk(io: CliIo): (question: string) => Promise<string | null> {
  return async (question) => {
    io.stderr.write(question)
    const lines = new LineReader(io.stdin)
    try {
      return await lines.next()
    } finally {
      lines.close()
    }
  }
}

interface Session {
  url: string
  sessionId: string
  expiresAt: number
  confirm(): boolean
  reject(): boolean
}

/**
 * What both directions share: print the session, then on 'claimed' print the code and ask before confirming.
 * Returns the context to start the session with and a function to call once it exists.
 */
function terminalFlow(opts: TransferCliOptions, io: CliIo): { ctx: OperationContext; attach(session: Session): Promise<void> } {
  const out = (s: string) => io.stdout.write(s + '\n')
  const err = (s: string) => io.stderr.write(s + '\n')
  const ask = opts.ask ?? defaultAsk(io)
  let session: Session | undefined
  let pendingClaim: OperationProgress | undefined
  const onClaim = (p: OperationProgress): void => {
    if (!session) {
      pendingClaim = p
      return
    }
    const s = session
    const code = String(p.detail?.code ?? '')
    if (opts.json) out(JSON.stringify({ event: 'claimed', code, address: p.detail?.address, userAgent: p.detail?.userAgent }))
    err(`휴대폰 연결됨 / Phone connected: ${String(p.detail?.address)} — ${String(p.detail?.userAgent)}`)
    err(`확인 코드 / Confirmation code: ${formatCode(code)}`)
    if (opts.yes) {
      s.confirm()
      return
    }
    void ask('휴대폰에 같은 코드가 보이나요? / Does the phone show the same code? [y/N] ').then(
      (answer) => (/^\s*(y|yes|예|네)\s*$/i.test(answer ?? '') ? s.confirm() : s.reject()),
      () => s.reject(),
    )
  }
  const ctx: OperationContext = {
    ...(opts.signal ? { signal: opts.signal } : {}),
    progress: (p) => {
      if (p.step === 'claimed') onClaim(p)
      else if (opts.json && p.step !== 'waiting-for-phone') out(JSON.stringify({ event: p.step }))
    },
  }
  return {
    ctx,
    async attach(s) {
      session = s
      if (opts.json) out(JSON.stringify({ event: 'waiting', url: s.url, sessionId: s.sessionId, expiresAt: new Date(s.expiresAt).toISOString() }))
      else {
        out(s.url)
        err(await qrTerminalText(s.url))
        err('휴대폰 카메라로 QR 코드를 스캔하세요 (120초) / Scan the QR code with the phone camera (120 s).')
      }
      if (pendingClaim) onClaim(pendingClaim)
    },
  }
}

const ENDINGS: Record<string, string> = {
  declined: '거절했습니다. 아무것도 보내지 않았습니다. / Declined; nothing was sent.',
  expired: '시간이 지났습니다. / Time ran out.',
  cancelled: '취소했습니다. / Cancelled.',
  aborted: '잘못된 요청이 반복되어 끝냈습니다. / Ended after repeated invalid requests.',
}

/** `dojang share <cert-folder>…`: exit 0 when the phone got the certificates, 1 when the session ended otherwise. */
export async function shareInTerminal(folders: string[], opts: TransferCliOptions, io: CliIo): Promise<number> {
  if (folders.length === 0) throw new DojangError('INVALID_INPUT', 'share takes one or more certificate folders')
  const items = []
  for (const f of folders) items.push(await shareItemFromFolder(resolve(f)))
  const flow = terminalFlow(opts, io)
  const bindHost = bindAddress(opts)
  const session = await startShare({ ...opts.limits, bindHost, ...(opts.advertise ? { advertiseHost: opts.advertise } : {}), items }, flow.ctx)
  await flow.attach(session)
  const { status } = await session.result
  if (status === 'sent') {
    if (!opts.json) io.stderr.write('휴대폰으로 보냈습니다. / Sent to the phone.\n')
    return EXIT.OK
  }
  if (!opts.json) io.stderr.write(`${ENDINGS[status] ?? status}\n`)
  return EXIT.FAILURE
}

/**
 * `dojang receive --to …`: `importFile` asks for the password and imports (the caller's import command); what it
 * returns (e.g. the new location) is printed. Exit 0 after an import, 1 when the session ended otherwise.
 */
export async function receiveInTerminal(importFile: (file: UploadFile) => Promise<string>, opts: TransferCliOptions, io: CliIo): Promise<number> {
  const flow = terminalFlow(opts, io)
  const bindHost = bindAddress(opts)
  const session = await startReceive({ ...opts.limits, bindHost, ...(opts.advertise ? { advertiseHost: opts.advertise } : {}), onReceived: importFile }, flow.ctx)
  await flow.attach(session)
  const outcome = await session.result
  if (outcome.status === 'received') {
    if (opts.json) io.stdout.write(JSON.stringify({ event: 'imported', name: outcome.file.name, kind: outcome.file.kind, location: outcome.imported }) + '\n')
    else io.stdout.write(`${outcome.imported ?? outcome.file.name}\n`)
    return EXIT.OK
  }
  if (!opts.json) io.stderr.write(`${ENDINGS[outcome.status] ?? outcome.status}\n`)
  return EXIT.FAILURE
}
