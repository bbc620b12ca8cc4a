/**
 * `dojang share` and `dojang receive`: the terminal face of the phone transfer commands (commands/phoneSession.ts, phoneShare.ts, phoneReceive.ts).
 * Data goes to stdout (the URL, or one JSON line per event with --json), the QR code and messages to stderr; the
 * person answers y/n on stdin unless --yes. The session runs as an operation of the core; this file only follows
 * its events and calls confirmShare / rejectShare / importReceived.
 */
import type { OperationView } from '../../common/contract'
import { DojangError } from '../../common/errors'
import type { Commands } from '../core/app/commands'
import type { Core } from '../core/app/core'
import { EXIT, exitCodeFor } from './exitCodes'
import type { CliIo, SecretSource } from './io'

export interface TransferCliOptions {
  /** --bind: the address to listen on; default the first private LAN address. */
  bind?: string
  /** --advertise: the host the URL names (a name resolving to the bind address). */
  advertise?: string
  json: boolean
  /** --yes: release without asking (scripted tests). */
  yes: boolean
  /** Lines of stdin (--password-stdin): the y/n answer and the passwords come from there, in that order. */
  lines?: SecretSource
}

/** One line from a terminal, without taking stdin away from the password prompt that may follow. */
function readOneLine(io: CliIo): Promise<string | null> {
  return new Promise((done) => {
    let buf = ''
    const onData = (c: Buffer | string) => {
      buf += c.toString()
      const nl = buf.indexOf('\n')
      if (nl >= 0) finish(buf.slice(0, nl).replace(/\r$/, ''))
    }
    const onEnd = () => finish(buf.length ? buf : null)
    const finish = (line: string | null) => {
      io.stdin.removeListener('data', onData)
      io.stdin.removeListener('end', onEnd)
      io.stdin.pause()
      done(line)
    }
    io.stdin.on('data', onData)
    io.stdin.once('end', onEnd)
    io.stdin.resume()
  })
}

const ENDINGS: Record<string, string> = {
  declined: '거절했습니다. 아무것도 보내지 않았습니다. / Declined; nothing was sent.',
  expired: '시간이 지났습니다. / Time ran out.',
  cancelled: '취소했습니다. / Cancelled.',
  aborted: '잘못된 요청이 반복되어 끝냈습니다. / Ended after repeated invalid requests.',
}

