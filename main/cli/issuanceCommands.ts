/**
 * The CMP verbs of `dojang`: `ca add|list|remove` (CA profiles in settings), `issue`, `renew`, `revoke`. Secrets
 * (인가코드, passwords) come from standard input or the terminal; progress steps go to stderr, results to stdout.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { OperationView } from '../../common/contract'
import { DojangError } from '../../common/errors'
import { checkPasswordRules } from '../../common/passwordRules'
import type { CaProfileInput } from '../core/issuance'
import type { CrlReason } from '../core/issuance'
import { EXIT } from './exitCodes'
import { openCoreForCli, type CommandContext } from './inventoryCommands'
import type { SecretSource } from './io'
import { terminalSafe as t } from './textSafe'

export const ISSUANCE_COMMANDS = new Set(['ca', 'issue', 'renew', 'revoke'])

const STEP_TEXT: Record<string, string> = {
  'generate-key': '키 생성 generating the key pair',
  'contact-ca': '인증기관 연결 contacting the CA',
  waiting: '인증기관 대기 the CA asks to wait',
  'check-certificate': '인증서 확인 checking the certificate',
  confirm: '발급 확인 confirming with the CA',
  'encrypt-key': '개인키 암호화 encrypting the new key',
  save: '저장 saving',
  trash: '휴지통 moving local copies to the trash',
}

/** One stderr line per new step of an issue, renew or revoke operation. */
export function issuanceProgress(warn?: (s: string) => void): (op: OperationView) => void {
  let lastStep = ''
  return (op) => {
    if (op.kind !== 'issue' && op.kind !== 'renew' && op.kind !== 'revoke') return
    if (op.state !== 'running' || op.step === lastStep || op.step === 'start') return
    lastStep = op.step
    warn?.(`${op.kind}: ${STEP_TEXT[op.step] ?? op.step}…`)
  }
}

