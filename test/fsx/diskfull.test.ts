import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { recoverJournals, replaceFiles, sha256Hex, snapshotDir } from '../../main/core/fsx'
import { expectNoLeftovers, scenario, stateOf } from './helpers/scenario'
import { faultyIo, runTs, sandbox, type Sandbox } from './helpers/util'

let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})
afterEach(() => sb.cleanup())

describe('a full disk (injected through the io seam)', () => {
  const at: Array<[string, (op: string, file: string) => boolean]> = [
    ['writing the backup', (op, file) => op === 'write' && file.includes(`${path.sep}backups${path.sep}`)],
    ['writing the journal', (op, file) => op === 'write' && file.includes(`${path.sep}journal${path.sep}`)],
    ['writing the new key files', (op, file) => op === 'write' && path.basename(file).startsWith('.signPri.key.dojang-')],
    ['fsyncing the new key files', (op, file) => op === 'fsync' && path.basename(file).startsWith('.kmPri.key.dojang-')],
  ]
  it.each(at)('while %s: DISK_FULL and every byte as it was', async (_label, when) => {
    const s = scenario(sb)
    const before = await snapshotDir(sb.root)
    const io = faultyIo((_n, op, file) => (when(op, file) ? 'ENOSPC' : undefined))
    const err = await replaceFiles(sb.dataDir, s.changes, { io }).catch((e: unknown) => e)
    expect(isDojangError(err, 'DISK_FULL'), String(err)).toBe(true)
    expect((err as Error).message).toMatch(/disk is full.*Nothing was changed/s)
    expect(stateOf(s)).toBe('old')
    expectNoLeftovers(sb)
    // Only empty folders may have appeared; every file is byte-identical.
    expect(await snapshotDir(sb.root)).toEqual(before)
    expect(await recoverJournals(sb.dataDir)).toEqual([])
  })
})

// A real small file system: a 256 KiB tmpfs in a private mount namespace (`unshare -rm` needs no root where user
// namespaces are allowed; as root it works anyway). The mount disappears with the child process.
function canMountTmpfs(dir: string): string[] | undefined {
  if (process.platform !== 'linux') return undefined
  for (const wrapper of [['unshare', '-rm'], ['unshare', '-m']]) {
    const r = spawnSync(wrapper[0]!, [...wrapper.slice(1), 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0"', dir])
    if (r.status === 0) return wrapper
  }
  return undefined
}

const probeDir = mkdtempSync(path.join(os.tmpdir(), 'dojang-fsx-probe-'))
const wrapper = canMountTmpfs(probeDir)
rmSync(probeDir, { recursive: true, force: true })

describe.skipIf(!wrapper)('a full disk (a real tiny tmpfs)', () => {
  it('fails with DISK_FULL and changes nothing at whatever step space runs out, and succeeds once it suffices', async () => {
    const r = await runTs('diskfull-child.ts', [sb.root, '14'], {
      wrapper: [...wrapper!, 'sh', '-c', 'mount -t tmpfs -o size=256k tmpfs "$0" && exec "$@"', sb.root],
      timeoutMs: 60_000,
    })
    expect(r.code, r.stderr).toBe(0)
    const results = JSON.parse(r.stdout) as Array<{ k: number; ok?: true; code?: string; message?: string; unchanged?: boolean; files: string[]; temps: number; recovery: string[] }>
    const oldHashes = [sha256Hex(new Uint8Array(3000).fill(1)), sha256Hex(new Uint8Array(3000).fill(2))]
    const newHashes = [sha256Hex(new Uint8Array(3000).fill(3)), sha256Hex(new Uint8Array(3000).fill(4))]
    for (const res of results) {
      const label = JSON.stringify(res)
      expect(res.temps, label).toBe(0)
      expect(res.recovery, label).toEqual([])
      if (res.ok) expect(res.files, label).toEqual(newHashes)
      else {
        expect(res.code, label).toBe('DISK_FULL')
        expect(res.unchanged, label).toBe(true)
        expect(res.files, label).toEqual(oldHashes)
      }
    }
    const failures = results.filter((x) => !x.ok)
    expect(failures.length).toBeGreaterThan(1)
    expect(results.at(-1)!.ok).toBe(true)
    // Space ran out at more than one step of the protocol (lock, backup, journal, new files …).
    expect(new Set(failures.map((f) => f.message!.replace(/\(.*?\)/g, ''))).size).toBeGreaterThan(1)
  })
})
