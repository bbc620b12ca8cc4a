/**
 * `dojang`: the helpdesk command line. It shares main/core with the app. Data goes to stdout, progress and errors
 * to stderr; exit codes are listed in exitCodes.ts. Passwords come from stdin or a prompt, never from arguments.
 */
import { parseArgs } from 'node:util'
import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { DojangError, isDojangError } from '../../common/errors'
import { COMMANDS, type CommandName, type Commands } from '../core/app/commands'
import { dDay } from '../../common/domain'
import { formatDate, formatSerial, isoSeoul, issuerName } from '../../common/format'
import { version as DOJANG_VERSION } from '../../package.json'
import { EXIT, exitCodeFor } from './exitCodes'
import { INVENTORY_COMMANDS, openCoreForCli, runInventoryCommand } from './inventoryCommands'
import { OperationFollower, receiveInTerminal, shareInTerminal } from './transferCommands'
import { ISSUANCE_COMMANDS, runIssuanceCommand } from './issuanceCommands'
import { runTokenCommand, TOKEN_COMMANDS } from './tokenCommands'
import { stdinSecrets, ttySecrets, type CliIo, type SecretSource } from './io'
import { brokenRules, weakPasswordLines } from './passwordWords'
import { terminalSafe as t } from './textSafe'

/** Which core commands each verb reaches (proved by test/app/frontEnds.test.ts). */
export const CLI_VERBS = {
  info: ['certificateInfo'],
  scan: ['scan', 'listCertificates'],
  list: ['scan', 'listCertificates'],
  report: ['scan', 'listCertificates'],
  expiring: ['scan', 'listCertificates'],
  copy: ['describeDestination', 'copyCertificate'],
  move: ['describeDestination', 'copyCertificate'],
  delete: ['deleteCopy', 'deleteTokenCopy'],
  trash: ['listTrash', 'emptyTrash'],
  restore: ['restoreFromTrash'],
  backups: ['listBackups', 'emptyBackups', 'restoreBackup'],
  'check-password': ['checkPassword'],
  'change-password': ['changePassword'],
  'verify-vid': ['verifyVid'],
  'export-pfx': ['exportPfx'],
  'import-pfx': ['describeDestination', 'importPfx'],
  share: ['startShare', 'confirmShare', 'rejectShare'],
  receive: ['startReceive', 'confirmShare', 'rejectShare', 'importReceived'],
  ca: ['listCaProfiles', 'addCaProfile', 'removeCaProfile'],
  issue: ['describeDestination', 'issueCertificate'],
  renew: ['describeCopy', 'renewCertificate'],
  revoke: ['describeCopy', 'revokeCertificate'],
  tokens: ['listTokens'],
  token: ['describeDestination', 'changeTokenPin'],
} as const satisfies Record<string, readonly CommandName[]>

