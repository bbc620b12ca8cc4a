import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { certificateId } from '../../common/certificateId'
import { DojangError } from '../../common/errors'
import { dueReminders, expiryCalendar, loadSentReminders, reminderKey, saveSentReminders } from '../../main/core/app/calendar'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { snapshotDir } from '../../main/core/fsx'
import { encryptPrivateKey, decryptPrivateKey } from '../../main/core/npki/privateKey'
import { checkPassword } from '../../main/core/ops/password'
import { createHandlers } from '../../main/handlers'
import { invokeMethod, type Handlers } from '../../main/ipc'
import type { DojangEvent } from '../../common/contract'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'
import { startSecretService, type SecretService } from '../support/secretService'

const NEW_PASSWORD = 'Dojang#2026pw'

let ss: SecretService
beforeAll(async () => {
  ss = await startSecretService()
  ss.useInThisProcess()
})
afterAll(() => ss.stop())

let tmp: { dir: string; cleanup: () => Promise<void> }
let rootA: string
let rootB: string
let folderA: string
let core: Core
let handlers: Handlers
const events: DojangEvent[] = []

beforeEach(async () => {
  tmp = await tempDir()
  rootA = join(tmp.dir, 'a', 'NPKI')
  rootB = join(tmp.dir, 'b', 'NPKI')
  folderA = await copyHongFolder(join(tmp.dir, 'a'))
  await mkdir(join(tmp.dir, 'b'))
  events.length = 0
  core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [rootA, rootB], volumeSource: null, frontEnd: 'app', emit: (e) => events.push(e) })
  handlers = createHandlers(core, {
    chooseSavePath: async ({ defaultName }) => join(tmp.dir, defaultName),
    chooseOpenPath: async () => null,
    chooseFolder: async () => null,
  })
})
afterEach(async () => {
  core.close()
  await tmp.cleanup()
})

async function call<T>(p: Promise<{ ok: boolean; value?: T; error?: { code: string } }>): Promise<T> {
  const r = await p
  if (!r.ok) throw new DojangError(r.error!.code as never, `call failed: ${JSON.stringify(r.error)}`)
  return r.value as T
}

