import { readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DojangError, isDojangError } from '../../common/errors'
import { recoverJournals, replaceFiles, sha256Hex, snapshotDir, writeFileAtomic, type FaultPoint } from '../../main/core/fsx'
import { backupIds, expectNoLeftovers, onDisk, scenario, stateOf } from './helpers/scenario'
import { content, faultyIo, modeOf, sandbox, type Sandbox } from './helpers/util'

let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})
afterEach(() => sb.cleanup())

async function failure(p: Promise<unknown>): Promise<DojangError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isDojangError(err)) throw new Error(`expected a DojangError, got ${String(err)}`)
  return err
}

describe('replaceFiles: success', () => {
  it('writes every new file, backs up the old bytes with a manifest and leaves no journal', async () => {
    const s = scenario(sb)
    const { backupId } = await replaceFiles(sb.dataDir, s.changes, { reason: 'change-password' })
    expect(stateOf(s)).toBe('new')
    expectNoLeftovers(sb)
    expect(backupIds(sb)).toEqual([backupId])

    const dir = path.join(sb.dataDir, 'backups', backupId)
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
    expect(manifest.reason).toBe('change-password')
    expect(new Date(manifest.createdAt).toISOString()).toBe(manifest.createdAt)
    expect(manifest.files).toHaveLength(s.changes.length)
    for (const f of manifest.files) {
      const old = s.old.get(f.path)
      const fresh = s.fresh.get(f.path)
      expect(path.isAbsolute(f.path)).toBe(true)
      expect(f.oldSha256).toBe(old ? sha256Hex(old) : null)
      expect(f.newSha256).toBe(fresh ? sha256Hex(fresh) : null)
      if (old) {
        // The saved copy is byte-for-byte the old file and private.
        expect(new Uint8Array(readFileSync(path.join(dir, f.backupFile)))).toEqual(old)
        expect(modeOf(path.join(dir, f.backupFile))).toBe(0o600)
      } else expect(f.backupFile).toBeNull()
    }
    // Manifest holds no key bytes: hashes, paths, sizes and words only.
    const raw = readFileSync(path.join(dir, 'manifest.json'), 'utf8')
    expect(raw).not.toContain(Buffer.from(s.old.get(s.changes[0]!.path)!).toString('base64').slice(0, 16))
    expect(modeOf(path.join(dir, 'manifest.json'))).toBe(0o600)
    for (const d of ['', 'backups', `backups/${backupId}`, 'journal']) expect(modeOf(path.join(sb.dataDir, d))).toBe(0o700)
  })

  it('keeps two files with one name in different folders apart in the backup', async () => {
    const s = scenario(sb)
    const { backupId } = await replaceFiles(sb.dataDir, s.changes)
    const files = JSON.parse(readFileSync(path.join(sb.dataDir, 'backups', backupId, 'manifest.json'), 'utf8')).files as Array<{ path: string; backupFile: string | null }>
    const signs = files.filter((f) => path.basename(f.path) === 'signPri.key')
    expect(signs).toHaveLength(2)
    expect(signs[0]!.backupFile).not.toBe(signs[1]!.backupFile)
  })

  it("keeps a replaced file's permissions and takes an explicit mode for a new one", async () => {
    const target = path.join(sb.certDir, 'signCert.der')
    writeFileSync(target, 'cert', { mode: 0o644 })
    await replaceFiles(sb.dataDir, [
      { path: target, data: content('cert2') },
      { path: path.join(sb.certDir, 'new.der'), data: content('n'), mode: 0o640 },
      { path: path.join(sb.certDir, 'new.key'), data: content('k') },
    ])
    expect(modeOf(target)).toBe(0o644)
    expect(modeOf(path.join(sb.certDir, 'new.der'))).toBe(0o640)
    expect(modeOf(path.join(sb.certDir, 'new.key'))).toBe(0o600)
  })

  it('serialises concurrent operations on one data folder', async () => {
    const a = path.join(sb.certDir, 'a.key')
    const b = path.join(sb.certDir, 'b.key')
    writeFileSync(a, 'a0')
    writeFileSync(b, 'b0')
    const results = await Promise.all([
      replaceFiles(sb.dataDir, [{ path: a, data: content('a1') }]),
      replaceFiles(sb.dataDir, [{ path: b, data: content('b1') }]),
      replaceFiles(sb.dataDir, [{ path: a, data: content('a2') }, { path: b, data: content('b2') }]),
    ])
    expect(new Set(results.map((r) => r.backupId)).size).toBe(3)
    expect(backupIds(sb)).toHaveLength(3)
    expectNoLeftovers(sb)
  })
})

