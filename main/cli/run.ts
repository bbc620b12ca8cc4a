/**
 * `dojang`: the helpdesk command line. It shares main/core with the app. Data goes to stdout, progress and errors
 * to stderr; exit codes are listed in exitCodes.ts. Passwords come from stdin or a prompt, never from arguments.
 */
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { DojangError, isDojangError } from '../../common/errors'
import { defaultDataDir, readFileSafe, recoverJournals } from '../core/fsx'
import { loadCertFolder } from '../core/npki/certFolder'
import { checkPasswordRules } from '../core/npki/passwordRules'
import { parseEncryptedKeyFile, describeScheme, decryptPrivateKey } from '../core/npki/privateKey'
import { dDay, summarizeCertificate } from '../core/npki/summary'
import { verifyVid } from '../core/npki/vid'
import { changePassword, checkPassword } from '../core/ops/password'
import { EXIT, exitCodeFor } from './exitCodes'
import { INVENTORY_COMMANDS, openServicesForCli, runInventoryCommand } from './inventoryCommands'
import { stdinSecrets, ttySecrets, type CliIo, type SecretSource } from './io'

const USAGE = `도장 Dojang — NPKI (공동인증서) certificate manager

Usage:
  dojang info <cert-folder> [--json]
  dojang scan [--root DIR]... [--deep DIR]... [--all-profiles] [--json|--csv]
  dojang list [--root DIR]... [--json|--csv]
  dojang report [--root DIR]... [--deep DIR]... [--json|--csv]
  dojang expiring [--days N] [--include-expired] [--json]    exit 1 when some expire within N days
  dojang copy <cert-folder|keychain:ID> --to keychain|<NPKI folder> [--overwrite]
  dojang move <cert-folder|keychain:ID> --to keychain|<NPKI folder> [--overwrite]
  dojang delete <cert-folder|keychain:ID>       moves the copy to Dojang's trash
  dojang trash [--json]                          lists the trash
  dojang trash empty [--older-than-days N]       deletes what is in the trash for good
  dojang restore <trash-ID> [--overwrite]
  dojang backups [list|empty [--older-than-days N]|restore <backup-ID>] [--json]
                                                 files replaced by password changes and overwrites
  dojang check-password <cert-folder> [--password-stdin] [--km-separate] [--json]
  dojang change-password <cert-folder> [--password-stdin] [--km-separate] [--allow-weak] [--data-dir DIR]
  dojang verify-vid <cert-folder> [--password-stdin]
  dojang export-pfx <cert-folder> --out FILE [--profile bank|modern] [--include-km] [--overwrite] [--password-stdin]
  dojang import-pfx <file.pfx> --to keychain|<NPKI folder> [--overwrite] [--allow-weak] [--password-stdin]

Secrets are read one per line from standard input with --password-stdin, or asked at the terminal:
  check-password   the password (with --km-separate, then the kmPri.key password)
  change-password  the current password, (with --km-separate, the current kmPri.key password,) then the new one
  verify-vid       the password, then the ID number (주민등록번호 or 사업자등록번호)
  export-pfx       the certificate password, then the password for the PFX file
  import-pfx       the PFX file's password, then the new certificate password

Without --root, Dojang scans the OS's NPKI folders, USB drives and its keychain. --data-dir (or DOJANG_DATA_DIR)
sets Dojang's data folder (inventory, backups, trash). --no-keychain skips the OS keychain.

Exit codes: 0 ok, 1 failure (expiring: certificates found), 2 usage, 3 wrong password, 4 corrupt file, 5 unsupported algorithm, 6 key does not match the
certificate, 7 not found, 8 weak new password, 9 ID number does not match, 10 file system error.
`

