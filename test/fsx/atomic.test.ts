import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { nodeIo, readFileSafe, sha256Hex, snapshotDir, writeFileAtomic, type FsIo } from '../../main/core/fsx'
import { content, faultyIo, modeOf, sandbox, tempsUnder, type Sandbox } from './helpers/util'

let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})
afterEach(() => sb.cleanup())

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isDojangError(err), `expected a DojangError ${code}, got ${String(err)}`).toBe(true)
  expect((err as { code: string }).code).toBe(code)
}

describe('writeFileAtomic', () => {
  it('creates a private file with exactly the bytes and leaves no temp', async () => {
    const target = path.join(sb.certDir, 'signPri.key')
    const data = content('new')
    await writeFileAtomic(target, data)
    expect(new Uint8Array(readFileSync(target))).toEqual(data)
    expect(modeOf(target)).toBe(0o600)
    expect(tempsUnder(sb.root)).toEqual([])
  })

  it('replaces a file, keeping its permissions unless a mode is given', async () => {
    const target = path.join(sb.certDir, 'signCert.der')
    writeFileSync(target, 'old')
    chmodSync(target, 0o644)
    await writeFileAtomic(target, content('v2'))
    expect(modeOf(target)).toBe(0o644)
    await writeFileAtomic(target, content('v3'), { mode: 0o640 })
    expect(modeOf(target)).toBe(0o640)
    expect(new Uint8Array(readFileSync(target))).toEqual(content('v3'))
  })

  it('never exposes a partly written target: mid-write the target still holds the old bytes', async () => {
    const target = path.join(sb.certDir, 'signPri.key')
    const old = content('old', 5000)
    writeFileSync(target, old)
    let resume!: () => void
    let midway!: () => void
    const reachedMidway = new Promise<void>((r) => (midway = r))
    const gate = new Promise<void>((r) => (resume = r))
    // Writes arrive in two halves with a pause between them.
    const io: FsIo = {
      ...nodeIo,
      async open(file, flags, mode) {
        const f = await nodeIo.open(file, flags, mode)
        return {
          ...f,
          chmod: (m) => f.chmod(m),
          chown: (u, g) => f.chown(u, g),
          sync: () => f.sync(),
          close: () => f.close(),
          async write(data, offset, length, position) {
            const half = Math.ceil(length / 2)
            const r = await f.write(data, offset, half, position)
            midway()
            await gate
            return r
          },
        }
      },
    }
    const fresh = content('new', 5000)
    const writing = writeFileAtomic(target, fresh, { io })
    await reachedMidway
    expect(new Uint8Array(readFileSync(target))).toEqual(old)
    const [temp] = tempsUnder(sb.root)
    expect(temp).toBeDefined()
    expect(readFileSync(path.join(sb.root, temp!)).length).toBe(2500)
    resume()
    await writing
    expect(new Uint8Array(readFileSync(target))).toEqual(fresh)
    expect(tempsUnder(sb.root)).toEqual([])
  })

  it('on a disk that fills up mid-write: DISK_FULL, old bytes intact, temp removed', async () => {
    const target = path.join(sb.certDir, 'signPri.key')
    writeFileSync(target, content('old'))
    const io = faultyIo((_n, op) => (op === 'write' ? 'ENOSPC' : undefined))
    await expectCode(writeFileAtomic(target, content('new'), { io }), 'DISK_FULL')
    expect(new Uint8Array(readFileSync(target))).toEqual(content('old'))
    expect(tempsUnder(sb.root)).toEqual([])
  })

  it.each([
    ['fsync', 'EIO', 'IO_ERROR'],
    ['rename', 'EACCES', 'PERMISSION_DENIED'],
    ['open', 'EROFS', 'PERMISSION_DENIED'],
  ])('when %s fails with %s: %s, old bytes intact, temp removed', async (failing, errno, code) => {
    const target = path.join(sb.certDir, 'signPri.key')
    writeFileSync(target, content('old'))
    const io = faultyIo((_n, op) => (op === failing ? errno : undefined))
    await expectCode(writeFileAtomic(target, content('new'), { io }), code)
    expect(new Uint8Array(readFileSync(target))).toEqual(content('old'))
    expect(tempsUnder(sb.root)).toEqual([])
  })

  it('ignores folders that cannot be fsynced (Windows, some file systems) but reports a real fsync error', async () => {
    const target = path.join(sb.certDir, 'a.bin')
    for (const errno of ['EISDIR', 'EINVAL', 'EPERM']) {
      await writeFileAtomic(target, content(errno), { io: faultyIo((_n, op) => (op === 'syncDir' ? errno : undefined)) })
      expect(new Uint8Array(readFileSync(target))).toEqual(content(errno))
    }
    await expectCode(writeFileAtomic(target, content('x'), { io: faultyIo((_n, op) => (op === 'syncDir' ? 'EIO' : undefined)) }), 'IO_ERROR')
  })

  it('reports a missing folder as NOT_FOUND', async () => {
    await expectCode(writeFileAtomic(path.join(sb.root, 'gone', 'x.key'), content('x')), 'NOT_FOUND')
  })
})

