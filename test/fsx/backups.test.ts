import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { emptyBackups, listBackups, replaceFiles, restoreBackup, sha256Hex, snapshotDir } from '../../main/core/fsx'
import { backupIds, expectNoLeftovers, onDisk, scenario, stateOf } from './helpers/scenario'
import { content, sandbox, type Sandbox } from './helpers/util'

let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})
afterEach(() => sb.cleanup())

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  return isDojangError(e) ? e.code : `not a DojangError: ${String(e)}`
}

describe('listBackups', () => {
  it('lists backups newest first with what each one holds', async () => {
    const s = scenario(sb)
    const first = await replaceFiles(sb.dataDir, s.changes, { reason: 'change-password' })
    await new Promise((r) => setTimeout(r, 5))
    const second = await replaceFiles(sb.dataDir, [{ path: s.changes[0]!.path, data: content('third') }], { reason: 'import' })
    const list = await listBackups(sb.dataDir)
    expect(list.map((b) => b.backupId)).toEqual([second.backupId, first.backupId])
    const b = list[1]!
    expect(b).toMatchObject({ reason: 'change-password', intact: true, pending: false, dir: path.join(sb.dataDir, 'backups', first.backupId) })
    expect(Date.parse(b.createdAt)).not.toBeNaN()
    const created = b.files.find((f) => f.path.endsWith('CaPubs'))!
    expect(created).toMatchObject({ existed: false, size: null, oldSha256: null })
    const deleted = b.files.find((f) => f.path.endsWith('stale.pfx'))!
    expect(deleted).toMatchObject({ existed: true, size: 3000, newSha256: null })
  })

  it('marks a backup whose saved copy is damaged as not intact', async () => {
    const s = scenario(sb, 'pair')
    const { backupId } = await replaceFiles(sb.dataDir, s.changes)
    writeFileSync(path.join(sb.dataDir, 'backups', backupId, '0-signPri.key'), 'bitrot')
    expect((await listBackups(sb.dataDir))[0]!.intact).toBe(false)
  })

  it('is empty for an unused data folder', async () => {
    expect(await listBackups(sb.dataDir)).toEqual([])
  })
})