describe('replaceFiles: refusals change nothing', () => {
  it('rejects an empty change, a duplicate and a path inside the backups', async () => {
    const s = scenario(sb, 'pair')
    const before = await snapshotDir(sb.root)
    expect((await failure(replaceFiles(sb.dataDir, []))).code).toBe('INVALID_INPUT')
    expect((await failure(replaceFiles(sb.dataDir, [s.changes[0]!, { ...s.changes[0]!, path: `${path.dirname(s.changes[0]!.path)}/./signPri.key` }]))).code).toBe('INVALID_INPUT')
    expect((await failure(replaceFiles(sb.dataDir, [{ path: path.join(sb.dataDir, 'backups', 'x', 'manifest.json'), data: content('x') }]))).code).toBe('INVALID_INPUT')
    expect(await snapshotDir(sb.root)).toEqual(before)
  })

  it('reports a missing folder as NOT_FOUND before taking any backup', async () => {
    const s = scenario(sb, 'pair')
    const before = await snapshotDir(sb.root)
    const err = await failure(replaceFiles(sb.dataDir, [...s.changes, { path: path.join(sb.root, 'unplugged', 'signPri.key'), data: content('x') }]))
    expect(err.code).toBe('NOT_FOUND')
    expect(await snapshotDir(sb.root)).toEqual(before)
  })

  it('refuses with CONFLICT when another program changes a target mid-operation, keeping its bytes', async () => {
    const s = scenario(sb, 'pair')
    const target = s.changes[1]!.path
    const theirs = content('written by another program')
    const err = await failure(replaceFiles(sb.dataDir, s.changes, { faults: { afterTempWrite: () => writeFileSync(target, theirs) } }))
    expect(err.code).toBe('CONFLICT')
    expect(onDisk(target)).toEqual(theirs)
    expect(onDisk(s.changes[0]!.path)).toEqual(s.old.get(s.changes[0]!.path))
    expectNoLeftovers(sb)
    expect(backupIds(sb)).toEqual([])
  })
})

describe('replaceFiles: a failure at each step leaves all old files', () => {
  const points: FaultPoint[] = ['afterBackup', 'afterTempWrite', 'afterCommitMark', 'afterFirstRename']
  it.each(points)('%s', async (point) => {
    const s = scenario(sb)
    const err = await failure(replaceFiles(sb.dataDir, s.changes, { faults: { [point]: () => { throw new Error(`fault ${point}`) } } }))
    expect(err.details.changed).toBe(false)
    // Live process: the error means nothing changed, so the caller can say so to the user.
    expect(stateOf(s)).toBe('old')
    expect(await recoverJournals(sb.dataDir)).toEqual([])
    expect(stateOf(s)).toBe('old')
    expectNoLeftovers(sb)
    expect(backupIds(sb)).toEqual([])
  })
})

describe('replaceFiles: every disk call failing in turn', () => {
  // Fails the n-th disk-changing call for n = 1, 2, … until the operation gets through, so every write, fsync,
  // rename and unlink of the protocol is hit once. Transient: only that call fails. Persistent: like a full disk,
  // every later open, write and fsync fails too, while renames and unlinks (which need no space) still work.
  for (const mode of ['transient', 'persistent'] as const) {
    it(`${mode} failures always leave one whole set, and recovery tidies up`, async () => {
      let completed = false
      let recoveredForward = 0
      let journalLeft = 0
      let n = 0
      for (n = 1; n < 200 && !completed; n++) {
        sb.cleanup()
        sb = sandbox()
        const s = scenario(sb)
        let faultOp = ''
        const io = faultyIo((i, op) => {
          if (i === n) {
            faultOp = op
            return 'ENOSPC'
          }
          if (mode === 'persistent' && i > n && ['open', 'write', 'fsync'].includes(op)) return 'ENOSPC'
          return undefined
        })
        let thrown: DojangError | undefined
        try {
          await replaceFiles(sb.dataDir, s.changes, { io })
          // Done once the injected failure is never reached; before that, success means it was rolled forward.
          if (io.calls() < n) completed = true
          else if (faultOp === 'unlink' || faultOp === 'syncDir') journalLeft++ // step 6: recovery removes the journal
          else recoveredForward++
        } catch (e) {
          if (!isDojangError(e)) throw e
          thrown = e
        }
        const live = stateOf(s)
        expect(live, `call ${n}`).not.toBe('mixed')
        if (thrown) {
          expect(thrown.code, `call ${n}: ${thrown.message}`).toBe('DISK_FULL')
          // An error claims "nothing changed" only when that is true.
          if (thrown.details.changed === false) expect(live, `call ${n}`).toBe('old')
        }
        await recoverJournals(sb.dataDir)
        const settled = stateOf(s)
        expect(settled, `call ${n}`).not.toBe('mixed')
        if (!thrown) expect(settled).toBe('new')
        expectNoLeftovers(sb)
        expect(await recoverJournals(sb.dataDir)).toEqual([])
      }
      expect(completed).toBe(true)
      expect(n).toBeGreaterThan(20) // the sweep really went through the protocol's calls
      // On a full disk a failed rename cannot be undone (that needs writes), so the change is completed instead.
      if (mode === 'persistent') expect(recoveredForward).toBeGreaterThan(0)
      else expect(recoveredForward).toBe(0)
      expect(journalLeft).toBeGreaterThan(0)
    })
  }
})

