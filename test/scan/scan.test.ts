import { spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { deepScan, MemoryScanCache, nodeScanFs, scan, scanNpkiRoots, type ScanFs, type ScanProgress } from '../../main/core/scan'
import { HONG, HONG_DN, PYPINKSIGN, pfxBytes, scratch, writeHong, writePyPinkSign } from './helpers'

describe('NPKI root scan', () => {
  it('finds certificate folders in mixed-case trees and keeps the spelling found on disk', async () => {
    const root = join(await scratch(), 'NPKI')
    writeHong(join(root, 'yessign', 'USER', HONG_DN))
    writeHong(join(root, 'kica', 'user', 'cn=lower'), {
      names: { signCert: 'signcert.der', signPri: 'signpri.key', kmCert: 'kmcert.der', kmPri: 'kmpri.key' },
    })
    writeHong(join(root, 'TradeSign', 'User', 'cn=Upper'), {
      names: { signCert: 'SignCert.der', signPri: 'SignPri.key', kmCert: 'KmCert.der', kmPri: 'KmPri.key' },
    })
    writeHong(join(root, 'SignKorea', 'USER', 'cn=shouting'), { names: { signCert: 'SIGNCERT.DER', signPri: 'SIGNPRI.KEY', kmCert: null, kmPri: null } })
    // Not certificate folders: a key alone, a folder *named* signCert.der.
    writeHong(join(root, 'yessign', 'USER', 'cn=keyonly'), { names: { signCert: null } })
    mkdirSync(join(root, 'yessign', 'USER', 'cn=dirnamed', 'signCert.der'), { recursive: true })
    // A certificate folder below the expected depth: found, but flagged as non-standard.
    writeHong(join(root, 'yessign', 'USER', 'backup', 'cn=nested'))

    const r = await scanNpkiRoots([root])
    expect(r.status).toBe('finished')
    expect(r.certificates.map((c) => c.location.slice(root.length + 1))).toEqual([
      join('SignKorea', 'USER', 'cn=shouting'),
      join('TradeSign', 'User', 'cn=Upper'),
      join('kica', 'user', 'cn=lower'),
      join('yessign', 'USER', 'backup', 'cn=nested'),
      join('yessign', 'USER', HONG_DN),
    ])
    const upper = r.certificates.find((c) => c.location.endsWith('cn=Upper'))
    expect(upper).toMatchObject({
      files: { signCert: 'SignCert.der', signPri: 'SignPri.key', kmCert: 'KmCert.der', kmPri: 'KmPri.key' },
      id: { issuer: HONG.issuer, serial: HONG.serial },
      layout: 'standard',
      medium: 'disk',
      root,
      scanKind: 'npki',
      inNpki: true,
      signKey: { scheme: 'npki-pbkdf1-seed', trailingBytes: 0 },
      kmKey: { scheme: 'npki-pbkdf1-seed' },
      problems: [],
    })
    expect(upper?.certificate).toMatchObject({ name: '홍길동', serial: '03e9', notAfter: HONG.notAfter, kind: 'sign', policyOid: '1.2.410.200005.1.1.4' })
    expect(upper?.kmCertificate?.kind).toBe('km')
    expect(r.certificates.find((c) => c.location.endsWith('cn=nested'))?.layout).toBe('nonstandard')
    expect(r.certificates.find((c) => c.location.endsWith('cn=shouting'))?.files).toEqual({ signCert: 'SIGNCERT.DER', signPri: 'SIGNPRI.KEY' })
    expect(r.stats.certificatesFound).toBe(5)
    // The same certificate everywhere, so the copies of the complete folders share a content hash.
    const full = r.certificates.filter((c) => c.files.kmPri !== undefined)
    expect(new Set(full.map((c) => c.contentHash)).size).toBe(1)
  })

  it('reports roots that do not exist without calling them problems, and a file given as a root as one', async () => {
    const dir = await scratch()
    writeFileSync(join(dir, 'NPKI'), 'not a folder')
    const r = await scanNpkiRoots([join(dir, 'missing', 'NPKI'), join(dir, 'NPKI')])
    expect(r.roots.map((x) => x.exists)).toEqual([false, false])
    expect(r.problems).toEqual([expect.objectContaining({ path: join(dir, 'NPKI'), code: 'INVALID_INPUT' })])
  })

  it('tolerates junk: empty, oversized, FIFO and directory look-alikes, stray files', async () => {
    const root = join(await scratch(), 'NPKI')
    const good = writeHong(join(root, 'yessign', 'USER', 'cn=good'), {
      extra: { '보안카드.jpg': 'jpeg bytes', 'memo.txt': 'pw hint', CaPubs: 'ca certs', '.DS_Store': 'x', 'backup.pfx': pfxBytes() },
    })
    writeHong(join(root, 'yessign', 'USER', 'cn=empty'), { names: { signCert: null } }).toString()
    writeFileSync(join(root, 'yessign', 'USER', 'cn=empty', 'signCert.der'), '')
    writeHong(join(root, 'yessign', 'USER', 'cn=huge'), { names: { signCert: null } })
    writeFileSync(join(root, 'yessign', 'USER', 'cn=huge', 'signCert.der'), Buffer.alloc(2 << 20, 0x30))
    writeHong(join(root, 'yessign', 'USER', 'cn=garbagekey'), { names: { signPri: null } })
    writeFileSync(join(root, 'yessign', 'USER', 'cn=garbagekey', 'signPri.key'), 'not a key at all')
    // A FIFO named signPri.key must never be opened (it would block); a folder named signPri.key is no key either.
    const fifoDir = writeHong(join(root, 'yessign', 'USER', 'cn=fifo'), { names: { signPri: null } })
    expect(spawnSync('mkfifo', [join(fifoDir, 'signPri.key')]).status).toBe(0)
    mkdirSync(join(writeHong(join(root, 'yessign', 'USER', 'cn=dirkey'), { names: { signPri: null } }), 'signPri.key'))
    writeFileSync(join(root, 'readme.hwp'), 'doc')

    const r = await scanNpkiRoots([root])
    expect(r.status).toBe('finished')
    const by = (name: string) => r.certificates.find((c) => c.location.endsWith(name))
    expect(r.certificates).toHaveLength(6)
    expect(by('cn=good')).toMatchObject({ problems: [], pfx: ['backup.pfx'] })
    expect(by('cn=good')?.other.sort()).toEqual(['.DS_Store', 'CaPubs', 'memo.txt', '보안카드.jpg'].sort())
    expect(by('cn=empty')?.certificate).toBeUndefined()
    expect(by('cn=empty')?.problems[0]).toMatchObject({ code: 'CORRUPT_FILE' })
    expect(by('cn=huge')?.problems[0]).toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringContaining('too large') })
    expect(by('cn=garbagekey')?.signKey).toBeUndefined()
    expect(by('cn=garbagekey')?.problems).toEqual([expect.objectContaining({ code: 'CORRUPT_FILE', path: join(root, 'yessign', 'USER', 'cn=garbagekey', 'signPri.key') })])
    for (const name of ['cn=fifo', 'cn=dirkey']) {
      expect(by(name)?.files.signPri).toBeUndefined()
      expect(by(name)?.problems).toEqual([expect.objectContaining({ code: 'MISSING_FILE' })])
    }
    expect(r.strayFiles.map((f) => f.path).sort()).toEqual([join(good, 'memo.txt'), join(good, '보안카드.jpg'), join(root, 'readme.hwp')].sort())
    expect(r.pfxFiles).toEqual([expect.objectContaining({ path: join(good, 'backup.pfx'), inNpki: true, size: pfxBytes().length })])
  })

  it('does not follow a symlink loop (a/loop -> ..), reports it, and still terminates when following is on', async () => {
    const root = join(await scratch(), 'NPKI')
    const dn = writeHong(join(root, 'yessign', 'USER', HONG_DN))
    symlinkSync('..', join(root, 'yessign', 'loop'))
    symlinkSync(dn, join(root, 'yessign', 'USER', 'cn=linked'))
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'))
    symlinkSync(join(dn, 'signCert.der'), join(root, 'file-link.der'))

    const r = await scanNpkiRoots([root])
    expect(r.status).toBe('finished')
    expect(r.certificates.map((c) => c.location)).toEqual([dn])
    expect(r.problems.filter((p) => p.code === 'SYMLINK_SKIPPED').map((p) => p.path).sort()).toEqual(
      [join(root, 'yessign', 'loop'), join(root, 'yessign', 'USER', 'cn=linked')].sort(),
    )
    // Only links to folders are worth a note; dangling links and links to files are just counted.
    expect(r.stats.symlinksSkipped).toBe(4)

    const f = await scanNpkiRoots([root], { followSymlinks: true })
    expect(f.status).toBe('finished')
    // The loop and the second path to the DN folder are both caught by the device+inode guard.
    expect(f.certificates.map((c) => c.location)).toEqual([dn])
    expect(f.problems.filter((p) => p.code === 'LOOP').map((p) => p.path).sort()).toEqual(
      [join(root, 'yessign', 'loop'), join(root, 'yessign', 'USER', 'cn=linked')].sort(),
    )
  })

  it('stops at the depth limit of an NPKI root and reports the folders left out', async () => {
    const root = join(await scratch(), 'NPKI')
    const deep = writeHong(join(root, 'a', 'b', 'c', 'd', 'e', 'f', 'USER', 'cn=deep'))
    const r = await scanNpkiRoots([root])
    expect(r.certificates).toEqual([])
    expect(r.problems).toEqual([expect.objectContaining({ code: 'DEPTH_LIMIT', path: join(root, 'a', 'b', 'c', 'd', 'e', 'f', 'USER') })])
    const more = await scanNpkiRoots([root], { npkiMaxDepth: 8 })
    expect(more.certificates.map((c) => c.location)).toEqual([deep])
  })

  it('records a path longer than the OS allows (ENAMETOOLONG) and goes on', async () => {
    const dir = await scratch()
    writeHong(join(dir, 'NPKI', 'yessign', 'USER', HONG_DN))
    // 22 nested 200-character names (> PATH_MAX 4096). mkdir on the full path would fail, so walk down with cd.
    const seg = 'x'.repeat(200)
    const made = spawnSync('bash', ['-c', `cd "$1" && for i in $(seq 1 22); do mkdir ${seg} && cd ${seg} || exit 1; done; echo ok > note.txt`, '_', dir], {
      encoding: 'utf8',
    })
    try {
      expect(made.status, made.stderr).toBe(0)
      const r = await deepScan([dir], { deepMaxDepth: 40 })
      expect(r.status).toBe('finished')
      expect(r.certificates).toHaveLength(1)
      const long = r.problems.filter((p) => p.code === 'NAME_TOO_LONG')
      expect(long).toHaveLength(1)
      expect(long[0]).toMatchObject({ errno: 'ENAMETOOLONG' })
      expect(long[0]?.path.length).toBeGreaterThanOrEqual(4096)
    } finally {
      // fs.rm cannot delete below PATH_MAX either; rm -rf descends relative to each folder.
      spawnSync('rm', ['-rf', join(dir, seg)])
    }
  })

  it('records injected failures (EIO, a folder that vanished) and finds the rest', async () => {
    const root = join(await scratch(), 'NPKI')
    const ok = writeHong(join(root, 'yessign', 'USER', 'cn=ok'))
    writeHong(join(root, 'broken', 'USER', 'cn=x'))
    writeHong(join(root, 'gone', 'USER', 'cn=y'))
    const fail = (code: string) => Object.assign(new Error(code), { code })
    const fs: ScanFs = {
      ...nodeScanFs,
      readdir: (p, o, cb) => {
        if (p === join(root, 'broken')) return process.nextTick(() => cb(fail('EIO'), []))
        if (p === join(root, 'gone', 'USER')) return process.nextTick(() => cb(fail('ENOENT'), []))
        nodeScanFs.readdir(p, o, cb)
      },
    }
    const r = await scanNpkiRoots([root], { fs })
    expect(r.status).toBe('finished')
    expect(r.certificates.map((c) => c.location)).toEqual([ok])
    expect(r.problems.map((p) => [p.path, p.code, p.errno])).toEqual([
      [join(root, 'broken'), 'IO_ERROR', 'EIO'],
      [join(root, 'gone', 'USER'), 'NOT_FOUND', 'ENOENT'],
    ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)))
  })
})