describe('scanning into the inventory', () => {
  it('records a certificate once with one copy per place, and reports the duplicate', async () => {
    await copyHongFolder(join(tmp.dir, 'b'))
    const outcome = await COMMANDS.scan(core)
    expect(outcome.result.stats.certificatesFound).toBe(2)
    const certs = await COMMANDS.listCertificates(core)
    expect(certs).toHaveLength(1)
    expect(certs[0]!.copies.map((c) => c.location).sort()).toEqual([folderA, join(rootB, 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr')].sort())
    expect(outcome.findings.map((f) => f.kind)).toContain('duplicate')
    expect(core.inventory.latestFindings()!.findings.length).toBeGreaterThan(0)
  })

  it('marks a copy missing after it disappears, and a rescan uses the cache', async () => {
    await COMMANDS.scan(core)
    const second = await COMMANDS.scan(core)
    expect(second.result.stats.foldersParsed).toBe(0)
    expect(second.result.stats.foldersFromCache).toBe(1)
    const { rm } = await import('node:fs/promises')
    await rm(folderA, { recursive: true })
    await COMMANDS.scan(core)
    const cert = await COMMANDS.listCertificates(core, {})
    expect(cert.every((c) => c.copies.every((x) => x.missingSince !== null))).toBe(true)
  })
})

describe('operations through the IPC handler table', () => {
  beforeEach(async () => {
    await COMMANDS.scan(core)
  })

  it('lists views and details with the policy meaning', async () => {
    const list = await call(invokeMethod(handlers, 'listCertificates', {}))
    expect(list).toHaveLength(1)
    expect(list[0]!.name).toBe('홍길동')
    expect([list[0]!.purpose, list[0]!.purposeEn]).toEqual(['은행·신용카드·보험용', 'Banking, credit card and insurance'])
    const detail = await call(invokeMethod(handlers, 'getCertificate', { id: list[0]!.id }))
    expect(detail.purposeEn).toMatch(/bank/i)
    expect(detail.hasVid).toBe(true)
    expect(detail.keyUsage).toContain('nonRepudiation')
  })

  it('changes the password of every copy; a copy with another password is reported, not half-changed', async () => {
    const copyB = (await COMMANDS.copyCertificate(core, { location: folderA, to: { target: { medium: 'disk', root: rootB } } })).ref.location
    // Give copy B its own password (KICA advises one password per medium).
    const keyB = join(copyB, 'signPri.key')
    const plain = decryptPrivateKey(new Uint8Array(await readFile(keyB)), FIXTURE_PASSWORD).pkcs8
    await writeFile(keyB, encryptPrivateKey(plain, 'Other-Pa55word!'))
    const before = await snapshotDir(copyB)
    const r = await call(invokeMethod(handlers, 'changePassword', { locations: [folderA, copyB], oldPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD }))
    expect(r.changed.map((c) => c.location)).toEqual([folderA])
    expect(r.failed.map((f) => [f.location, f.error.code])).toEqual([[copyB, 'WRONG_PASSWORD']])
    expect((await checkPassword(folderA, NEW_PASSWORD)).sign.file).toBe('signPri.key')
    expect(await snapshotDir(copyB)).toEqual(before)
    // The list and the detail reload on inventoryChanged; a password change announces it.
    expect(events.some((e) => e.type === 'inventoryChanged')).toBe(true)
    expect(events.filter((e) => e.type === 'operation' && e.operation.kind === 'change-password').map((e) => e.type === 'operation' && e.operation.state).at(-1)).toBe('finished')
  })

  it('refuses a weak new password for all copies at once', async () => {
    const r = await invokeMethod(handlers, 'changePassword', { locations: [folderA], oldPassword: FIXTURE_PASSWORD, newPassword: 'abc' })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.error.code).toBe('WEAK_PASSWORD')
  })

  it('deletes to the trash and restores, with audit entries and events', async () => {
    events.length = 0
    const { trashId } = await call(invokeMethod(handlers, 'deleteCopy', { location: folderA }))
    expect(await call(invokeMethod(handlers, 'listCertificates', {}))).toHaveLength(0)
    const trash = await call(invokeMethod(handlers, 'listTrash', {}))
    expect(trash.map((t) => t.id)).toEqual([trashId])
    expect(trash[0]!.name).toBe('홍길동')
    expect(trash[0]!.serial).toBe('3e9')
    await call(invokeMethod(handlers, 'restoreFromTrash', { id: trashId }))
    expect((await checkPassword(folderA, FIXTURE_PASSWORD)).km).toBeDefined()
    expect(await call(invokeMethod(handlers, 'listCertificates', {}))).toHaveLength(1)
    const log = await call(invokeMethod(handlers, 'auditLog', {}))
    expect(log.map((e) => e.name)).toEqual(['홍길동', '홍길동'])
    expect(log.map((e) => [e.action, e.outcome])).toEqual([
      ['restore', 'ok'],
      ['delete', 'ok'],
    ])
    expect(events.filter((e) => e.type === 'inventoryChanged').length).toBe(2)
  })

  it('empties the trash for good and logs it', async () => {
    await call(invokeMethod(handlers, 'deleteCopy', { location: folderA }))
    expect(await call(invokeMethod(handlers, 'emptyTrash', {}))).toEqual({ removed: 1 })
    expect(await call(invokeMethod(handlers, 'listTrash', {}))).toEqual([])
    expect((await call(invokeMethod(handlers, 'auditLog', {})))[0]!.action).toBe('wipe')
  })

  it('copies into the keychain (real Secret Service) and changes the password there, in place, with a real backup', async () => {
    const { location } = await call(invokeMethod(handlers, 'copyCertificate', { location: folderA, to: { medium: 'keychain' } }))
    expect(location).toMatch(/^keychain:/)
    const certs = await call(invokeMethod(handlers, 'listCertificates', { medium: 'keychain' }))
    expect(certs).toHaveLength(1)
    expect(certs[0]!.copies.map((c) => c.medium).sort()).toEqual(['disk', 'keychain'])
    const changed = await call(invokeMethod(handlers, 'changePassword', { locations: [location], oldPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD }))
    const now = changed.changed[0]!.location
    // The copy keeps its place, and the backup id names a backup (not a trash entry).
    expect(now).toBe(location)
    const backups = await call(invokeMethod(handlers, 'listBackups', {}))
    expect(backups.map((b) => b.id)).toEqual([changed.changed[0]!.backupId])
    expect((await call(invokeMethod(handlers, 'checkPassword', { location: now, password: NEW_PASSWORD }))).ok).toBe(true)
    const wrong = await invokeMethod(handlers, 'checkPassword', { location: now, password: FIXTURE_PASSWORD })
    expect(!wrong.ok && wrong.error.code).toBe('WRONG_PASSWORD')
    const after = await call(invokeMethod(handlers, 'listCertificates', { medium: 'keychain' }))
    expect(after[0]!.copies.filter((c) => c.medium === 'keychain').map((c) => c.location)).toEqual([now])
    expect(await call(invokeMethod(handlers, 'listTrash', {}))).toEqual([])
    // The disk copy still has its own (old) password.
    expect((await checkPassword(folderA, FIXTURE_PASSWORD)).sign.file).toBe('signPri.key')
    // Restoring the backup brings the old password back to the keychain copy.
    await COMMANDS.restoreBackup(core, { id: changed.changed[0]!.backupId })
    expect((await call(invokeMethod(handlers, 'checkPassword', { location, password: FIXTURE_PASSWORD }))).ok).toBe(true)
  })

  it('exports a PFX and imports it into another root', async () => {
    const exported = await call(invokeMethod(handlers, 'exportPfx', { location: folderA, password: FIXTURE_PASSWORD, pfxPassword: 'Pfx-Pa55word!', profile: 'bank' }))
    expect(exported!.path).toMatch(/\.pfx$/)
    const bytes = new Uint8Array(await readFile(exported!.path))
    const imported = await call(invokeMethod(handlers, 'importPfx', { bytes, pfxPassword: 'Pfx-Pa55word!', newPassword: NEW_PASSWORD, to: { medium: 'disk', root: rootB } }))
    expect(imported.location.startsWith(rootB)).toBe(true)
    expect(imported.warnings).toEqual([])
    expect((await checkPassword(imported.location, NEW_PASSWORD)).sign.hasRandomNum).toBe(true)
  })

  it('refuses copies and destinations the page was not offered, touching nothing', async () => {
    const stray = await copyHongFolder(join(tmp.dir, 'elsewhere'))
    const before = await snapshotDir(stray)
    for (const [method, payload] of [
      ['deleteCopy', { location: stray }],
      ['checkPassword', { location: stray, password: FIXTURE_PASSWORD }],
      ['changePassword', { locations: [stray], oldPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD }],
      ['copyCertificate', { location: folderA, to: { medium: 'disk', root: join(tmp.dir, 'elsewhere2') } }],
      ['importPfx', { bytes: new Uint8Array(10), pfxPassword: 'x', newPassword: NEW_PASSWORD, to: { medium: 'disk', root: '/etc' } }],
    ] as const) {
      const r = await invokeMethod(handlers, method, payload)
      expect(!r.ok && r.error.code, method).toBe('NOT_FOUND')
    }
    expect(await snapshotDir(stray)).toEqual(before)
  })

  it('verifies the VID without storing the ID number', async () => {
    const ok = await call(invokeMethod(handlers, 'verifyVid', { location: folderA, password: FIXTURE_PASSWORD, idn: '800101-1234567' }))
    expect(ok.match).toBe(true)
    const db = await readFile(join(tmp.dir, 'data', 'inventory.db'))
    expect(db.includes(Buffer.from('8001011234567'))).toBe(false)
    expect(db.includes(Buffer.from(FIXTURE_PASSWORD))).toBe(false)
  })

  it('never stores passwords in the inventory, even after password changes', async () => {
    await call(invokeMethod(handlers, 'changePassword', { locations: [folderA], oldPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD }))
    core.inventory.close()
    for (const f of ['inventory.db', 'inventory.db-wal']) {
      const bytes = await readFile(join(tmp.dir, 'data', f)).catch(() => Buffer.alloc(0))
      expect(bytes.includes(Buffer.from(NEW_PASSWORD))).toBe(false)
      expect(bytes.includes(Buffer.from(FIXTURE_PASSWORD))).toBe(false)
    }
    core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [rootA, rootB], volumeSource: null, frontEnd: 'app' })
  })

  it('lists and empties the backups a password change left, and logs the wipe', async () => {
    await call(invokeMethod(handlers, 'changePassword', { locations: [folderA], oldPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD }))
    const backups = await call(invokeMethod(handlers, 'listBackups', {}))
    expect(backups.map((b) => [b.reason, b.files, b.intact])).toEqual([['change-password', 2, true]])
    expect(await call(invokeMethod(handlers, 'emptyBackups', { olderThanDays: 1 }))).toEqual({ removed: 0 })
    expect(await call(invokeMethod(handlers, 'emptyBackups', {}))).toEqual({ removed: 1 })
    expect(await call(invokeMethod(handlers, 'listBackups', {}))).toEqual([])
    expect((await call(invokeMethod(handlers, 'auditLog', {})))[0]!.action).toBe('wipe')
  })

  it('settings round-trip and an .ics calendar is written', async () => {
    const s = await call(invokeMethod(handlers, 'setSettings', { language: 'en', notifyDays: [14, 3] }))
    expect(s).toMatchObject({ language: 'en', notifyDays: [14, 3] })
    const cal = await call(invokeMethod(handlers, 'exportCalendar', {}))
    const ics = await readFile(cal!.path, 'utf8')
    expect(ics).toContain('DTSTART;VALUE=DATE:20441227')
    expect(ics).toContain('TRIGGER:-P14D')
  })
})

