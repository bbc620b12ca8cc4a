/**
 * The 보안토큰 verbs of `dojang`: `tokens` (modules, slots, labels, PIN state, certificates) and
 * `token change-pin`. PINs come from stdin (--pin-stdin) or the terminal, never from arguments.
 */
import { DojangError } from '../../common/errors'
import type { TokenModuleView } from '../core/app/commands/tokens'
import { EXIT } from './exitCodes'
import { openCoreForCli, type CommandContext } from './inventoryCommands'
import { terminalSafe as t } from './textSafe'

export const TOKEN_COMMANDS = new Set(['tokens', 'token'])

const PIN_STATE: Record<string, string> = {
  ok: 'PIN ok',
  'count-low': 'PIN: wrong tries made, few left (남은 횟수 적음)',
  'final-try': 'PIN: one try left (마지막 시도)',
  locked: 'PIN locked (잠김)',
  'to-be-changed': 'PIN must be changed (변경 필요)',
}

export async function runTokenCommand(ctx: CommandContext): Promise<number> {
  const { command, values, positionals, commands, out, err } = ctx
  const json = values.json === true
  const secrets = () => {
    if (!ctx.secrets) throw new DojangError('INVALID_INPUT', 'No way to ask for the PIN: pass --pin-stdin and write it to standard input')
    return ctx.secrets()
  }
  const core = await openCoreForCli(values, ctx.io, err)
  try {
    if (command === 'tokens') {
      if (positionals.length > 0) throw new DojangError('INVALID_INPUT', 'tokens takes no arguments (add modules with --module PATH)')
      const pin = values['pin-stdin'] === true ? await secrets().read('token PIN') : undefined
      const modules = await commands.listTokens(core, pin === undefined ? {} : { pin })
      if (json) out(JSON.stringify(modules, null, 2))
      else printTokens(modules, out, err)
      const failed = modules.length > 0 && modules.every((m) => m.error)
      return failed ? EXIT.TOKEN : EXIT.OK
    }
    // token change-pin [token:<label>]
    const [sub, which] = positionals
    if (sub !== 'change-pin' || positionals.length > 2) throw new DojangError('INVALID_INPUT', 'token takes: change-pin [token:<label>]', { usage: true })
    const dest = await commands.describeDestination(core, { destination: which ?? 'token' })
    if (dest.secret !== 'pin') throw new DojangError('INVALID_INPUT', `${which} is not a security token`, { usage: true })
    const s = secrets()
    const oldPin = await s.read('current token PIN')
    const newPin = await s.read('new token PIN')
    const r = await commands.changeTokenPin(core, { token: dest.id, oldPin, newPin })
    if (json) out(JSON.stringify(r, null, 2))
    else out(`The PIN of ${t(dest.label)} was changed.`)
    return EXIT.OK
  } finally {
    core.close()
  }
}

function printTokens(modules: TokenModuleView[], out: (s: string) => void, err: (s: string) => void): void {
  if (modules.length === 0) {
    err('No PKCS#11 module (보안토큰 구동프로그램) is known: none in npki_pkcs11.cnf or the settings. Add one with --module PATH.')
    return
  }
  for (const m of modules) {
    out(`${t(m.module)}${m.manufacturer ? `  (${t(m.manufacturer)}${m.description ? ` — ${t(m.description)}` : ''})` : ''}`)
    if (m.error) {
      out(`  error ${m.error.code}: ${t(m.error.message)}`)
      continue
    }
    if (m.tokens.length === 0) out('  no token connected')
    for (const tok of m.tokens) {
      if (!tok.initialized) {
        out(`  slot ${tok.slotId}: not initialized (${t(tok.slotDescription)})`)
        continue
      }
      out(`  slot ${tok.slotId}  token:${t(tok.label)}  serial ${t(tok.serial)}  ${PIN_STATE[tok.pinState] ?? tok.pinState}${tok.writeProtected ? '  write-protected' : ''}`)
      if (tok.error) out(`    error ${tok.error.code}: ${t(tok.error.message)}`)
      else if (tok.certificates.length === 0) out('    no certificates')
      for (const c of tok.certificates) {
        const key = c.hasKey === undefined ? 'key: give the PIN to check' : c.hasKey ? 'key on the token' : 'no key on the token'
        out(`    ${t(c.location)}  ${t(c.objectLabel)}${c.hasKmPair ? '  (+km)' : ''}  ${key}`)
      }
      if (tok.keysWithoutCertificate) {
        out(`    ${tok.keysWithoutCertificate} private key(s) without a certificate (an interrupted 발급, or another program's); Dojang leaves them: the token maker's tool can remove them`)
      }
    }
  }
}
