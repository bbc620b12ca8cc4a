/**
 * The inventory verbs of `dojang`: scan, list, report, expiring, copy, move, delete, trash, restore, backups.
 * Each one calls core commands and formats their results; progress goes to stderr, data to stdout.
 */
import { statSync } from 'node:fs'
import { resolve, sep } from 'node:path'
import { daysLeft as domainDaysLeft, dDay, expiryState } from '../../common/domain'
import { formatDate, formatDateTime, formatSerial, isoSeoul, issuerName } from '../../common/format'
import type { OperationView } from '../../common/contract'
import { DojangError } from '../../common/errors'
import type { Commands } from '../core/app/commands'
import { openCore, type Core } from '../core/app/core'
import type { ScanOutcome } from '../core/app/scanCoordinator'
import type { CertificateWithCopies, CopyRecord } from '../core/inventory'
import type { Finding } from '../core/scan'
import { EXIT } from './exitCodes'
import { issuanceProgress } from './issuanceCommands'
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
export async function openCoreForCli(values: CommandContext['values'], io: CliIo, warn?: (s: string) => void, onOperation?: (op: OperationView) => void): Promise<Core> {
  const roots = strings(values.root)
  requireFolders(roots, '--root', false)
  requireFolders(strings(values.deep), '--deep', true)
  // On Linux the Secret Service needs a session bus; without one, asking keytar would only time out.
  const keychainPossible = process.platform !== 'linux' || Boolean(io.env.DBUS_SESSION_BUS_ADDRESS)
  let last = 0
  const stepLines = issuanceProgress(warn)
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
      if (e.type === 'operation') stepLines(e.operation)
      // Progress of long operations, at most twice a second, and always the last line.
      if (e.type === 'operation') onOperation?.(e.operation)
      if (e.type !== 'operation' || e.operation.kind !== 'scan') return
      const op = e.operation
      const now = Date.now()
      const final = op.state !== 'running'
      if (!final && now - last < 500) return
      last = now
      const d = op.detail
      warn?.(`scanning: ${count(d.foldersVisited ?? 0, 'folder')}, ${count(d.certificatesFound ?? 0, 'certificate')}, ${count(d.problems ?? 0, 'problem')}${final ? ` — ${op.state === 'finished' ? 'done' : op.state}` : ''}`)
    },
  })
  for (const n of core.inventory.notices) warn?.(`dojang: ${t(n.message)}`)
  return core
}