describe('several roots', () => {
  it('finds a certificate copied to two roots, a differing copy, and keeps media apart', async () => {
    const dir = await scratch()
    const a = writeHong(join(dir, 'home', 'NPKI', 'testsign', 'USER', HONG_DN))
    const b = writeHong(join(dir, 'usb', 'NPKI', 'testsign', 'USER', HONG_DN))
    const c = writeHong(join(dir, 'old', 'NPKI', 'testsign', 'USER', HONG_DN), { signPriSuffix: Buffer.from('other password') })
    const r = await scan([
      { path: join(dir, 'home', 'NPKI'), kind: 'npki', medium: 'disk' },
      { path: join(dir, 'usb', 'NPKI'), kind: 'npki', medium: 'removable' },
      { path: join(dir, 'old', 'NPKI') },
    ])
    expect(r.certificates.map((x) => [x.location, x.medium])).toEqual([
      [a, 'disk'],
      [c, 'disk'],
      [b, 'removable'],
    ])
    const [ha, hc, hb] = r.certificates.map((x) => x.contentHash)
    expect(ha).toBe(hb)
    expect(hc).not.toBe(ha)
    expect(r.certificates.find((x) => x.location === c)?.signKey?.trailingBytes).toBe('other password'.length)
  })

  it('walks a folder once when it is a root of its own inside a deep-scanned folder', async () => {
    const home = await scratch()
    const dn = writeHong(join(home, 'NPKI', 'yessign', 'USER', HONG_DN))
    const r = await scan([{ path: home, kind: 'deep' }, { path: join(home, 'NPKI'), kind: 'npki' }])
    expect(r.certificates).toHaveLength(1)
    expect(r.certificates[0]).toMatchObject({ location: dn, scanKind: 'npki', medium: 'disk' })
  })
})