describe('the order of durable steps (what a power cut would expose)', () => {
  it('fsyncs backup, temps and journal before the steps that rely on them', async () => {
    const s = scenario(sb)
    const log: Array<{ op: string; file: string }> = []
    const io = faultyIo((_n, op, file) => {
      log.push({ op, file })
      return undefined
    })
    const { backupId } = await replaceFiles(sb.dataDir, s.changes, { io })
    const idx = (pred: (e: { op: string; file: string }) => boolean, from = 0): number => log.findIndex((e, i) => i >= from && pred(e))
    const last = (pred: (e: { op: string; file: string }) => boolean): number => log.map(pred).lastIndexOf(true)
    const journal = path.join(sb.dataDir, 'journal', `${backupId}.json`)
    const prepared = idx((e) => e.op === 'rename' && e.file === journal)
    const committing = idx((e) => e.op === 'rename' && e.file === journal, prepared + 1)
    const published = idx((e) => e.op === 'rename' && e.file === path.join(sb.dataDir, 'backups', backupId))
    const firstTargetRename = idx((e) => e.op === 'rename' && s.old.has(e.file))
    const inBackup = (f: string) => f.includes(`${path.sep}backups${path.sep}`)
    const isTemp = (f: string) => /\.dojang-[0-9a-f]{12}\.tmp$/.test(f) && !f.includes(`${path.sep}journal${path.sep}`) && !inBackup(f)

    expect(prepared).toBeGreaterThan(-1)
    expect(committing).toBeGreaterThan(prepared)
    // Every backup copy is fsynced, and its folder too, before the journal exists.
    expect(last((e) => e.op === 'fsync' && inBackup(e.file))).toBeLessThan(prepared)
    expect(last((e) => e.op === 'syncDir' && inBackup(e.file))).toBeLessThan(prepared)
    // Every new file is complete and fsynced before the commit mark; the backup is published before it too.
    const tempWrites = log.filter((e) => e.op === 'write' && isTemp(e.file)).map((e) => e.file)
    expect(new Set(tempWrites).size).toBe(s.changes.filter((c) => c.data).length)
    for (const temp of new Set(tempWrites)) {
      expect(last((e) => e.op === 'write' && e.file === temp)).toBeLessThan(idx((e) => e.op === 'fsync' && e.file === temp))
      expect(idx((e) => e.op === 'fsync' && e.file === temp)).toBeLessThan(committing)
    }
    expect(published).toBeLessThan(committing)
    // Targets change only after the mark, and their folders are fsynced after the last rename.
    expect(firstTargetRename).toBeGreaterThan(committing)
    const lastTargetChange = last((e) => (e.op === 'rename' || e.op === 'unlink') && s.old.has(e.file))
    for (const dir of new Set(s.changes.map((c) => path.dirname(c.path)))) {
      expect(idx((e) => e.op === 'syncDir' && e.file === dir, lastTargetChange)).toBeGreaterThan(lastTargetChange)
    }
    // The journal goes last.
    expect(idx((e) => e.op === 'unlink' && e.file === journal)).toBeGreaterThan(lastTargetChange)
  })

  it('writeFileAtomic: write, fsync, rename, then fsync the folder', async () => {
    const log: string[] = []
    const io = faultyIo((_n, op) => {
      log.push(op)
      return undefined
    })
    await writeFileAtomic(path.join(sb.certDir, 'x.key'), content('x'), { io })
    expect(log.filter((op) => op !== 'write')).toEqual(['open', 'fsync', 'rename', 'syncDir'])
    expect(log.indexOf('write')).toBeLessThan(log.indexOf('fsync'))
  })
})

describe('the backup is durable before anything is touched', () => {
  it('holds the old bytes at the moment the first target is replaced', async () => {
    const s = scenario(sb, 'pair')
    let seen: string[] = []
    await replaceFiles(sb.dataDir, s.changes, {
      faults: {
        afterCommitMark: () => {
          const [id] = backupIds(sb)
          const manifest = JSON.parse(readFileSync(path.join(sb.dataDir, 'backups', id!, 'manifest.json'), 'utf8'))
          seen = manifest.files.map((f: { backupFile: string }) => sha256Hex(readFileSync(path.join(sb.dataDir, 'backups', id!, f.backupFile))))
          expect(statSync(path.join(sb.dataDir, 'journal', `${id}.json`)).isFile()).toBe(true)
        },
      },
    })
    expect(seen).toEqual([...s.old.values()].map((b) => sha256Hex(b!)))
  })
})