const formatCode = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`

/** The operation's events for one session id, including those that arrived before the id was known. */
export class OperationFollower {
  private readonly seen: OperationView[] = []
  private id: number | undefined
  private listener: ((op: OperationView) => void) | undefined
  private finalResolve!: (op: OperationView) => void
  readonly final = new Promise<OperationView>((r) => (this.finalResolve = r))

  /** Give this to openCoreForCli's event hook. */
  readonly onEvent = (op: OperationView): void => {
    if (op.kind !== 'share' && op.kind !== 'receive') return
    if (this.id === undefined) this.seen.push(op)
    else if (op.id === this.id) this.deliver(op)
  }

  follow(id: number, listener: (op: OperationView) => void): void {
    this.id = id
    this.listener = listener
    for (const op of this.seen.splice(0)) if (op.id === id) this.deliver(op)
  }

  private deliver(op: OperationView): void {
    this.listener?.(op)
    if (op.state !== 'running') this.finalResolve(op)
  }
}

interface Flow {
  core: Core
  commands: Commands
  follower: OperationFollower
  opts: TransferCliOptions
  io: CliIo
}

/** Prints the session, then on 'claimed' the code, asks, and confirms or declines through the commands. */
async function terminalSession(
  flow: Flow,
  started: { operationId: number; url: string; qr: string; expiresAt: number; transferPassword?: string },
  onStep?: (op: OperationView) => void,
): Promise<OperationView> {
  const { core, commands, opts, io } = flow
  const out = (s: string) => io.stdout.write(s + '\n')
  const err = (s: string) => io.stderr.write(s + '\n')
  const sessionId = new URL(started.url).pathname.split('/')[2] ?? ''
  // The transfer password (--format p12) is shown here and nowhere else: the person types it into the app that
  // imports the .p12 on the phone.
  const transfer = started.transferPassword ? { transferPassword: started.transferPassword } : {}
  if (opts.json) out(JSON.stringify({ event: 'waiting', url: started.url, sessionId, expiresAt: new Date(started.expiresAt).toISOString(), ...transfer }))
  else {
    out(started.url)
    err(started.qr)
    err('휴대폰 카메라로 QR 코드를 스캔하세요 (120초) / Scan the QR code with the phone camera (120 s).')
    if (started.transferPassword) err(`.p12 비밀번호 (휴대폰에서 가져올 때 입력) / .p12 password (type it on the phone): ${started.transferPassword}`)
  }
  const operationId = started.operationId
  const answer = async (yes: boolean) => {
    try {
      if (yes) await commands.confirmShare(core, { operationId })
      else await commands.rejectShare(core, { operationId })
    } catch {
      // The session ended meanwhile (expiry, cancel): its final event says how.
    }
  }
  // Ctrl-C ends the session (nothing is sent) and the final event reports 'cancelled'.
  const onSignal = () => core.operations.cancel(operationId)
  process.once('SIGINT', onSignal)
  try {
    flow.follower.follow(operationId, (op) => {
      if (op.state === 'running' && op.step === 'claimed') {
        const code = String(op.detail.code ?? '')
        if (opts.json) out(JSON.stringify({ event: 'claimed', code, address: op.detail.address, userAgent: op.detail.userAgent }))
        err(`휴대폰 연결됨 / Phone connected: ${String(op.detail.address)} — ${String(op.detail.userAgent)}`)
        err(`확인 코드 / Confirmation code: ${formatCode(code)}`)
        if (opts.yes) return void answer(true)
        const question = '휴대폰에 같은 코드가 보이나요? / Does the phone show the same code? [y/N] '
        io.stderr.write(question)
        const line = opts.lines ? opts.lines.read('answer (y/n)').catch(() => null) : readOneLine(io)
        void line.then((a) => answer(/^\s*(y|yes|예|네)\s*$/i.test(a ?? '')))
        return
      }
      if (op.state === 'running' && op.step !== 'waiting-for-phone' && op.step !== 'start' && opts.json) out(JSON.stringify({ event: op.step }))
      onStep?.(op)
    })
    return await flow.follower.final
  } finally {
    process.removeListener('SIGINT', onSignal)
  }
}

function ending(flow: Flow, final: OperationView): number {
  if (final.state === 'failed' && final.error) {
    flow.io.stderr.write(`dojang: ${final.error.message}\n`)
    return exitCodeFor(final.error.code)
  }
  if (!flow.opts.json) flow.io.stderr.write(`${ENDINGS[final.state === 'cancelled' ? 'cancelled' : final.step] ?? final.step}\n`)
  return EXIT.FAILURE
}

const SHARE_FORMATS = ['npki', 'both', 'p12'] as const

/**
 * `dojang share <cert-folder|keychain:ID>…`: exit 0 when the phone got the certificates, 1 when it ended otherwise.
 * With --format both|p12 the certificate passwords are read first, one per certificate in the order given.
 */
export async function shareInTerminal(flow: Flow, locations: string[], opts: { format?: string; secrets?: () => SecretSource } = {}): Promise<number> {
  if (locations.length === 0) throw new DojangError('INVALID_INPUT', 'share takes one or more certificate folders (or keychain:ID)')
  const format = opts.format ?? 'npki'
  if (!(SHARE_FORMATS as readonly string[]).includes(format)) throw new DojangError('INVALID_INPUT', `--format is one of ${SHARE_FORMATS.join(', ')}`)
  const passwords: string[] = []
  if (format !== 'npki') {
    const source = flow.opts.lines ?? opts.secrets?.()
    if (!source) throw new DojangError('INVALID_INPUT', 'No terminal to ask for the certificate passwords: pass --password-stdin')
    for (const [i, location] of locations.entries()) passwords.push(await source.read(locations.length > 1 ? `certificate password (${i + 1}/${locations.length}: ${location})` : 'certificate password'))
  }
  const started = await flow.commands.startShare(flow.core, {
    // As typed: the core's lookup knows a store's own spelling (keychain:…) from a folder path.
    locations,
    ...(format !== 'npki' ? { format: format as (typeof SHARE_FORMATS)[number], passwords } : {}),
    ...(flow.opts.bind ? { bindHost: flow.opts.bind } : {}),
    ...(flow.opts.advertise ? { advertiseHost: flow.opts.advertise } : {}),
    qrFormat: 'terminal',
  })
  const final = await terminalSession(flow, started)
  if (final.state === 'finished' && final.step === 'sent') {
    if (!flow.opts.json) flow.io.stderr.write('휴대폰으로 보냈습니다. / Sent to the phone.\n')
    return EXIT.OK
  }
  return ending(flow, final)
}

/**
 * `dojang receive --to MEDIUM-OR-DIR`: when the phone's file arrives, reads its password and the new password
 * (stdin with --password-stdin, else the terminal) and imports it; prints where it went. Exit 0 after an import.
 */
export async function receiveInTerminal(flow: Flow, to: { destination: string; create?: boolean }, secrets: () => SecretSource, extra: { allowWeak?: boolean; overwrite?: boolean }): Promise<number> {
  const started = await flow.commands.startReceive(flow.core, {
    ...(flow.opts.bind ? { bindHost: flow.opts.bind } : {}),
    ...(flow.opts.advertise ? { advertiseHost: flow.opts.advertise } : {}),
    qrFormat: 'terminal',
  })
  let imported: { locations: string[]; warnings: string[]; note?: string } | undefined
  let importError: unknown
  let importing: Promise<void> | undefined
  const final = await terminalSession(flow, started, (op) => {
    if (op.state !== 'running' || op.step !== 'file-arrived') return
    flow.io.stderr.write(`받은 파일 / Received: ${String(op.detail.name)} (${String(op.detail.certificates)})\n`)
    importing = (async () => {
      try {
        const s = secrets()
        const password = await s.read(op.detail.kind === 'zip' ? 'certificate password' : 'PFX password')
        const newPassword = await s.read('new certificate password')
        imported = await flow.commands.importReceived(flow.core, { operationId: started.operationId, to, password, newPassword, ...extra })
      } catch (e) {
        importError = e
        flow.core.operations.cancel(started.operationId)
      }
    })()
  })
  await importing
  if (importError) throw importError
  if (final.state === 'finished' && imported) {
    if (imported.note) flow.io.stderr.write(`${imported.note}\n`)
    if (flow.opts.json) flow.io.stdout.write(JSON.stringify({ event: 'imported', locations: imported.locations, warnings: imported.warnings }) + '\n')
    else for (const l of imported.locations) flow.io.stdout.write(`${l}\n`)
    return EXIT.OK
  }
  return ending(flow, final)
}