describe('deep scan', () => {
  it('finds a stray Downloads/backup/npki tree and a .p12, and skips heavy folders', async () => {
    const home = await scratch()
    const stray = writeHong(join(home, 'Downloads', 'backup', 'npki', 'yessign', 'user', HONG_DN))
    const loose = writePyPinkSign(join(home, 'Desktop', '인증서'))
    mkdirSync(join(home, 'Documents'), { recursive: true })
    writeFileSync(join(home, 'Documents', 'cert.P12'), pfxBytes())
    writeHong(join(home, 'project', 'node_modules', 'pkg', 'NPKI', 'yessign', 'USER', 'cn=inpackage'))
    writeHong(join(home, '.git', 'NPKI', 'yessign', 'USER', 'cn=ingit'))
    writeHong(join(home, 'Library', 'Caches', 'NPKI', 'x', 'USER', 'cn=cached'))
    mkdirSync(join(home, 'AppData', 'LocalLow', 'GPKI'), { recursive: true })
    mkdirSync(join(home, 'AppData', 'LocalLow', 'SKCert'), { recursive: true })
    for (let i = 0; i < 30; i++) writeFileSync(join(home, 'Documents', `note${i}.txt`), 'x')

    const r = await deepScan([home])
    expect(r.status).toBe('finished')
    expect(r.certificates.map((c) => c.location)).toEqual([loose, stray])
    expect(r.certificates.find((c) => c.location === stray)).toMatchObject({
      root: join(home, 'Downloads', 'backup', 'npki'),
      scanRoot: home,
      scanKind: 'deep',
      medium: 'other',
      inNpki: true,
      layout: 'standard',
    })
    expect(r.certificates.find((c) => c.location === loose)).toMatchObject({ root: home, inNpki: false, layout: 'nonstandard', id: PYPINKSIGN })
    expect(r.pfxFiles).toEqual([expect.objectContaining({ path: join(home, 'Documents', 'cert.P12'), inNpki: false, scanKind: 'deep' })])
    expect(r.stats.foldersSkipped).toBe(3)
    expect(r.relatedStores.map((s) => [s.kind, s.name])).toEqual([
      ['gpki', 'GPKI'],
      ['vendor-store', 'SKCert'],
    ])
    // Documents' notes are not "stray" files: they are not inside an NPKI tree.
    expect(r.strayFiles).toEqual([])

    const all = await deepScan([home], { deepSkip: false })
    expect(all.certificates).toHaveLength(5)
    const custom = await deepScan([home], { deepSkip: { names: ['downloads'], pathTails: [] } })
    expect(custom.certificates.map((c) => c.location.slice(home.length + 1).split('/')[0]).sort()).toEqual(['.git', 'Desktop', 'Library', 'project'])
  })
})