const count = (v: unknown, noun: string): string => {
  const n = Number(v)
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/**
 * A folder to scan that does not exist is a typing mistake, not an empty result: "No certificates found" would
 * send the helpdesk looking for certificates that were never looked for. `--deep` may also name one PFX file.
 */
function requireFolders(paths: string[], flag: string, fileAllowed: boolean): void {
  for (const p of paths) {
    let isDir: boolean
    try {
      isDir = statSync(p).isDirectory()
    } catch {
      throw new DojangError('INVALID_INPUT', `${flag} ${p}: the folder does not exist`, { field: flag })
    }
    if (!isDir && !fileAllowed) throw new DojangError('INVALID_INPUT', `${flag} ${p}: this is a file, not a folder`, { field: flag })
  }
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

/**
 * Which remembered copies belong to this scan's media: the ones it saw, and the ones under a root it walked (those
 * it did not see there are stale). Copies remembered from an earlier `--root` elsewhere are not part of the answer.
 */
function inScope(copy: CopyRecord, outcome: ScanOutcome): boolean {
  if (copy.lastRunId === outcome.runId) return true
  return outcome.result.roots.some((r) => copy.root === r.path || copy.location === r.path || copy.location.startsWith(r.path.endsWith(sep) ? r.path : r.path + sep))
}

/** Not seen where it was last seen: gone since a finished scan, or this scan (cancelled, say) did not reach it. */
const isStale = (copy: CopyRecord, outcome: ScanOutcome): boolean => copy.missingSince !== null || copy.lastRunId !== outcome.runId

/**
 * The certificates of this scan's media, each with its copies there: `where` (the scan root it was found under)
 * and `lastSeen` say where and when each copy was last seen; `stale` marks one that was not found there this time.
 * Machine formats keep ISO 8601 with the Korean offset.
 */
function certificateRows(certs: CertificateWithCopies[], outcome: ScanOutcome, now: Date, withStale: boolean) {
  return certs
    .map((c) => ({
      name: c.displayName,
      subject: c.subject,
      issuer: c.issuer,
      ca: c.ca,
      serial: formatSerial(c.serial),
      notBefore: isoSeoul(c.notBefore),
      notAfter: isoSeoul(c.notAfter),
      daysLeft: daysLeft(c.notAfter, now),
      state: state(c.notAfter, now),
      purpose: c.purpose,
      policyOid: c.policyOid,
      copies: c.copies
        .filter((x) => inScope(x, outcome) && (withStale || !isStale(x, outcome)))
        .map((x) => ({
          medium: x.medium,
          location: x.location,
          root: x.root,
          files: x.files,
          keyScheme: x.keyScheme,
          lastSeen: isoSeoul(x.lastSeen),
          missingSince: x.missingSince === null ? null : isoSeoul(x.missingSince),
          stale: isStale(x, outcome),
        })),
    }))
    .filter((c) => c.copies.length > 0)
}

type CertificateRow = ReturnType<typeof certificateRows>[number]

/** One certificate in text: D-day, the Korean calendar date, name, purpose and issuer as the app shows them. */
function certificateLine(c: CertificateRow, cert: { ca: string | null; issuer: string }): string {
  return `${dDay(c.daysLeft).padEnd(7)} ${formatDate(c.notAfter, 'ko', 'long')}  ${t(c.name)}  ${t(c.purpose ?? '')}  ${t(issuerName(cert, 'ko'))}  일련번호 ${t(c.serial)}`
}

function copyLine(copy: CertificateRow['copies'][number]): string {
  const mark = copy.stale ? `  [stale: ${copy.missingSince ? `missing since ${formatDate(copy.missingSince, 'ko', 'long')}` : 'not seen by this scan'}; last seen ${formatDate(copy.lastSeen, 'ko', 'long')}]` : ''
  return `        ${copy.medium.padEnd(9)} ${t(copy.location)}${mark}`
}

/** The inventory's certificates (it remembers copies from earlier scans; certificateRows picks this scan's). */
async function seenIn(ctx: CommandContext, core: Core, outcome: ScanOutcome): Promise<CertificateWithCopies[]> {
  return (await ctx.commands.listCertificates(core)).filter((c) => c.copies.some((x) => inScope(x, outcome)))
}

const CSV_COLUMNS = ['name', 'issuer', 'serial', 'notAfter', 'daysLeft', 'state', 'purpose', 'medium', 'location', 'signPri', 'kmPair', 'keyScheme', 'findings'] as const

function reportRows(certs: CertificateWithCopies[], outcome: ScanOutcome, now: Date) {
  const findings: Finding[] = outcome.findings
  const rows = []
  for (const c of certificateRows(certs, outcome, now, false)) {
    for (const copy of c.copies) {
      const kinds = findings
        .filter((f) => f.locations.includes(copy.location) || (f.certificate && f.certificate.issuer === c.issuer && formatSerial(f.certificate.serial) === c.serial))
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
        const remembered = await seenIn(ctx, core, outcome)
        const certs = certificateRows(remembered, outcome, now, true)
        if (command === 'scan' && json) {
          out(JSON.stringify({ certificates: certs, findings: outcome.findings, problems: outcome.result.problems, stats: outcome.result.stats }, null, 2))
        } else if (json) out(JSON.stringify(certs, null, 2))
        else if (csv) {
          out(CSV_COLUMNS.join(','))
          for (const r of reportRows(remembered, outcome, now)) out(CSV_COLUMNS.map((k) => csvCell(r[k])).join(','))
        } else {
          if (certs.length === 0) err('No certificates found. Certificates usually live in an NPKI folder: ~/NPKI (Linux), ~/Library/Preferences/NPKI (macOS), %USERPROFILE%\\AppData\\LocalLow\\NPKI (Windows), or NPKI at the top of a USB drive.')
          for (const c of certs) {
            out(certificateLine(c, c))
            for (const copy of c.copies) out(copyLine(copy))
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
        const rows = reportRows(await seenIn(ctx, core, outcome), outcome, now)
        if (csv) {
          out(CSV_COLUMNS.join(','))
          for (const r of rows) out(CSV_COLUMNS.map((k) => csvCell(r[k])).join(','))
        } else out(JSON.stringify({ generatedAt: isoSeoul(now.toISOString()), copies: rows, findings: outcome.findings }, null, 2))
        return EXIT.OK
      }

      case 'expiring': {
        const days = Number(values.days ?? 30)
        if (!Number.isInteger(days) || days < 0 || days > 3650) throw new DojangError('INVALID_INPUT', '--days takes a whole number of days (0–3650)')
        const outcome = await runScan(ctx, core)
        const certs = certificateRows(await seenIn(ctx, core, outcome), outcome, now, false).filter((c) => c.daysLeft <= days && (c.daysLeft >= 0 || values['include-expired'] === true))
        if (json) out(JSON.stringify(certs, null, 2))
        else for (const c of certs) out(`${dDay(c.daysLeft).padEnd(7)} ${formatDate(c.notAfter, 'ko', 'long')}  ${t(c.name)}  ${t(issuerName(c, 'ko'))}  일련번호 ${t(c.serial)}  ${c.copies.map((x) => t(x.location)).join('  ')}`)
        // Nothing to report is news too, but not data: stdout stays empty for scripts.
        if (certs.length === 0 && !json) err(`No certificate expires within ${days} days${values['include-expired'] === true ? ' (expired ones included)' : ''}.`)
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
        const rows = entries.map((e) => ({
          id: e.id,
          subject: e.subject,
          issuer: e.issuer,
          serial: e.serial === null || e.serial === undefined ? e.serial : formatSerial(e.serial),
          notAfter: e.notAfter ? isoSeoul(e.notAfter) : e.notAfter,
          medium: e.medium,
          location: e.location,
          deletedAt: isoSeoul(e.deletedAt),
          intact: e.intact,
        }))
        if (json) out(JSON.stringify(rows, null, 2))
        else if (rows.length === 0) err("Dojang's trash is empty.")
        else
          for (const [i, r] of rows.entries()) {
            const e = entries[i]!
            const facts = r.serial ? `  일련번호 ${t(r.serial)}${e.issuer ? `  ${t(issuerName({ ca: null, issuer: e.issuer }, 'ko'))}` : ''}${r.notAfter ? `  ~${formatDate(r.notAfter, 'ko', 'long')}` : ''}` : ''
            out(`${r.id}  ${formatDateTime(e.deletedAt)}  ${t(r.subject ?? '(unreadable certificate)')}${facts}  ${t(r.location)}`)
          }
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
