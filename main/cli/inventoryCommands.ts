/**
 * The inventory verbs of `dojang`: scan, list, report, expiring, copy, move, delete, trash, restore, backups.
 * Each one calls core commands and formats their results; progress goes to stderr, data to stdout.
 */
import { resolve } from 'node:path'
import { daysLeft as domainDaysLeft, dDay, expiryState } from '../../common/domain'
import { DojangError } from '../../common/errors'
import type { Commands } from '../core/app/commands'
import { openCore, type Core } from '../core/app/core'
import type { ScanOutcome } from '../core/app/scanCoordinator'
import type { CertificateWithCopies } from '../core/inventory'
import type { Finding } from '../core/scan'
import { EXIT } from './exitCodes'
import type { CliIo, SecretSource } from './io'
import { csvCell, terminalSafe as t } from './textSafe'

export interface CommandContext {
  command: string
  values: Record<string, string | boolean | (string | boolean)[] | undefined>
  positionals: string[]
  io: CliIo
  commands: Commands
  out(s: string): void
  err(s: string): void
  /** Where secrets come from (stdin with --password-stdin/--pin-stdin, else the terminal); read only when needed. */
  secrets?: () => SecretSource
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [])

/** The core as the CLI sees it: --root limits the disk roots; the keychain only where it can answer. */
export async function openCoreForCli(values: CommandContext['values'], io: CliIo, warn?: (s: string) => void): Promise<Core> {
  const roots = strings(values.root)
  // On Linux the Secret Service needs a session bus; without one, asking keytar would only time out.
  const keychainPossible = process.platform !== 'linux' || Boolean(io.env.DBUS_SESSION_BUS_ADDRESS)
  let last = 0
  const core = await openCore({
    ...(typeof values['data-dir'] === 'string' ? { dataDir: resolve(values['data-dir']) } : {}),
    env: io.env,
    frontEnd: 'cli',
    allProfiles: values['all-profiles'] === true,
    ...(roots.length > 0 ? { diskRoots: roots, volumeSource: null } : {}),
    ...(values['no-keychain'] || !keychainPossible ? { secretStore: null } : {}),
    // 보안토큰: vendor modules load in a child process (a crash there is an error here, not Dojang's end).
    tokens: { modules: strings(values.module) },
    emit: (e) => {
      // Progress of long operations, at most twice a second, and always the last line.
      if (e.type !== 'operation' || e.operation.kind !== 'scan') return
      const op = e.operation
      const now = Date.now()
      const final = op.state !== 'running'
      if (!final && now - last < 500) return
      last = now
      const d = op.detail
      warn?.(`scanning: ${d.foldersVisited ?? 0} folders, ${d.certificatesFound ?? 0} certificates, ${d.problems ?? 0} problems${final ? ` — ${op.state === 'finished' ? 'done' : op.state}` : ''}`)
    },
  })
  for (const n of core.inventory.notices) warn?.(`dojang: ${n.message}`)
  return core
}

const open = (ctx: CommandContext): Promise<Core> => openCoreForCli(ctx.values, ctx.io, ctx.err)

async function runScan(ctx: CommandContext, core: Core): Promise<ScanOutcome> {
  // Ctrl-C cancels the scan operation; what was found so far is still reported.
  const onSignal = () => core.operations.cancelAll()
  process.once('SIGINT', onSignal)
  try {
    const outcome = await ctx.commands.scan(core, { deep: strings(ctx.values.deep).map((d) => resolve(d)) })
    if (outcome.result.status === 'cancelled') ctx.err('dojang: the scan was cancelled; the results are incomplete')
    return outcome
  } finally {
    process.removeListener('SIGINT', onSignal)
  }
}

const daysLeft = (notAfter: string, now: Date): number => domainDaysLeft(notAfter, now)
const state = (notAfter: string, now: Date) => expiryState({ notAfter }, now)

function certificateRows(certs: CertificateWithCopies[], now: Date) {
  return certs.map((c) => ({
    name: c.displayName,
    subject: c.subject,
    issuer: c.issuer,
    ca: c.ca,
    serial: c.serial,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    daysLeft: daysLeft(c.notAfter, now),
    state: state(c.notAfter, now),
    purpose: c.purpose,
    policyOid: c.policyOid,
    copies: c.copies
      .filter((x) => x.missingSince === null)
      .map((x) => ({ medium: x.medium, location: x.location, root: x.root, files: x.files, keyScheme: x.keyScheme })),
  }))
}

/** Only the certificates this scan saw (the inventory also remembers copies from earlier scans). */
async function seenIn(ctx: CommandContext, core: Core, outcome: ScanOutcome): Promise<CertificateWithCopies[]> {
  return (await ctx.commands.listCertificates(core)).filter((c) => c.copies.some((x) => x.lastRunId === outcome.runId && x.missingSince === null))
}

const CSV_COLUMNS = ['name', 'issuer', 'serial', 'notAfter', 'daysLeft', 'state', 'purpose', 'medium', 'location', 'signPri', 'kmPair', 'keyScheme', 'findings'] as const