describe('expiry reminders', () => {
  const cert = (notAfter: string) => ({
    issuer: 'CN=CA',
    serial: '1',
    subject: 'CN=x',
    displayName: '홍길동',
    ca: null,
    notBefore: '2020-01-01T00:00:00.000Z',
    notAfter,
    policyOid: null,
    purpose: null,
    fingerprintSha256: '00',
    firstSeen: '',
    lastSeen: '',
    copies: [{ issuer: 'CN=CA', serial: '1', medium: 'disk' as const, location: '/x', root: '/', files: { signCert: true, signPri: true, kmCert: false, kmPri: false, pfx: false }, keyScheme: null, contentHash: null, firstSeen: '', lastSeen: '', lastRunId: null, missingSince: null }],
  })
  const now = new Date('2026-11-22T00:00:00Z')

  it('fires the nearest threshold once', () => {
    expect(dueReminders([cert('2026-12-10T00:00:00Z')], [30, 7, 1], now, new Set()).map((r) => r.threshold)).toEqual([30])
    expect(dueReminders([cert('2026-11-27T00:00:00Z')], [30, 7, 1], now, new Set()).map((r) => r.threshold)).toEqual([7])
    expect(dueReminders([cert('2027-06-01T00:00:00Z')], [30, 7, 1], now, new Set())).toEqual([])
    expect(dueReminders([cert('2026-11-01T00:00:00Z')], [30, 7, 1], now, new Set())).toEqual([])
    const sent = new Set([`1@CN=CA#7`])
    expect(dueReminders([cert('2026-11-27T00:00:00Z')], [30, 7, 1], now, sent)).toEqual([])
  })

  it('remembers sent reminders across restarts', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      expect(await loadSentReminders(dir)).toEqual(new Set())
      const due = dueReminders([cert('2026-11-27T00:00:00Z')], [30, 7, 1], now, await loadSentReminders(dir))
      await saveSentReminders(dir, new Set(due.map(reminderKey)))
      expect(dueReminders([cert('2026-11-27T00:00:00Z')], [30, 7, 1], now, await loadSentReminders(dir))).toEqual([])
      // The next threshold still fires.
      expect(dueReminders([cert('2026-11-22T12:00:00Z')], [30, 7, 1], now, await loadSentReminders(dir)).map((r) => r.threshold)).toEqual([1])
    } finally {
      await cleanup()
    }
  })

  it('writes a valid calendar with folded lines', () => {
    const ics = expiryCalendar([cert('2026-12-10T00:00:00Z')], [30, 7], now)
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true)
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75)
    expect(ics).toContain('DTSTART;VALUE=DATE:20261210')
    expect(certificateId('CN=CA', '1')).toBe('1:CN=CA')
  })
})