const USAGE = `도장 Dojang — NPKI (공동인증서) certificate manager

Usage:
  dojang --version                               prints the version (also -V)
  dojang info <cert-folder> [--json]
  dojang scan [--root DIR]... [--deep DIR]... [--all-profiles] [--json|--csv]
  dojang list [--root DIR]... [--json|--csv]
  dojang report [--root DIR]... [--deep DIR]... [--json|--csv]
  dojang expiring [--days N] [--include-expired] [--json]    exit 1 when some expire within N days
  dojang copy <cert-folder|keychain:ID> --to keychain|<NPKI folder> [--overwrite] [--create]
  dojang move <cert-folder|keychain:ID> --to keychain|<NPKI folder> [--overwrite] [--create]
  dojang delete <cert-folder|keychain:ID>       moves the copy to Dojang's trash
  dojang trash [--json]                          lists the trash
  dojang trash empty [--older-than-days N]       deletes what is in the trash for good
  dojang restore <trash-ID> [--overwrite]
  dojang backups [list|empty [--older-than-days N]|restore <backup-ID>] [--json]
                                                 files replaced by password changes and overwrites
  dojang check-password <cert-folder> [--password-stdin] [--km-separate] [--json]
  dojang change-password <cert-folder> [--password-stdin] [--km-separate] [--allow-weak] [--data-dir DIR]
  dojang verify-vid <cert-folder> [--password-stdin]
  dojang export-pfx <cert-folder> --out FILE [--profile bank|modern] [--include-km] [--overwrite] [--allow-weak] [--password-stdin]
  dojang import-pfx <file.pfx> --to keychain|<NPKI folder> [--overwrite] [--allow-weak] [--password-stdin]
  dojang share <cert-folder|keychain:ID>... [--format npki|both|p12] [--bind ADDRESS] [--advertise HOST] [--json] [--yes] [--password-stdin]
                                                 휴대폰으로 복사: shows a QR code for the phone, asks before sending
                                                 (npki: the NPKI files; both: + a .p12 under the certificate password;
                                                 p12: only a .p12 under a transfer password printed here)
  dojang receive --to keychain|<NPKI folder> [--bind ADDRESS] [--advertise HOST] [--json] [--yes] [--password-stdin]
                                                 휴대폰에서 가져오기: the phone uploads a .p12/.pfx or NPKI .zip
  dojang ca add NAME --url http://HOST:PORT/PATH --ca-cert FILE    a CA profile for CMP (docs/cmp.md)
  dojang ca add NAME --tcp HOST:PORT [--framing rfc2510|raw-der] --ca-cert FILE
  dojang ca list [--json] | dojang ca remove NAME
  dojang issue --ca PROFILE --ref NUMBER --to keychain|<NPKI folder> [--password-stdin] [--json]
                                                 발급: a new certificate with the bank's 참조번호 / 인가코드
  dojang renew <cert-folder|keychain:ID> --ca PROFILE [--also-update LOCATION]... [--force] [--password-stdin]
                                                 갱신: from 30 days before expiry (--force: earlier)
  dojang revoke <cert-folder|keychain:ID> --ca PROFILE --reason CODE [--with-codes] [--password-stdin]
                                                 폐지: then every local copy goes to Dojang's trash
  dojang tokens [--module PATH]... [--pin-stdin] [--json]
                                                 보안토큰: modules, slots, labels, PIN state, certificates
                                                 (with the PIN: whether each key is on the token)
  dojang copy <cert-folder|keychain:ID> --to token:<label> [--overwrite] [--pin-stdin]
  dojang import-pfx <file.pfx> --to token:<label> [--overwrite] [--pin-stdin]
  dojang issue --ca PROFILE --ref NUMBER --to token:<label> [--pin-stdin] [--json]
                                                 발급 onto the token: its key pair is generated on the token
  dojang renew token:<serial>/<id> --ca PROFILE [--force] [--pin-stdin]
                                                 갱신 on the token: new key made there, the old pair stays
  dojang revoke token:<serial>/<id> --ca PROFILE --reason CODE [--pin-stdin]
                                                 폐지 signed on the token; the token's copy stays (delete it there)
  dojang delete token:<serial>/<id> --permanent [--pin-stdin]
                                                 deletes a certificate and its key from a token for good
  dojang token change-pin [token:<label>] [--pin-stdin]

Secrets are read one per line from standard input with --password-stdin, or asked at the terminal:
  check-password   the password (with --km-separate, then the kmPri.key password)
  change-password  the current password, (with --km-separate, the current kmPri.key password,) then the new one
  verify-vid       the password, then the ID number (주민등록번호 or 사업자등록번호)
  export-pfx       the certificate password, then the password for the PFX file
  import-pfx       the PFX file's password, then the new certificate password
  share            with --format both|p12, each certificate's password in order, (without --yes,) then the y/n answer
  receive          (without --yes, the y/n answer,) the file's password, then the new certificate password
  issue            the 인가코드 (authorization code), then the new certificate password (KISA rules)
  renew            the certificate password (the renewed key keeps it)
  revoke           the certificate password; with --with-codes, the 참조번호 then the 인가코드 instead
With --pin-stdin (or --password-stdin) for a security token (보안토큰), the lines are:
  copy --to token:  the token PIN, then the certificate password (to open its key for the token)
  import-pfx --to token:  the PFX file's password, then the token PIN
  issue --to token:  the 인가코드 (authorization code), then the token PIN
  renew token:…, revoke token:…  the token PIN
  delete --permanent, tokens  the token PIN
  token change-pin  the current PIN, then the new PIN
A PIN is never taken from the command line. --module PATH adds a PKCS#11 module (보안토큰 구동프로그램) to the ones
npki_pkcs11.cnf and the tokenModules setting name. A copy out of a token is refused (exit 19): its key never leaves it.

Without --root, Dojang scans the OS's NPKI folders, USB drives and its keychain. --data-dir (or DOJANG_DATA_DIR)
sets Dojang's data folder (inventory, backups, trash). --no-keychain skips the OS keychain.

Exit codes: 0 ok, 1 failure (expiring: certificates found), 2 usage, 3 wrong password, 4 corrupt file, 5 unsupported algorithm, 6 key does not match the
certificate, 7 not found, 8 weak new or PFX password, 9 ID number does not match, 10 file system error, 11 conflict (a copy
is already there: --overwrite replaces it and keeps a backup), 12 CA unreachable, 13 refused by the CA, 14 reference
number or authorization code not accepted, 15 CA answer refused, 16 CA busy, 17 security token unavailable or
refusing, 18 token PIN locked, 19 a token's key cannot leave it, 20 certificate expired (renew refused: ask the bank
for new codes and issue it again).
`