type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const out = (s: string) => io.stdout.write(s.endsWith('\n') ? s : s + '\n')
  const err = (s: string) => io.stderr.write(s.endsWith('\n') ? s : s + '\n')
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    ;(command ? out : err)(USAGE)
    return command ? EXIT.OK : EXIT.USAGE
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
      },
    })
  } catch (e) {
    err(`dojang: ${(e as Error).message}\n\n${USAGE}`)
    return EXIT.USAGE
  }
  const { values, positionals } = parsed
  const json = values.json === true
  let secrets: SecretSource | undefined
  const getSecrets = (): SecretSource => {
    if (secrets) return secrets
    if (values['password-stdin']) secrets = stdinSecrets(io)
    else if (io.stdin.isTTY) secrets = ttySecrets(io)
    else throw new DojangError('INVALID_INPUT', 'No terminal to ask for the password: pass --password-stdin and write it to standard input')
    return secrets
  }
  const folderArg = (): string => {
    if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', `${command} takes one certificate folder`)
    return resolve(positionals[0]!)
  }

  try {
    if (INVENTORY_COMMANDS.has(command)) return await runInventoryCommand({ command, values, positionals, io, out, err })
    switch (command) {
      case 'info': {
        const dir = folderArg()
        const folder = await loadCertFolder(dir)
        const keyInfo = (bytes: Uint8Array | undefined, name: string | undefined) => {
          if (!bytes || !name) return null
          try {
            const f = parseEncryptedKeyFile(bytes, name)
            return { file: name, scheme: describeScheme(f.scheme), trailingBytes: f.trailing.length }
          } catch (e) {
            if (isDojangError(e)) return { file: name, error: e.code, message: e.message }
            throw e
          }
        }
        const report = {
          folder: dir,
          certificate: summarizeCertificate(folder.signCert),
          signKey: keyInfo(folder.signPri, folder.files.names.signPri),
          kmPair: folder.kmCert || folder.kmPri
            ? { certificate: folder.kmCert ? summarizeCertificate(folder.kmCert) : null, key: keyInfo(folder.kmPri, folder.files.names.kmPri) }
            : null,
          otherFiles: [...folder.files.pfx, ...folder.files.other],
        }
        if (json) out(JSON.stringify(report, null, 2))
        else {
          const c = report.certificate
          out(
            [
              `사용자 Name        ${c.name}`,
              `구분 Purpose       ${c.purposeKo} (${c.purposeEn})${c.policyOid ? ` [${c.policyOid}]` : ''}`,
              `발급기관 Issuer    ${c.caNameKo} — ${c.issuer}`,
              `일련번호 Serial    ${c.serial}`,
              `유효기간 Valid     ${c.notBefore} ~ ${c.notAfter} (${dDay(c.daysLeft)}, ${c.state})`,
              `주체 Subject       ${c.subject}`,
              `키 Key             ${report.signKey ? ('scheme' in report.signKey ? `${report.signKey.file}: ${report.signKey.scheme}${report.signKey.trailingBytes ? `, ${report.signKey.trailingBytes} trailing bytes kept` : ''}` : `${report.signKey.file}: ${report.signKey.message}`) : 'missing (signPri.key): this copy cannot sign'}`,
              `암호화용 km pair   ${report.kmPair ? 'present' : 'none'}`,
              `본인확인 VID       ${c.hasVid ? 'present' : 'none'}`,
            ].join('\n'),
          )
        }
        return EXIT.OK
      }

      case 'check-password': {
        const dir = folderArg()
        const s = getSecrets()
        const password = await s.read('certificate password')
        const kmPassword = values['km-separate'] ? await s.read('kmPri.key password') : undefined
        const result = await checkPassword(dir, password, { kmPassword })
        if (json) out(JSON.stringify({ ok: true, ...result }, null, 2))
        else out(`Password is correct for ${result.sign.file}${result.km ? ` and ${result.km.file}` : ''}.`)
        return EXIT.OK
      }

      case 'change-password': {
        const dir = folderArg()
        const s = getSecrets()
        const oldPassword = await s.read('current password')
        const kmPassword = values['km-separate'] ? await s.read('current kmPri.key password') : undefined
        const newPassword = await s.read('new password')
        const allowWeak = values['allow-weak'] === true
        if (!allowWeak) {
          const rules = checkPasswordRules(newPassword)
          if (!rules.ok) {
            err('The new password does not meet the KISA rules (at least 10 characters with letters, digits and special characters; no \' " \\ |; no runs like 111 or abc):')
            for (const r of rules.rules) err(`  ${r.ok ? 'ok ' : 'NO '} ${r.id}`)
            err('Choose another password, or pass --allow-weak to use it anyway.')
            return EXIT.WEAK_PASSWORD
          }
        }
        const dataDir = typeof values['data-dir'] === 'string' ? resolve(values['data-dir']) : defaultDataDir(io.env)
        await recoverJournals(dataDir)
        const result = await changePassword(dir, oldPassword, newPassword, { dataDir, allowWeak, kmPassword })
        if (json) out(JSON.stringify({ ok: true, ...result }, null, 2))
        else out(`Password changed for ${result.changed.join(' and ')}. The previous files are kept in Dojang's backups (${result.backupId}).`)
        return EXIT.OK
      }

      case 'verify-vid': {
        const dir = folderArg()
        const s = getSecrets()
        const password = await s.read('certificate password')
        const idn = await s.read('ID number')
        const folder = await loadCertFolder(dir)
        if (!folder.signPri) throw new DojangError('MISSING_FILE', 'signPri.key is missing: the ID-number check needs the private key', { dir })
        const key = decryptPrivateKey(folder.signPri, password, {
          publicKey: folder.signCert.publicKey.modulus ? { modulus: folder.signCert.publicKey.modulus, exponent: folder.signCert.publicKey.exponent } : undefined,
          label: folder.files.names.signPri,
        })
        if (!key.info.randomNum) {
          throw new DojangError('NOT_FOUND', 'This private key has no randomNum, so the ID-number check cannot be made (the key was probably exported by a tool that drops it)', { dir })
        }
        const ok = verifyVid(folder.signCert, key.info.randomNum, idn)
        if (json) out(JSON.stringify({ match: ok }))
        else out(ok ? 'The ID number matches this certificate (본인확인 일치).' : 'The ID number does NOT match this certificate (본인확인 불일치).')
        return ok ? EXIT.OK : EXIT.VID_MISMATCH
      }

      case 'export-pfx': {
        const dir = folderArg()
        if (typeof values.out !== 'string') throw new DojangError('INVALID_INPUT', 'export-pfx needs --out FILE')
        const profile = values.profile ?? 'bank'
        if (profile !== 'bank' && profile !== 'modern') throw new DojangError('INVALID_INPUT', '--profile is bank (3DES + SHA-1, what Korean banks read) or modern (AES-256 + SHA-256)')
        const s = getSecrets()
        const password = await s.read('certificate password')
        const pfxPassword = await s.read('PFX password')
        const services = await openServicesForCli(values, io)
        try {
          const r = await services.exportPfx(dir, password, pfxPassword, { profile, includeKm: values['include-km'] === true, out: resolve(values.out), overwrite: values.overwrite === true })
          if (json) out(JSON.stringify(r, null, 2))
          else out(`Wrote ${r.out} (${profile} profile, ${r.keys} key${r.keys > 1 ? 's' : ''}${r.hasRandomNum ? ', randomNum kept' : ''}).`)
        } finally {
          services.close()
        }
        return EXIT.OK
      }

      case 'import-pfx': {
        if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', 'import-pfx takes one .pfx/.p12 file')
        const to = values.to
        if (typeof to !== 'string') throw new DojangError('INVALID_INPUT', 'import-pfx needs --to keychain or --to <NPKI folder>')
        const pfx = await readFileSafe(resolve(positionals[0]!))
        const s = getSecrets()
        const pfxPassword = await s.read('PFX password')
        const newPassword = await s.read('new certificate password')
        const services = await openServicesForCli(values, io)
        try {
          const target = to === 'keychain' ? { medium: 'keychain' as const } : { medium: 'disk' as const, root: resolve(to) }
          const r = await services.importPfx(pfx, pfxPassword, newPassword, target, { allowWeak: values['allow-weak'] === true, overwrite: values.overwrite === true })
          if (json) out(JSON.stringify(r, null, 2))
          else out(`Imported to ${r.location}`)
          if (r.warnings.includes('NO_RANDOM_NUM')) err('Warning: this PFX has no randomNum, so ID-number checks (본인확인) at banks will fail with this copy.')
        } finally {
          services.close()
        }
        return EXIT.OK
      }

      default:
        err(`dojang: unknown command '${command}'\n\n${USAGE}`)
        return EXIT.USAGE
    }
  } catch (e) {
    if (isDojangError(e)) {
      err(`dojang: ${e.message}${hintFor(e)}`)
      return exitCodeFor(e.code)
    }
    err(`dojang: unexpected error: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT.FAILURE
  } finally {
    secrets?.close()
  }
}

/** What to do next, for the errors people meet most. */
function hintFor(e: DojangError): string {
  switch (e.code) {
    case 'WRONG_PASSWORD':
      return e.details.kmPasswordDiffers
        ? '\nGive the kmPri.key password separately with --km-separate.'
        : '\nNothing was changed. Checking here is offline and locks nothing; if the password is lost, the certificate must be re-issued (재발급) at your bank or CA.'
    case 'CORRUPT_FILE':
      return '\nThe file is damaged. Use another copy of this certificate (USB stick, other PC) or re-issue it (재발급).'
    case 'KEY_MISMATCH':
      return '\nThe key and certificate in this folder do not belong together; look for the matching copy elsewhere.'
    case 'UNSUPPORTED_ALGORITHM':
      return '\nPlease report this file type (the algorithm name above, never the file) to the Dojang team.'
    default:
      return ''
  }
}
