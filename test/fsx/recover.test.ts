import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { recoverJournals, replaceFiles, snapshotDir } from '../../main/core/fsx'
import { acquireLock } from '../../main/core/fsx/lock'
import { expectNoLeftovers, scenario, stateOf } from './helpers/scenario'
import { runTs, sandbox, type Sandbox } from './helpers/util'

let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})
afterEach(() => sb.cleanup())

const ID = '20250102T030405678Z-0123abcd'

describe('recoverJournals', () => {
  it('does nothing, and creates nothing, for a data folder that was never used', async () => {
    expect(await recoverJournals(sb.dataDir)).toEqual([])
    expect(existsSync(sb.dataDir)).toBe(false)
  })

  it('reports a garbled journal, leaves every file as it is, and does so again on the next start', async () => {
    const s = scenario(sb, 'pair')
    const jdir = path.join(sb.dataDir, 'journal')
    mkdirSync(jdir, { recursive: true })
    writeFileSync(path.join(jdir, `${ID}.json`), '{"version":1,"state":"commi')
    writeFileSync(path.join(jdir, 'not-an-id.json'), JSON.stringify({ version: 1, backupId: 'other', state: 'committing', reason: '', createdAt: '', entries: [] }))
    // A journal that tries to point a "temp" at an unrelated file is refused as unreadable, not obeyed.
    const evil = {
      version: 1,
      backupId: '20250102T030405678Z-feedbeef',
      state: 'prepared',
      reason: 'x',
      createdAt: new Date().toISOString(),
      entries: [{ target: s.changes[0]!.path, temp: s.changes[1]!.path, backupFile: null, oldSha256: null, newSha256: null, mode: 384 }],
    }
    writeFileSync(path.join(jdir, '20250102T030405678Z-feedbeef.json'), JSON.stringify(evil))
    const before = await snapshotDir(sb.root)

    const first = await recoverJournals(sb.dataDir)
    expect(first.map((r) => r.outcome)).toEqual(['unreadable', 'unreadable', 'unreadable'])
    expect(first.map((r) => r.backupId).sort()).toEqual([ID, '20250102T030405678Z-feedbeef', 'not-an-id'].sort())
    expect(first[0]!.error!.message).toMatch(/cannot be read/)
    expect(await snapshotDir(sb.root)).toEqual(before)
    expect(stateOf(s)).toBe('old')

    const second = await recoverJournals(sb.dataDir)
    expect(second).toEqual(first)
    expect(await snapshotDir(sb.root)).toEqual(before)
  })

  it('keeps working past a garbled journal: the other journals are still settled', async () => {
    const s = scenario(sb, 'pair')
    const planFile = path.join(sb.root, 'plan.json')
    writeFileSync(planFile, JSON.stringify(s.changes.map((c) => ({ path: c.path, data: Buffer.from(c.data!).toString('base64') }))))
    expect((await runTs('crash-child.ts', [sb.dataDir, planFile, 'afterFirstRename', 'exit'])).code).toBe(137)
    writeFileSync(path.join(sb.dataDir, 'journal', `${ID}.json`), '\u0000\u0001garbage')
    const reports = await recoverJournals(sb.dataDir)
    expect(reports.map((r) => r.outcome).sort()).toEqual(['rolled-forward', 'unreadable'])
    expect(stateOf(s)).toBe('new')
  })

  it('sweeps journal temps and half-deleted or orphaned backup folders, but not those a journal names', async () => {
    const jdir = path.join(sb.dataDir, 'journal')
    const bdir = path.join(sb.dataDir, 'backups')
    mkdirSync(jdir, { recursive: true })
    mkdirSync(path.join(bdir, `.${ID}.partial`), { recursive: true })
    writeFileSync(path.join(bdir, `.${ID}.partial`, '0-signPri.key'), 'old')
    mkdirSync(path.join(bdir, '.20250101T000000000Z-00000000.deleting'), { recursive: true })
    mkdirSync(path.join(bdir, '.20250103T000000000Z-11111111.partial'), { recursive: true })
    writeFileSync(path.join(jdir, '20250103T000000000Z-11111111.json'), 'garbled')
    writeFileSync(path.join(jdir, `.${ID}.json.dojang-0123456789ab.tmp`), '{')
    writeFileSync(path.join(jdir, '.lock.stale-abcd'), '{}')
    mkdirSync(path.join(bdir, ID.replace('0123abcd', '99999999')))

    const reports = await recoverJournals(sb.dataDir)
    expect(reports.map((r) => [r.backupId, r.outcome])).toEqual([
      ['20250103T000000000Z-11111111', 'unreadable'],
      [ID, 'orphan-removed'],
    ])
    expect(readdirSync(jdir)).toEqual(['20250103T000000000Z-11111111.json'])
    expect(readdirSync(bdir).sort()).toEqual(['.20250103T000000000Z-11111111.partial', ID.replace('0123abcd', '99999999')])
  })

  it('is idempotent after a clean run', async () => {
    const s = scenario(sb)
    await replaceFiles(sb.dataDir, s.changes)
    const before = await snapshotDir(sb.root)
    expect(await recoverJournals(sb.dataDir)).toEqual([])
    expect(await recoverJournals(sb.dataDir)).toEqual([])
    expect(await snapshotDir(sb.root)).toEqual(before)
    expectNoLeftovers(sb)
  })
})

describe('the data-folder lock', () => {
  const lockFile = () => path.join(sb.dataDir, 'journal', '.lock')
  const hostTag = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8)
  // The lock's own format: a symlink whose target names the owner (see lock.ts).
  const plant = (body: { pid: number; token: string }) => {
    mkdirSync(path.dirname(lockFile()), { recursive: true })
    symlinkSync(`${body.pid}:${body.token}:${hostTag}`, lockFile())
  }

  it.skipIf(process.platform === 'win32')('waits for a live holder and then refuses with CONFLICT', async () => {
    // pid 1 is alive on every Unix.
    plant({ pid: 1, token: 'abcdef' })
    const started = Date.now()
    const err = await acquireLock(sb.dataDir, 300).catch((e: unknown) => e)
    expect(isDojangError(err, 'CONFLICT')).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(lstatSync(lockFile()).isSymbolicLink()).toBe(true)
  })

  it.skipIf(process.platform === 'win32')('takes over a lock whose process is gone, or that a previous run with our own pid left', async () => {
    for (const pid of [2 ** 22 + 12345, process.pid]) {
      plant({ pid, token: '0123456789abcdef' })
      const release = await acquireLock(sb.dataDir, 300)
      await release()
      expect(() => lstatSync(lockFile())).toThrow()
    }
  })

  it('serialises holders in one process', async () => {
    mkdirSync(path.dirname(lockFile()), { recursive: true })
    const order: string[] = []
    const first = await acquireLock(sb.dataDir)
    const second = acquireLock(sb.dataDir).then((release) => {
      order.push('second')
      return release
    })
    await new Promise((r) => setTimeout(r, 50))
    order.push('first done')
    await first()
    await (await second)()
    expect(order).toEqual(['first done', 'second'])
  })
})