type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>

export async function runCli(argv: string[], io: CliIo, opts: { commands?: Commands } = {}): Promise<number> {
  const commands = opts.commands ?? COMMANDS
  const out = (s: string) => io.stdout.write(s.endsWith('\n') ? s : s + '\n')
  const err = (s: string) => io.stderr.write(s.endsWith('\n') ? s : s + '\n')
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    ;(command ? out : err)(USAGE)
    return command ? EXIT.OK : EXIT.USAGE
  }
  if (command === '--version' || command === '-V') {
    out(`dojang ${DOJANG_VERSION}`)
    return EXIT.OK
  }
  let parsed: { values: Flags; positionals: string[] }
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        root: { type: 'string', multiple: true },
        'password-stdin': { type: 'boolean' },
        'km-separate': { type: 'boolean' },
        'allow-weak': { type: 'boolean' },
        'data-dir': { type: 'string' },
        csv: { type: 'boolean' },
        deep: { type: 'string', multiple: true },
        'all-profiles': { type: 'boolean' },
        'no-keychain': { type: 'boolean' },
        days: { type: 'string' },
        'include-expired': { type: 'boolean' },
        to: { type: 'string' },
        overwrite: { type: 'boolean' },
        out: { type: 'string' },
        profile: { type: 'string' },
        'include-km': { type: 'boolean' },
        'older-than-days': { type: 'string' },
        create: { type: 'boolean' },
        bind: { type: 'string' },
        format: { type: 'string' },
        advertise: { type: 'string' },
        yes: { type: 'boolean' },
        ca: { type: 'string' },
        ref: { type: 'string' },
        url: { type: 'string' },
        'ca-cert': { type: 'string' },
        tcp: { type: 'string' },
        framing: { type: 'string' },
        reason: { type: 'string' },
        force: { type: 'boolean' },
        'also-update': { type: 'string', multiple: true },
        'with-codes': { type: 'boolean' },
        module: { type: 'string', multiple: true },
        'pin-stdin': { type: 'boolean' },
        permanent: { type: 'boolean' },
      },
    })
  } catch (e) {
    err(`dojang: ${t((e as Error).message)}\n\n${USAGE}`)
    return EXIT.USAGE
  }
  const { values, positionals } = parsed
  const json = values.json === true
  let secrets: SecretSource | undefined
  const getSecrets = (): SecretSource => {
    if (secrets) return secrets
    if (values['password-stdin'] || values['pin-stdin']) secrets = stdinSecrets(io)
    else if (io.stdin.isTTY) secrets = ttySecrets(io)
    else throw new DojangError('INVALID_INPUT', 'No terminal to ask for the password or PIN: pass --password-stdin (or --pin-stdin) and write it to standard input')
    return secrets
  }
  /** Stdin lines when there is no terminal to ask at (or --password-stdin). */
  const getSecretsOrUndefined = (): SecretSource | undefined => {
    if (values['password-stdin'] || !io.stdin.isTTY) {
      secrets ??= stdinSecrets(io)
      return secrets
    }
    return undefined
  }
  const locationArg = (): string => {
    if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', `${command} takes one certificate folder (or keychain:ID)`)
    return positionals[0]!
  }
  const withCore = async <T>(run: (core: Awaited<ReturnType<typeof openCoreForCli>>) => Promise<T>): Promise<T> => {
    const core = await openCoreForCli(values, io, err)
    try {
      return await run(core)
    } finally {
      core.close()
    }
  }

  try {
    if (INVENTORY_COMMANDS.has(command)) return await runInventoryCommand({ command, values, positionals, io, commands, out, err, secrets: getSecrets })
    if (ISSUANCE_COMMANDS.has(command)) return await runIssuanceCommand({ command, values, positionals, io, commands, out, err, secrets: getSecrets })
    if (TOKEN_COMMANDS.has(command)) return await runTokenCommand({ command, values, positionals, io, commands, out, err, secrets: getSecrets })
    switch (command) {
      case 'info': {
        const location = locationArg()
        notAFile(location)
        const report = await withCore((core) => commands.certificateInfo(core, { location }))
        const c = report.certificate
        // JSON keeps machine formats: ISO 8601 with the Korean offset, the serial as the inventory spells it.
        if (json) out(JSON.stringify({ folder: report.location, ...report, certificate: { ...c, serial: formatSerial(c.serial), notBefore: isoSeoul(c.notBefore), notAfter: isoSeoul(c.notAfter) } }, null, 2))
        else {
          const key = report.signKey
          out(
            [
              `사용자 Name        ${t(c.name)}`,
              `구분 Purpose       ${t(c.purposeKo)} (${t(c.purposeEn)})${c.policyOid ? ` [${t(c.policyOid)}]` : ''}`,
              `발급기관 Issuer    ${t(issuerName(c, 'ko'))} — ${t(c.issuer)}`,
              `일련번호 Serial    ${t(formatSerial(c.serial))}`,
              `유효기간 Valid     ${formatDate(c.notBefore, 'ko', 'long')} ~ ${formatDate(c.notAfter, 'ko', 'long')} (${dDay(c.daysLeft)}, ${t(c.state)})`,
              `주체 Subject       ${t(c.subject)}`,
              `키 Key             ${key ? ('scheme' in key ? `${t(key.file)}: ${t(key.scheme)}${key.trailingBytes ? `, ${key.trailingBytes} trailing bytes kept` : ''}` : `${t(key.file)}: ${t(key.message)}`) : 'missing (signPri.key): this copy cannot sign'}`,
              `암호화용 km pair   ${report.kmPair ? 'present' : 'none'}`,
              `본인확인 VID       ${c.hasVid ? 'present' : 'none'}`,
            ].join('\n'),
          )
        }
        return EXIT.OK
      }

      case 'check-password': {
        const location = locationArg()
        const s = getSecrets()
        const password = await s.read('certificate password')
        const kmPassword = values['km-separate'] ? await s.read('kmPri.key password') : undefined
        const result = await withCore((core) => commands.checkPassword(core, { location, password, kmPassword }))
        if (json) out(JSON.stringify({ ok: true, ...result }, null, 2))
        else out(`Password is correct for ${result.sign.file}${result.km ? ` and ${result.km.file}` : ''}.`)
        return EXIT.OK
      }

      case 'change-password': {
        const location = locationArg()
        const s = getSecrets()
        const oldPassword = await s.read('current password')
        const kmPassword = values['km-separate'] ? await s.read('current kmPri.key password') : undefined
        const newPassword = await s.read('new password')
        const allowWeak = values['allow-weak'] === true
        if (!allowWeak) {
          const failed = brokenRules(newPassword)
          if (failed.length > 0) {
            for (const line of weakPasswordLines(failed, 'new password')) err(line)
            return EXIT.WEAK_PASSWORD
          }
        }
        const result = await withCore((core) => commands.changePassword(core, { locations: [location], oldPassword, newPassword, allowWeak, kmPassword }))
        const done = result.changed[0]!
        if (json) out(JSON.stringify({ ok: true, backupId: done.backupId, changed: done.files, location: done.location }, null, 2))
        else out(`Password changed for ${done.files.join(' and ')}. The previous files are kept in Dojang's backups (${done.backupId}).`)
        return EXIT.OK
      }

      case 'verify-vid': {
        const location = locationArg()
        const s = getSecrets()
        const password = await s.read('certificate password')
        const idn = await s.read('ID number')
        const { match } = await withCore((core) => commands.verifyVid(core, { location, password, idn }))
        if (json) out(JSON.stringify({ match }))
        else out(match ? 'The ID number matches this certificate (본인확인 일치).' : 'The ID number does NOT match this certificate (본인확인 불일치).')
        return match ? EXIT.OK : EXIT.VID_MISMATCH
      }

      case 'export-pfx': {
        const location = locationArg()
        if (typeof values.out !== 'string') throw new DojangError('INVALID_INPUT', 'export-pfx needs --out FILE')
        folderOfOutExists(resolve(values.out))
        const profile = values.profile ?? 'bank'
        if (profile !== 'bank' && profile !== 'modern') throw new DojangError('INVALID_INPUT', '--profile is bank (3DES + SHA-1, what Korean banks read) or modern (AES-256 + SHA-256)')
        const s = getSecrets()
        const password = await s.read('certificate password')
        const pfxPassword = await s.read('PFX password')
        const out_ = resolve(values.out)
        const r = await withCore((core) =>
          commands.exportPfx(core, { location, password, pfxPassword, profile, includeKm: values['include-km'] === true, out: out_, overwrite: values.overwrite === true, allowWeak: values['allow-weak'] === true }),
        )
        if (json) out(JSON.stringify(r, null, 2))
        else out(`Wrote ${t(r.out)} (${profile} profile, ${r.keys} key${r.keys > 1 ? 's' : ''}${r.hasRandomNum ? ', randomNum kept' : ''}).`)
        return EXIT.OK
      }

      case 'import-pfx': {
        if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', 'import-pfx takes one .pfx/.p12 file')
        const to = values.to
        if (typeof to !== 'string') throw new DojangError('INVALID_INPUT', 'import-pfx needs --to keychain or --to <NPKI folder>')
        const pfx = { path: resolve(positionals[0]!) }
        const r = await withCore(async (core) => {
          const dest = await commands.describeDestination(core, { destination: to, create: values.create === true })
          const s = getSecrets()
          const pfxPassword = await s.read('PFX password')
          // A token stores the key under its PIN: no new certificate password is made.
          const secret = dest.secret === 'pin' ? { pin: await s.read('token PIN'), newPassword: '' } : { newPassword: await s.read('new certificate password') }
          return commands.importPfx(core, { pfx, pfxPassword, ...secret, to: { destination: to, create: values.create === true }, allowWeak: values['allow-weak'] === true, overwrite: values.overwrite === true })
        })
        if (r.note) err(t(r.note))
        if (json) out(JSON.stringify({ location: r.location, warnings: r.warnings }, null, 2))
        else out(`Imported to ${t(r.location)}`)
        if (r.warnings.includes('NO_RANDOM_NUM')) err('Warning: this PFX has no randomNum, so ID-number checks (본인확인) at banks will fail with this copy.')
        return EXIT.OK
      }

      case 'share':
      case 'receive': {
        const follower = new OperationFollower()
        const core = await openCoreForCli(values, io, err, follower.onEvent)
        try {
          const lines = values['password-stdin'] || !io.stdin.isTTY ? getSecretsOrUndefined() : undefined
          const flow = {
            core,
            commands,
            follower,
            io,
            opts: {
              json,
              yes: values.yes === true,
              ...(typeof values.bind === 'string' ? { bind: values.bind } : {}),
              ...(typeof values.advertise === 'string' ? { advertise: values.advertise } : {}),
              ...(lines ? { lines } : {}),
            },
          }
          if (command === 'share') return await shareInTerminal(flow, positionals, { format: typeof values.format === 'string' ? values.format : undefined, secrets: getSecrets })
          const to = values.to
          if (typeof to !== 'string') throw new DojangError('INVALID_INPUT', 'receive needs --to keychain or --to <NPKI folder>')
          if (positionals.length > 0) throw new DojangError('INVALID_INPUT', 'receive takes no positional arguments')
          return await receiveInTerminal(flow, { destination: to, create: values.create === true }, getSecrets, { allowWeak: values['allow-weak'] === true, overwrite: values.overwrite === true })
        } finally {
          core.close()
        }
      }

      default:
        err(`dojang: unknown command '${t(command)}'\n\n${USAGE}`)
        return EXIT.USAGE
    }
  } catch (e) {
    if (isDojangError(e)) {
      if (e.code === 'WEAK_PASSWORD' && typeof e.details.failed === 'string') {
        // The core names rule ids; a person needs the rules in words and the way past them.
        const what = e.details.field === 'pfxPassword' ? 'PFX password' : 'new password'
        for (const line of weakPasswordLines(e.details.failed.split(','), what)) err(`dojang: ${line}`)
      } else err(`dojang: ${t(e.message)}${hintFor(e)}`)
      return exitCodeFor(e.code)
    }
    err(`dojang: unexpected error: ${t(e instanceof Error ? e.message : String(e))}`)
    return EXIT.FAILURE
  } finally {
    secrets?.close()
  }
}