describe('progress and cancellation', () => {
  async function wideTree(folders: number): Promise<string> {
    const root = join(await scratch(), 'NPKI')
    for (let i = 0; i < folders; i++) mkdirSync(join(root, `ca${i % 10}`, `d${i}`), { recursive: true })
    writeHong(join(root, 'ca0', 'USER', HONG_DN))
    return root
  }

  it('emits progress per folder when asked, counters rising, and one final event with the totals', async () => {
    const root = await wideTree(60)
    const events: ScanProgress[] = []
    const r = await scanNpkiRoots([root], { progressIntervalMs: 0, onProgress: (p) => events.push(p) })
    const scanning = events.filter((e) => e.phase === 'scanning')
    expect(scanning).toHaveLength(r.stats.foldersVisited)
    expect(r.stats.foldersVisited).toBe(1 + 10 + 60 + 2)
    for (let i = 1; i < scanning.length; i++) {
      expect((scanning[i] as ScanProgress).foldersVisited).toBeGreaterThan((scanning[i - 1] as ScanProgress).foldersVisited)
    }
    expect(events.at(-1)).toMatchObject({ phase: 'done', foldersVisited: 73, certificatesFound: 1, problems: 0 })

    // Throttled: a fast scan of the same tree gives far fewer events (the final one always comes).
    const throttled: ScanProgress[] = []
    await scanNpkiRoots([root], { progressIntervalMs: 60_000, onProgress: (p) => throttled.push(p) })
    expect(throttled.map((e) => e.phase)).toEqual(['scanning', 'done'])
  })

  it('stops promptly when cancelled mid-scan and says so', async () => {
    const root = await wideTree(3000)
    const ac = new AbortController()
    let abortedAt = 0
    const t0 = performance.now()
    const r = await scanNpkiRoots([root], {
      signal: ac.signal,
      progressIntervalMs: 0,
      concurrency: 4,
      onProgress: (p) => {
        if (p.foldersVisited === 50) {
          abortedAt = performance.now()
          ac.abort()
        }
      },
    })
    expect(r.status).toBe('cancelled')
    expect(r.stats.foldersVisited).toBeGreaterThanOrEqual(50)
    expect(r.stats.foldersVisited).toBeLessThan(200)
    expect(performance.now() - abortedAt).toBeLessThan(500)
    expect(abortedAt).toBeGreaterThan(t0)

    const pre = new AbortController()
    pre.abort()
    const none = await scanNpkiRoots([root], { signal: pre.signal })
    expect(none).toMatchObject({ status: 'cancelled', stats: { foldersVisited: 0 } })
  })

  it('returns at once on cancel even when a drive hangs (a readdir that never answers)', async () => {
    const root = await wideTree(20)
    const ac = new AbortController()
    const fs: ScanFs = {
      ...nodeScanFs,
      readdir: (p, o, cb) => {
        if (p.endsWith(`${join('ca3', 'd3')}`)) {
          setTimeout(() => ac.abort(), 20)
          return // never calls back, like a dead network share
        }
        nodeScanFs.readdir(p, o, cb)
      },
    }
    const r = await scanNpkiRoots([root], { signal: ac.signal, fs })
    expect(r.status).toBe('cancelled')
  }, 5_000)

  it('is cancelled, not finished, when the abort comes while certificate folders are being parsed', async () => {
    const root = join(await scratch(), 'NPKI')
    for (let i = 0; i < 20; i++) writeHong(join(root, 'yessign', 'USER', `cn=${i}`))
    const ac = new AbortController()
    const slowCache = {
      get: () => undefined,
      put: () => ac.abort(), // the first parsed file ends the scan
    }
    const r = await scanNpkiRoots([root], { signal: ac.signal, cache: slowCache, parseConcurrency: 1 })
    expect(r.status).toBe('cancelled')
    expect(r.certificates.length).toBeLessThan(20)
  })
})