describe('restoreBackup', () => {
  it('brings the old bytes back, and the restore itself is backed up and can be undone', async () => {
    const s = scenario(sb)
    const { backupId } = await replaceFiles(sb.dataDir, s.changes, { reason: 'change-password' })
    expect(stateOf(s)).toBe('new')

    const undo = await restoreBackup(sb.dataDir, backupId)
    expect(undo.backupId).not.toBe(backupId)
    // Old bytes back, the created file gone, the deleted file back.
    expect(stateOf(s)).toBe('old')
    expectNoLeftovers(sb)

    // The restore's own backup holds the bytes the restore replaced (the new ones).
    const manifest = JSON.parse(readFileSync(path.join(sb.dataDir, 'backups', undo.backupId, 'manifest.json'), 'utf8'))
    expect(manifest.reason).toBe(`restore-backup:${backupId}`)
    for (const f of manifest.files as Array<{ path: string; oldSha256: string | null; newSha256: string | null }>) {
      const fresh = s.fresh.get(f.path)!
      const old = s.old.get(f.path)!
      expect(f.oldSha256).toBe(fresh ? sha256Hex(fresh) : null)
      expect(f.newSha256).toBe(old ? sha256Hex(old) : null)
    }

    // Undoing the undo gives the new bytes again.
    await restoreBackup(sb.dataDir, undo.backupId)
    expect(stateOf(s)).toBe('new')
    expect(backupIds(sb)).toHaveLength(3)
  })

  it('refuses a damaged backup with CORRUPT_FILE and changes nothing', async () => {
    const s = scenario(sb, 'pair')
    const { backupId } = await replaceFiles(sb.dataDir, s.changes)
    writeFileSync(path.join(sb.dataDir, 'backups', backupId, '1-kmPri.key'), 'bitrot')
    const before = await snapshotDir(sb.root)
    expect(await codeOf(restoreBackup(sb.dataDir, backupId))).toBe('CORRUPT_FILE')
    expect(await snapshotDir(sb.root)).toEqual(before)
    writeFileSync(path.join(sb.dataDir, 'backups', backupId, 'manifest.json'), '{')
    const again = await snapshotDir(sb.root)
    expect(await codeOf(restoreBackup(sb.dataDir, backupId))).toBe('CORRUPT_FILE')
    expect(await snapshotDir(sb.root)).toEqual(again)
  })

  it('rejects a bad id and reports an unknown one as NOT_FOUND', async () => {
    expect(await codeOf(restoreBackup(sb.dataDir, '../../etc'))).toBe('INVALID_INPUT')
    expect(await codeOf(restoreBackup(sb.dataDir, '20250102T030405678Z-0123abcd'))).toBe('NOT_FOUND')
  })

  it('settles an interrupted operation before restoring its backup, and refuses while that is impossible', async () => {
    const s = scenario(sb, 'pair')
    const { backupId } = await replaceFiles(sb.dataDir, s.changes)
    // The journal of a finished operation whose removal failed: recovery just removes it, then the restore runs.
    const journal = {
      version: 1,
      backupId,
      state: 'committing',
      reason: 'x',
      createdAt: new Date().toISOString(),
      entries: s.changes.map((c, i) => ({
        target: c.path,
        temp: path.join(path.dirname(c.path), `.${path.basename(c.path)}.dojang-00000000000${i}.tmp`),
        backupFile: `${i}-${path.basename(c.path)}`,
        oldSha256: sha256Hex(s.old.get(c.path)!),
        newSha256: sha256Hex(c.data!),
        mode: 0o600,
      })),
    }
    writeFileSync(path.join(sb.dataDir, 'journal', `${backupId}.json`), JSON.stringify(journal))
    await restoreBackup(sb.dataDir, backupId)
    expect(stateOf(s)).toBe('old')

    // A journal recovery cannot read keeps its backup off limits.
    const again = await replaceFiles(sb.dataDir, s.changes)
    writeFileSync(path.join(sb.dataDir, 'journal', `${again.backupId}.json`), 'garbled')
    expect(await codeOf(restoreBackup(sb.dataDir, again.backupId))).toBe('CONFLICT')
    expect(stateOf(s)).toBe('new')
  })
})

describe('emptyBackups', () => {
  it('removes backups older than a date, or all of them, but never one a journal still needs', async () => {
    const s = scenario(sb, 'pair')
    const a = await replaceFiles(sb.dataDir, s.changes)
    await new Promise((r) => setTimeout(r, 20))
    const cut = new Date()
    await new Promise((r) => setTimeout(r, 20))
    const b = await replaceFiles(sb.dataDir, [{ path: s.changes[0]!.path, data: content('v3') }])
    const c = await replaceFiles(sb.dataDir, [{ path: s.changes[0]!.path, data: content('v4') }])

    expect(await emptyBackups(sb.dataDir, { olderThan: cut })).toBe(1)
    expect(backupIds(sb)).toEqual([b.backupId, c.backupId])

    writeFileSync(path.join(sb.dataDir, 'journal', `${c.backupId}.json`), 'pending')
    expect(await emptyBackups(sb.dataDir)).toBe(1)
    expect(backupIds(sb)).toEqual([c.backupId])
    expect(a.backupId < b.backupId).toBe(true)
    // The certificate files themselves are never touched by emptying.
    expect(onDisk(s.changes[0]!.path)).toEqual(content('v4'))
  })

  it('removes only the backups named', async () => {
    const s = scenario(sb, 'pair')
    const a = await replaceFiles(sb.dataDir, s.changes)
    const b = await replaceFiles(sb.dataDir, [{ path: s.changes[0]!.path, data: content('v3') }])
    expect(await emptyBackups(sb.dataDir, { ids: [a.backupId, 'nonexistent'] })).toBe(1)
    expect(backupIds(sb)).toEqual([b.backupId])
  })

  it('returns 0 when there is nothing to empty', async () => {
    expect(await emptyBackups(sb.dataDir)).toBe(0)
    mkdirSync(path.join(sb.dataDir, 'backups'), { recursive: true })
    expect(await emptyBackups(sb.dataDir)).toBe(0)
  })
})