/** `info` names a folder: a file there gets a sentence instead of the system's ENOTDIR. */
function notAFile(location: string): void {
  try {
    if (statSync(location).isFile()) {
      throw new DojangError('INVALID_INPUT', `${location} is a file, not a certificate folder: give the folder that holds signCert.der and signPri.key${/\.(pfx|p12)$/i.test(location) ? ' (a PFX file goes to import-pfx)' : ''}`)
    }
  } catch (e) {
    if (isDojangError(e)) throw e
    // Missing or unreadable: the command says so in its own words (NOT_FOUND and so on); keychain:ID is no path.
  }
}

/** `--out /missing/x.pfx`: the folder is what is missing, not the file that is about to be written. */
function folderOfOutExists(out: string): void {
  const dir = dirname(out)
  let isDir = false
  try {
    isDir = statSync(dir).isDirectory()
  } catch {
    throw new DojangError('NOT_FOUND', `The folder ${dir} does not exist: create it first or choose another --out`)
  }
  if (!isDir) throw new DojangError('INVALID_INPUT', `${dir} is not a folder: choose another --out`)
}

/** What to do next, for the errors people meet most. */
function hintFor(e: DojangError): string {
  switch (e.code) {
    case 'CONFLICT':
      // The core's text speaks of replacing (the app shows a button); on the command line that is a flag.
      return '\nTo replace what is there, run the command again with --overwrite (the replaced files are kept in Dojang\'s backups: `dojang backups`).'
    case 'WRONG_PASSWORD':
      return e.details.kmPasswordDiffers
        ? '\nGive the kmPri.key password separately with --km-separate.'
        : '\nNothing was changed. Checking here is offline and locks nothing; if the password is lost, the certificate must be re-issued (재발급) at your bank or CA.'
    case 'CORRUPT_FILE':
      return '\nThe file is damaged. Use another copy of this certificate (USB stick, other PC) or re-issue it (재발급).'
    case 'KEY_MISMATCH':
      return '\nThe key and certificate in this folder do not belong together; look for the matching copy elsewhere.'
    case 'CA_AUTH_FAILED':
      return '\nCheck the 참조번호 and 인가코드 (as the bank gave them); nothing was stored. Codes expire: ask the bank for new ones if they are old.'
    case 'CA_UNREACHABLE':
      return '\nThe CA did not answer. Check the network and the CA profile (dojang ca list); nothing was stored.'
    case 'CERT_EXPIRED':
      return '\nAsk your bank or CA for a new 참조번호 and 인가코드, then: dojang issue --ca PROFILE --ref NUMBER --to …'
    case 'WRONG_PIN':
      return '\nNothing was changed. A token locks itself after a few wrong PINs: check `dojang tokens` for the tries left.'
    case 'PIN_LOCKED':
      return '\nThe token PIN is locked. Unlock it with the tool of the token maker (SO PIN), or ask your bank or CA.'
    case 'UNSUPPORTED_ALGORITHM':
      return '\nPlease report this file type (the algorithm name above, never the file) to the Dojang team.'
    default:
      return ''
  }
}