describe('readFileSafe', () => {
  it('reads a file whole, up to and including maxBytes', async () => {
    const file = path.join(sb.certDir, 'signCert.der')
    writeFileSync(file, content('cert', 100))
    expect(await readFileSafe(file)).toEqual(content('cert', 100))
    expect(await readFileSafe(file, 100)).toEqual(content('cert', 100))
  })

  it('refuses a file larger than maxBytes as CORRUPT_FILE', async () => {
    const file = path.join(sb.certDir, 'huge.key')
    writeFileSync(file, content('x', 101))
    await expectCode(readFileSafe(file, 100), 'CORRUPT_FILE')
    writeFileSync(file, new Uint8Array((1 << 20) + 1))
    await expectCode(readFileSafe(file), 'CORRUPT_FILE')
  })

  it('refuses folders and FIFOs (without blocking) as CORRUPT_FILE', async () => {
    mkdirSync(path.join(sb.certDir, 'signPri.key'))
    await expectCode(readFileSafe(path.join(sb.certDir, 'signPri.key')), 'CORRUPT_FILE')
    if (process.platform !== 'win32') {
      const fifo = path.join(sb.certDir, 'kmPri.key')
      execFileSync('mkfifo', [fifo])
      await expectCode(readFileSafe(fifo), 'CORRUPT_FILE')
    }
  })

  it('maps a missing file to NOT_FOUND', async () => {
    await expectCode(readFileSafe(path.join(sb.certDir, 'nope.key')), 'NOT_FOUND')
  })
})

describe('snapshotDir', () => {
  it('maps relative paths to sha256 of every file, recursively', async () => {
    writeFileSync(path.join(sb.certDir, 'signCert.der'), 'a')
    writeFileSync(path.join(sb.root, 'top.txt'), 'b')
    symlinkSync('top.txt', path.join(sb.root, 'link'))
    const snap = await snapshotDir(sb.root)
    const rel = path.relative(sb.root, path.join(sb.certDir, 'signCert.der')).split(path.sep).join('/')
    expect(snap.get(rel)).toBe(sha256Hex(new TextEncoder().encode('a')))
    expect(snap.get('top.txt')).toBe(sha256Hex(new TextEncoder().encode('b')))
    expect(snap.get('link')).toBe('symlink:top.txt')
    expect([...snap.keys()]).toEqual([...snap.keys()].sort())
    writeFileSync(path.join(sb.root, 'top.txt'), 'c')
    expect(await snapshotDir(sb.root)).not.toEqual(snap)
    expect(existsSync(sb.dataDir)).toBe(false)
    await expectCode(snapshotDir(sb.dataDir), 'NOT_FOUND')
  })
})