export async function runIssuanceCommand(ctx: CommandContext & { secrets: () => SecretSource }): Promise<number> {
  const { command, values, positionals, commands, out, err } = ctx
  const json = values.json === true
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined)
  const need = (name: string, what: string): string => {
    const v = str(name)
    if (v === undefined || v.trim() === '') throw new DojangError('INVALID_INPUT', `${command} needs --${name} ${what}`)
    return v
  }
  const location = (): string => {
    if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', `${command} takes one certificate folder (or keychain:ID)`)
    return positionals[0]!
  }
  const core = await openCoreForCli(values, ctx.io, err)
  try {
    switch (command) {
      case 'ca': {
        const [sub = 'list', name, ...extra] = positionals
        if (extra.length > 0) throw new DojangError('INVALID_INPUT', 'dojang ca add|list|remove NAME')
        if (sub === 'list') {
          const list = await commands.listCaProfiles(core)
          if (json) out(JSON.stringify(list, null, 2))
          else if (list.length === 0) out('No CA profiles. Add one with: dojang ca add NAME --url http://HOST:PORT/PATH --ca-cert FILE')
          else for (const p of list) out(`${t(p.name)}\t${t(p.endpoint)}\t${t(p.caSubject)}`)
          return EXIT.OK
        }
        if (!name) throw new DojangError('INVALID_INPUT', `dojang ca ${sub} needs a profile NAME`)
        if (sub === 'remove') {
          await commands.removeCaProfile(core, { name })
          out(`Removed CA profile ${t(name)}.`)
          return EXIT.OK
        }
        if (sub !== 'add') throw new DojangError('INVALID_INPUT', `Unknown: dojang ca ${sub} (add, list or remove)`)
        const certFile = need('ca-cert', 'FILE (the CA certificate, PEM or DER)')
        const raw = readFileSync(resolve(certFile))
        const caCert = raw.includes('-----BEGIN') ? raw.toString('utf8') : raw.toString('base64')
        const url = str('url')
        const tcp = str('tcp')
        if ((url === undefined) === (tcp === undefined)) throw new DojangError('INVALID_INPUT', 'dojang ca add needs --url http://HOST:PORT/PATH or --tcp HOST:PORT (one of them)')
        let profile: CaProfileInput
        if (url !== undefined) profile = { name, transport: 'http', url, caCert }
        else {
          const m = /^(.+):(\d{1,5})$/.exec(tcp!)
          if (!m) throw new DojangError('INVALID_INPUT', '--tcp is HOST:PORT, e.g. 203.0.113.5:4502')
          const framing = str('framing') ?? 'rfc2510'
          if (framing !== 'rfc2510' && framing !== 'raw-der') throw new DojangError('INVALID_INPUT', '--framing is rfc2510 or raw-der')
          profile = { name, transport: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), framing, caCert }
        }
        const v = await commands.addCaProfile(core, { profile })
        if (json) out(JSON.stringify(v, null, 2))
        else out(`Added CA profile ${t(v.name)}: ${t(v.endpoint)}, trusting ${t(v.caSubject)}.`)
        return EXIT.OK
      }

      case 'issue': {
        if (positionals.length > 0) throw new DojangError('INVALID_INPUT', 'issue takes no folder: use --to MEDIUM-OR-DIR')
        const ca = need('ca', 'PROFILE')
        const referenceNumber = need('ref', 'NUMBER (참조번호)')
        const to = need('to', 'keychain, token:<label> or an NPKI folder')
        const dest = await commands.describeDestination(core, { destination: to, create: values.create === true })
        const s = ctx.secrets()
        const authCode = await s.read('authorization code (인가코드)')
        if (dest.secret === 'pin') {
          // 보안토큰: the key pair is generated on the token; its PIN instead of a key password.
          const pin = await s.read('token PIN')
          const r = await commands.issueCertificate(core, { ca, referenceNumber, authCode, pin, to: { destination: to } })
          if (json) out(JSON.stringify({ location: r.ref.location, certificate: r.certificate, keyOnToken: true }, null, 2))
          else {
            out(`Issued (발급) ${t(r.certificate.displayName)} onto the security token — ${t(r.certificate.purposeKo)} (${t(r.certificate.purposeEn)})`)
            out(`  subject ${t(r.certificate.subject)}`)
            out(`  valid   ${r.certificate.notBefore} ~ ${r.certificate.notAfter}`)
            out(`  stored  ${t(r.ref.location)}`)
            if (r.note) err(t(r.note))
          }
          return EXIT.OK
        }
        const newPassword = await s.read('new certificate password')
        const rules = checkPasswordRules(newPassword)
        if (!rules.ok) {
          err('The new password does not meet the KISA rules (at least 10 characters with letters, digits and special characters; no \' " \\ |; no runs like 111 or abc):')
          for (const r of rules.rules) err(`  ${r.ok ? 'ok ' : 'NO '} ${r.id}`)
          err('Nothing was sent to the CA; the authorization code is still good.')
          return EXIT.WEAK_PASSWORD
        }
        const r = await commands.issueCertificate(core, { ca, referenceNumber, authCode, newPassword, to: { destination: to, create: values.create === true } })
        if (r.note) err(r.note)
        if (json) out(JSON.stringify({ location: r.ref.location, certificate: r.certificate }, null, 2))
        else {
          out(`Issued (발급) ${t(r.certificate.displayName)} — ${t(r.certificate.purposeKo)} (${t(r.certificate.purposeEn)})${r.certificate.policyOid ? ` [${r.certificate.policyOid}]` : ''}`)
          out(`  subject ${t(r.certificate.subject)}`)
          out(`  valid   ${r.certificate.notBefore} ~ ${r.certificate.notAfter}`)
          out(`  stored  ${t(r.ref.location)}`)
          err('Tip: keep a second copy on another medium (dojang copy <folder> --to keychain or a USB drive).')
        }
        return EXIT.OK
      }

      case 'renew': {
        const where = location()
        const ca = need('ca', 'PROFILE')
        const copy = await commands.describeCopy(core, { location: where })
        // A copy on a 보안토큰 is renewed with the token PIN: the old key signs there and the new key is made there.
        const secret = copy.secret === 'pin' ? { pin: await ctx.secrets().read('token PIN') } : { password: await ctx.secrets().read('certificate password') }
        const alsoUpdate = Array.isArray(values['also-update']) ? (values['also-update'] as string[]) : []
        const r = await commands.renewCertificate(core, { location: where, ca, ...secret, force: values.force === true, alsoUpdate })
        if (r.warnings.includes('EARLY_RENEWAL')) err('Warning: renewed more than 30 days before expiry (--force).')
        for (const f of r.failed) err(`Not updated: ${t(f.location)}: ${t(f.error.message)}`)
        if (json) out(JSON.stringify({ certificate: r.certificate, renewed: r.renewed, failed: r.failed.map((f) => ({ location: f.location, code: f.error.code })), ...(r.onToken ? { onToken: r.onToken } : {}) }, null, 2))
        else {
          out(`Renewed (갱신) ${t(r.certificate.displayName)}: valid until ${r.certificate.notAfter} (serial ${r.certificate.serial}).`)
          for (const c of r.renewed) out(`  updated ${t(c.location)} (previous files in backup ${c.backupId})`)
          if (r.onToken) {
            out(`  stored  ${t(r.onToken.location)} (key generated on the security token)`)
            out(`  kept    ${t(r.onToken.previous)} (the old certificate and key; delete it with: dojang delete ${t(r.onToken.previous)} --permanent)`)
          }
        }
        return r.failed.length > 0 ? EXIT.FAILURE : EXIT.OK
      }

      case 'revoke': {
        const where = location()
        const ca = need('ca', 'PROFILE')
        const reason = need('reason', 'CODE (keyCompromise, affiliationChanged, superseded, cessationOfOperation, …)') as CrlReason
        const s = ctx.secrets()
        // A copy on a 보안토큰 signs with its PIN (the key never leaves the token).
        const copy = values['with-codes'] ? undefined : await commands.describeCopy(core, { location: where })
        const input = values['with-codes']
          ? { codes: { referenceNumber: await s.read('reference number (참조번호)'), authCode: await s.read('authorization code (인가코드)') } }
          : copy?.secret === 'pin'
            ? { pin: await s.read('token PIN') }
            : { password: await s.read('certificate password') }
        const r = await commands.revokeCertificate(core, { location: where, ca, reason, ...input })
        for (const f of r.failed) err(`Not moved to the trash: ${t(f.location)}: ${t(f.error.message)}`)
        if (json) out(JSON.stringify({ status: r.status, trashed: r.trashed.map((e) => ({ id: e.id, location: e.location })), failed: r.failed.map((f) => ({ location: f.location, code: f.error.code })), left: r.left }, null, 2))
        else {
          out('Revoked (폐지): the CA accepted the revocation.')
          for (const e of r.trashed) out(`  moved to Dojang's trash: ${t(e.location)} (${e.id})`)
          for (const l of r.left) out(`  left on the security token: ${t(l)} (delete it there: dojang delete ${t(l)} --permanent)`)
        }
        return EXIT.OK
      }
      default:
        throw new DojangError('INVALID_INPUT', `unknown command ${command}`)
    }
  } finally {
    core.close()
  }
}