describe('cache', () => {
  it('re-parses nothing on an unchanged tree and only the touched folder after a change', async () => {
    const dir = await scratch()
    const root = join(dir, 'NPKI')
    const dns = ['cn=a', 'cn=b', 'cn=c'].map((n) => writeHong(join(root, 'yessign', 'USER', n)))
    const cache = new MemoryScanCache()
    const first = await scanNpkiRoots([root], { cache })
    expect(first.stats).toMatchObject({ foldersParsed: 3, foldersFromCache: 0, filesParsed: 12, cacheHits: 0 })
    // Identical bytes are parsed once per scan: one signCert and one kmCert parse for the three copies.
    expect(first.stats.certificateParses).toBe(2)

    const second = await scanNpkiRoots([root], { cache })
    expect(second.stats).toMatchObject({ foldersParsed: 0, foldersFromCache: 3, filesParsed: 0, cacheHits: 12, certificateParses: 0 })
    expect(second.certificates.map(({ fromCache: _f, ...c }) => c)).toEqual(first.certificates.map(({ fromCache: _f, ...c }) => c))
    expect(second.certificates.every((c) => c.fromCache)).toBe(true)

    // Touch one file (mtime only): that folder is re-read, and only that file.
    const later = new Date(Date.now() + 60_000)
    utimesSync(join(dns[1] as string, 'kmCert.der'), later, later)
    const third = await scanNpkiRoots([root], { cache })
    expect(third.stats).toMatchObject({ foldersParsed: 1, foldersFromCache: 2, filesParsed: 1, cacheHits: 11 })
    expect(third.certificates.find((c) => !c.fromCache)?.location).toBe(dns[1])

    // A changed key (same size is not needed: size or mtime) changes the folder's content hash.
    writeFileSync(join(dns[2] as string, 'signPri.key'), Buffer.concat([Buffer.from(HONG.serial), Buffer.alloc(16)]))
    const fourth = await scanNpkiRoots([root], { cache })
    expect(fourth.stats).toMatchObject({ foldersParsed: 1, filesParsed: 1 })
    const changed = fourth.certificates.find((c) => c.location === dns[2])
    expect(changed?.contentHash).not.toBe(first.certificates.find((c) => c.location === dns[2])?.contentHash)
    expect(changed?.signKey).toBeUndefined()
    expect(changed?.problems[0]?.code).toBe('CORRUPT_FILE')

    // The damaged key is remembered as damaged: a fifth scan parses nothing and still reports it.
    const fifth = await scanNpkiRoots([root], { cache })
    expect(fifth.stats.filesParsed).toBe(0)
    expect(fifth.certificates.find((c) => c.location === dns[2])?.problems[0]?.code).toBe('CORRUPT_FILE')
  })

  it('survives a cache that throws: the folders are parsed and reported all the same', async () => {
    const root = join(await scratch(), 'NPKI')
    writeHong(join(root, 'yessign', 'USER', 'cn=a'))
    const broken = {
      get: () => {
        throw new Error('database is locked')
      },
      put: () => {
        throw new Error('disk full')
      },
      flush: () => {
        throw new Error('disk full')
      },
    }
    const r = await scanNpkiRoots([root], { cache: broken })
    expect(r.status).toBe('finished')
    expect(r.certificates).toHaveLength(1)
    expect(r.certificates[0]).toMatchObject({ problems: [], id: { serial: HONG.serial }, signKey: { scheme: 'npki-pbkdf1-seed' } })
    expect(r.problems).toEqual([])
  })

  it('treats entries of another format version or shape as misses', async () => {
    const root = join(await scratch(), 'NPKI')
    writeHong(join(root, 'yessign', 'USER', 'cn=a'))
    const stale = { get: () => ({ v: 0, sha256: 'x', cert: {} }), put: () => undefined }
    const r = await scanNpkiRoots([root], { cache: stale })
    expect(r.stats).toMatchObject({ filesParsed: 4, cacheHits: 0, cacheMisses: 4 })
    expect(r.certificates[0]?.id).toEqual({ issuer: HONG.issuer, serial: HONG.serial })
  })
})
