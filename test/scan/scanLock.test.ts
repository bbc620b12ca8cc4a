/** The scan lock: one scan at a time per data folder, taken over from a dead holder, refreshed while held. */
import { lstat, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { acquireLock } from '../../main/core/fsx/lock'
import { acquireScanLock, SCAN_LOCK_NAME, withScanLock } from '../../main/core/scan'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})
async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'dojang-scanlock-'))
  dirs.push(d)
  return join(d, 'data') // not there yet: the lock creates it
}

async function conflict(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    expect(isDojangError(e, 'CONFLICT'), String(e)).toBe(true)
    return (e as Error).message
  }
  throw new Error('expected CONFLICT')
}

describe('scan lock', () => {
  it('lets one scan run at a time, and the next one after it ends', async () => {
    const dir = await dataDir()
    const release = await acquireScanLock(dir)
    expect(await conflict(acquireScanLock(dir))).toMatch(/Another Dojang scan is running/)
    await release()
    const again = await acquireScanLock(dir)
    await again()
    await expect(lstat(join(dir, SCAN_LOCK_NAME))).rejects.toThrow()
  })

  it('withScanLock releases after a failure too', async () => {
    const dir = await dataDir()
    await expect(withScanLock(dir, async () => { throw new Error('boom') })).rejects.toThrow('boom')
    expect(await withScanLock(dir, async () => 42)).toBe(42)
  })

  it('does not block, and is not blocked by, the writers lock of the same data folder', async () => {
    const dir = await dataDir()
    const scanning = await acquireScanLock(dir)
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'journal'), { recursive: true }))
    const writing = await acquireLock(dir, 1000)
    await writing()
    await scanning()
  })

  it('takes over the lock of a scan that died', async () => {
    const dir = await dataDir()
    const release = await acquireScanLock(dir)
    await release()
    // A lock left by a process that no longer exists (pid 2^22 + 1 is above Linux's pid_max default).
    const body = `${2 ** 22 + 1}:00112233aabbccdd:${await hostTagOf(dir)}`
    if (process.platform === 'win32') await writeFile(join(dir, SCAN_LOCK_NAME), body)
    else await symlink(body, join(dir, SCAN_LOCK_NAME))
    const mine = await acquireScanLock(dir)
    expect(process.platform === 'win32' ? '' : await readlink(join(dir, SCAN_LOCK_NAME))).toMatch(process.platform === 'win32' ? /^$/ : new RegExp(`^${process.pid}:`))
    await mine()
  })

  it('refreshes a held lock, so that a long scan never looks dead', async () => {
    const dir = await dataDir()
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }))
    const file = join(dir, 'held.lock')
    const release = await acquireLock(dir, 0, { file, heartbeatMs: 20 })
    const old = new Date(Date.now() - 3_600_000)
    const fs = await import('node:fs/promises')
    await (process.platform === 'win32' ? fs.utimes(file, old, old) : fs.lutimes(file, old, old))
    await expect.poll(async () => Date.now() - (await lstat(file)).mtimeMs).toBeLessThan(60_000)
    await release()
  })

  it('waits for a running scan when asked to', async () => {
    const dir = await dataDir()
    const first = await acquireScanLock(dir)
    const second = acquireScanLock(dir, { waitMs: 10_000 })
    setTimeout(() => void first(), 50)
    const release = await second
    await release()
  })
})

/** The host tag our own lock carries (the lock names its host so that another machine's lock is never broken). */
async function hostTagOf(dir: string): Promise<string> {
  const release = await acquireScanLock(dir)
  try {
    if (process.platform === 'win32') return (await import('node:fs/promises').then((fs) => fs.readFile(join(dir, SCAN_LOCK_NAME), 'utf8'))).split(':')[2] as string
    return (await readlink(join(dir, SCAN_LOCK_NAME))).split(':')[2] as string
  } finally {
    await release()
  }
}