function reportRows(certs: CertificateWithCopies[], findings: Finding[], now: Date) {
  const rows = []
  for (const c of certificateRows(certs, now)) {
    for (const copy of c.copies) {
      const kinds = findings
        .filter((f) => f.locations.includes(copy.location) || (f.certificate && f.certificate.issuer === c.issuer && f.certificate.serial === c.serial))
        .map((f) => f.kind)
      rows.push({
        name: c.name,
        issuer: c.issuer,
        serial: c.serial,
        notAfter: c.notAfter,
        daysLeft: c.daysLeft,
        state: c.state,
        purpose: c.purpose,
        medium: copy.medium,
        location: copy.location,
        signPri: copy.files.signPri,
        kmPair: copy.files.kmCert && copy.files.kmPri,
        keyScheme: copy.keyScheme,
        findings: [...new Set(kinds)].join(';'),
      })
    }
  }
  return rows
}

export async function runInventoryCommand(ctx: CommandContext): Promise<number> {
  const { command, values, positionals, out, err } = ctx
  const json = values.json === true
  const csv = values.csv === true
  const core = await open(ctx)
  const { commands } = ctx
  try {
    const now = new Date()
    switch (command) {
      case 'scan':
      case 'list': {
        const outcome = await runScan(ctx, core)
        const certs = certificateRows(await seenIn(ctx, core, outcome), now)
        if (command === 'scan' && json) {
          out(JSON.stringify({ certificates: certs, findings: outcome.findings, problems: outcome.result.problems, stats: outcome.result.stats }, null, 2))
        } else if (json) out(JSON.stringify(certs, null, 2))
        else if (csv) {
          out(CSV_COLUMNS.join(','))
          for (const r of reportRows(await seenIn(ctx, core, outcome), outcome.findings, now)) out(CSV_COLUMNS.map((k) => csvCell(r[k])).join(','))
        } else {
          if (certs.length === 0) err('No certificates found. Certificates usually live in an NPKI folder: ~/NPKI (Linux), ~/Library/Preferences/NPKI (macOS), %USERPROFILE%\\AppData\\LocalLow\\NPKI (Windows), or NPKI at the top of a USB drive.')
          for (const c of certs) {
            out(`${dDay(c.daysLeft).padEnd(7)} ${c.notAfter.slice(0, 10)}  ${t(c.name)}  ${t(c.purpose ?? '')}  ${t(c.ca ?? c.issuer)}`)
            for (const copy of c.copies) out(`        ${copy.medium.padEnd(9)} ${t(copy.location)}`)
          }
          if (command === 'scan') {
            // Every finding and problem with where it is: a count alone sends the helpdesk back to --json.
            for (const f of outcome.findings) err(`[${f.severity}] ${t(f.message)}${f.locations.length ? `: ${f.locations.map(t).join('  ')}` : ''}`)
            for (const p of outcome.result.problems) err(`[problem] ${t(p.path)}: ${t(p.message)}`)
          }
        }
        return EXIT.OK
      }

      case 'report': {
        const outcome = await runScan(ctx, core)
        const rows = reportRows(await seenIn(ctx, core, outcome), outcome.findings, now)
        if (csv) {
          out(CSV_COLUMNS.join(','))
          for (const r of rows) out(CSV_COLUMNS.map((k) => csvCell(r[k])).join(','))
        } else out(JSON.stringify({ generatedAt: now.toISOString(), copies: rows, findings: outcome.findings }, null, 2))
        return EXIT.OK
      }

      case 'expiring': {
        const days = Number(values.days ?? 30)
        if (!Number.isInteger(days) || days < 0 || days > 3650) throw new DojangError('INVALID_INPUT', '--days takes a whole number of days (0–3650)')
        const outcome = await runScan(ctx, core)
        const certs = certificateRows(await seenIn(ctx, core, outcome), now).filter((c) => c.daysLeft <= days && (c.daysLeft >= 0 || values['include-expired'] === true))
        if (json) out(JSON.stringify(certs, null, 2))
        else for (const c of certs) out(`${dDay(c.daysLeft).padEnd(7)} ${c.notAfter.slice(0, 10)}  ${t(c.name)}  ${c.copies.map((x) => t(x.location)).join('  ')}`)
        return certs.length > 0 ? EXIT.FAILURE : EXIT.OK
      }

      case 'copy':
      case 'move': {
        if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', `${command} takes one certificate folder or keychain:ID`)
        const to = values.to
        if (typeof to !== 'string') throw new DojangError('INVALID_INPUT', `${command} needs --to keychain or --to <NPKI folder>`)
        const dest = await commands.describeDestination(core, { destination: to, create: values.create === true })
        let secrets: { pin?: string; password?: string } = {}
        if (dest.secret === 'pin' && command === 'copy') {
          const s = requireSecrets(ctx)
          secrets = { pin: await s.read('token PIN') }
          secrets.password = await s.read('certificate password')
        }
        const r = await commands.copyCertificate(core, {
          location: positionals[0]!,
          to: { destination: to, create: values.create === true },
          move: command === 'move',
          overwrite: values.overwrite === true,
          ...secrets,
        })
        if (r.note) err(t(r.note))
        if (json) out(JSON.stringify(r.ref, null, 2))
        else out(`${command === 'move' ? 'Moved' : 'Copied'} to ${t(r.ref.location)}${command === 'move' ? ' (the source is in Dojang\'s trash: `dojang trash`)' : ''}`)
        return EXIT.OK
      }

      case 'delete': {
        if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', 'delete takes one certificate folder or keychain:ID')
        if (values.permanent === true) {
          // Only a token copy is deleted for good; the command refuses anything else that could go to the trash.
          const pin = await requireSecrets(ctx).read('token PIN')
          const r = await commands.deleteTokenCopy(core, { location: positionals[0]!, pin, permanent: true })
          if (json) out(JSON.stringify(r, null, 2))
          else out(`Deleted ${t(r.location)} and its key from the security token for good.`)
          return EXIT.OK
        }
        const entry = await commands.deleteCopy(core, { location: positionals[0]! })
        if (json) out(JSON.stringify({ trashId: entry.id }, null, 2))
        else out(`Moved to Dojang's trash as ${entry.id}. Undo with: dojang restore ${entry.id}`)
        return EXIT.OK
      }

      case 'trash': {
        if (positionals[0] === 'empty') {
          const days = values['older-than-days'] === undefined ? undefined : Number(values['older-than-days'])
          if (days !== undefined && (!Number.isInteger(days) || days < 0)) throw new DojangError('INVALID_INPUT', '--older-than-days takes a whole number of days')
          const removed = await commands.emptyTrash(core, { olderThanDays: days })
          if (json) out(JSON.stringify({ removed }))
          else out(`Removed ${removed} item${removed === 1 ? '' : 's'} from Dojang's trash for good.`)
          return EXIT.OK
        }
        if (positionals.length > 0) throw new DojangError('INVALID_INPUT', 'trash takes nothing, or: empty [--older-than-days N]')
        const entries = await commands.listTrash(core)
        const rows = entries.map((e) => ({ id: e.id, subject: e.subject, issuer: e.issuer, serial: e.serial, notAfter: e.notAfter, medium: e.medium, location: e.location, deletedAt: e.deletedAt, intact: e.intact }))
        if (json) out(JSON.stringify(rows, null, 2))
        else if (rows.length === 0) err("Dojang's trash is empty.")
        else for (const r of rows) out(`${r.id}  ${r.deletedAt.slice(0, 19)}  ${t(r.subject ?? '(unreadable certificate)')}  ${t(r.location)}`)
        return EXIT.OK
      }

      case 'restore': {
        if (positionals.length !== 1) throw new DojangError('INVALID_INPUT', 'restore takes one trash ID (see `dojang trash`)')
        const ref = await commands.restoreFromTrash(core, { id: positionals[0]!, overwrite: values.overwrite === true })
        if (json) out(JSON.stringify(ref, null, 2))
        else out(`Restored to ${t(ref.location)}`)
        return EXIT.OK
      }

      case 'backups': {
        const [sub = 'list', id] = positionals
        if (sub === 'list') {
          const rows = (await commands.listBackups(core)).map((b) => ({ id: b.backupId, createdAt: b.createdAt, reason: b.reason, files: b.files.map((f) => f.path), intact: b.intact }))
          if (json) out(JSON.stringify(rows, null, 2))
          else if (rows.length === 0) err('No backups.')
          else for (const r of rows) out(`${r.id}  ${r.createdAt.slice(0, 19)}  ${t(r.reason)}  ${r.files.map(t).join('  ')}`)
          return EXIT.OK
        }
        if (sub === 'empty') {
          const days = values['older-than-days'] === undefined ? undefined : Number(values['older-than-days'])
          if (days !== undefined && (!Number.isInteger(days) || days < 0)) throw new DojangError('INVALID_INPUT', '--older-than-days takes a whole number of days')
          const removed = await commands.emptyBackups(core, { olderThanDays: days })
          if (json) out(JSON.stringify({ removed }))
          else out(`Removed ${removed} backup${removed === 1 ? '' : 's'}.`)
          return EXIT.OK
        }
        if (sub === 'restore' && id) {
          const undo = await commands.restoreBackup(core, { id })
          if (json) out(JSON.stringify({ backupId: undo }))
          else out(`Restored. The files it replaced are backup ${undo}.`)
          return EXIT.OK
        }
        throw new DojangError('INVALID_INPUT', 'backups takes: list | empty [--older-than-days N] | restore <backup-ID>')
      }

      default:
        return EXIT.USAGE
    }
  } finally {
    core.close()
  }
}

export const INVENTORY_COMMANDS = new Set(['scan', 'list', 'report', 'expiring', 'copy', 'move', 'delete', 'trash', 'restore', 'backups'])

function requireSecrets(ctx: CommandContext): SecretSource {
  if (!ctx.secrets) throw new DojangError('INVALID_INPUT', 'No way to ask for the PIN: pass --pin-stdin and write it to standard input')
  return ctx.secrets()
}
