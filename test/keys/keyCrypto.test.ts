/**
 * Issue 11 defect 2, second half: key derivation runs off the main thread. The async twins run the same code in a
 * worker thread; their results equal the inline ones, their errors stay typed, and the event loop keeps running
 * (a timer keeps firing) while a legitimate long derivation runs. Counts are asserted, never durations.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import {
  decryptPrivateKeyAsync, encryptPrivateKeyAsync, importPfxAsync, KeyCryptoWorker, keyCryptoMode, stopKeyCryptoWorker, workerSource,
} from '../../main/core/npki/keyCrypto'
import { decryptPrivateKey } from '../../main/core/npki/privateKey'
import { exportFolderToPfxAsync, importPfxToRootAsync } from '../../main/core/ops/pfxFile'
import { changePassword as changePasswordAsync, checkPassword as checkPasswordAsync } from '../../main/core/ops/password'
import { listBackups, snapshotDir } from '../../main/core/fsx'
import { copyHongFolder, fixture, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'
import { hostileMacPfx } from './hostile'

const HONG = ['NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'] as const
const signPri = fixture(...HONG, 'signPri.key')

afterAll(() => stopKeyCryptoWorker())

describe('the key worker', () => {
  it('decrypts in a worker thread to the same bytes as inline', async () => {
    const off = await decryptPrivateKeyAsync(signPri, FIXTURE_PASSWORD, { label: 'signPri.key' })
    expect(keyCryptoMode()).toBe('worker')
    const inline = decryptPrivateKey(signPri, FIXTURE_PASSWORD)
    expect(Buffer.from(off.pkcs8).equals(Buffer.from(inline.pkcs8))).toBe(true)
    expect(off.info.randomNum).toBeInstanceOf(Uint8Array)
  })

  it('keeps errors typed across the thread: wrong password, and the work limit with its details', async () => {
    const wrong = await decryptPrivateKeyAsync(signPri, 'not the password').catch((e: unknown) => e)
    expect(isDojangError(wrong, 'WRONG_PASSWORD'), String(wrong)).toBe(true)
    const hostile = await importPfxAsync(hostileMacPfx(10_000_000), 'x').catch((e: unknown) => e)
    expect(isDojangError(hostile, 'UNSUPPORTED_ALGORITHM'), String(hostile)).toBe(true)
    expect((hostile as { details: Record<string, unknown> }).details).toMatchObject({ reason: 'kdf-work-limit', spent: 0 })
  })

  it('the event loop keeps running while a long legitimate derivation runs in the worker (and not inline)', async () => {
    const { pkcs8 } = decryptPrivateKey(signPri, FIXTURE_PASSWORD)
    // 150,000 PBKDF1 rounds: legitimate (within the budget), and long enough to span many timer ticks anywhere.
    const slow = await encryptPrivateKeyAsync(pkcs8, FIXTURE_PASSWORD, { kind: 'npki-pbkdf1-seed', salt: new Uint8Array(8), iterations: 150_000 })
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    try {
      decryptPrivateKey(slow, FIXTURE_PASSWORD)
      const inlineTicks = ticks // a synchronous derivation holds the loop: no tick can happen inside it
      ticks = 0
      const off = await decryptPrivateKeyAsync(slow, FIXTURE_PASSWORD)
      const workerTicks = ticks
      expect(inlineTicks).toBe(0)
      expect(workerTicks).toBeGreaterThanOrEqual(3)
      expect(Buffer.from(off.pkcs8).equals(Buffer.from(pkcs8))).toBe(true)
    } finally {
      clearInterval(timer)
    }
  })

  it('the built worker (out/main/keyCryptoWorker.js) answers jobs as the bundle will use it', async () => {
    const built = join(__dirname, '..', '..', 'out', 'main', 'keyCryptoWorker.js')
    expect(existsSync(built), 'run "npx electron-vite build" (npm test does it)').toBe(true)
    const w = new Worker(built)
    try {
      const answer = await new Promise<{ id: number; ok: boolean; value?: { pkcs8: Uint8Array }; error?: { code: string } }>((resolve, reject) => {
        w.once('message', resolve)
        w.once('error', reject)
        w.postMessage({ id: 7, job: 'decryptPrivateKey', args: [signPri, FIXTURE_PASSWORD, {}] })
      })
      expect(answer.id).toBe(7)
      expect(answer.ok).toBe(true)
      expect(answer.value!.pkcs8.length).toBeGreaterThan(100)
      const wrong = await new Promise<{ ok: boolean; error?: { code: string } }>((resolve) => {
        w.once('message', resolve)
        w.postMessage({ id: 8, job: 'decryptPrivateKey', args: [signPri, 'wrong', {}] })
      })
      expect(wrong).toMatchObject({ ok: false, error: { code: 'WRONG_PASSWORD' } })
    } finally {
      await w.terminate()
    }
  })
})

describe('async variants of the PFX and password operations', () => {
  it('export → import round trip through the worker keeps the exact key bytes', async () => {
    const tmp = await tempDir()
    try {
      const dir = await copyHongFolder(tmp.dir)
      const out = join(tmp.dir, 'hong.pfx')
      const r = await exportFolderToPfxAsync(dir, FIXTURE_PASSWORD, 'Pfx!pass9word', { profile: 'bank', out, includeKm: true })
      expect(r).toMatchObject({ keys: 2, hasRandomNum: true })
      const root = join(tmp.dir, 'other', 'NPKI')
      await import('node:fs/promises').then((f) => f.mkdir(join(tmp.dir, 'other')))
      const imported = await importPfxToRootAsync(new Uint8Array(await readFile(out)), 'Pfx!pass9word', 'New!pass9word', { root, dataDir: join(tmp.dir, 'data') })
      const back = decryptPrivateKey(new Uint8Array(await readFile(join(imported.dir, 'signPri.key'))), 'New!pass9word')
      expect(Buffer.from(back.pkcs8).equals(Buffer.from(decryptPrivateKey(signPri, FIXTURE_PASSWORD).pkcs8))).toBe(true)
    } finally {
      await tmp.cleanup()
    }
  })

  it('checkPasswordAsync and changePasswordAsync behave like their sync twins; a wrong password changes nothing', async () => {
    const tmp = await tempDir()
    try {
      const dir = await copyHongFolder(tmp.dir)
      const dataDir = join(tmp.dir, 'data')
      expect((await checkPasswordAsync(dir, FIXTURE_PASSWORD)).km).toBeDefined()
      const before = await snapshotDir(dir)
      const wrong = await changePasswordAsync(dir, 'wrong', 'New!pass9word', { dataDir }).catch((e: unknown) => e)
      expect(isDojangError(wrong, 'WRONG_PASSWORD')).toBe(true)
      expect(await snapshotDir(dir)).toEqual(before)
      const r = await changePasswordAsync(dir, FIXTURE_PASSWORD, 'New!pass9word', { dataDir })
      expect(r.changed.sort()).toEqual(['kmPri.key', 'signPri.key'])
      expect((await listBackups(dataDir)).map((b) => b.backupId)).toEqual([r.backupId])
      await expect(checkPasswordAsync(dir, 'New!pass9word')).resolves.toBeDefined()
      const old = await checkPasswordAsync(dir, FIXTURE_PASSWORD).catch((e: unknown) => e)
      expect(isDojangError(old, 'WRONG_PASSWORD')).toBe(true)
      // Same scheme and trailing bytes as the sync path keeps.
      const after = new Uint8Array(await readFile(join(dir, 'signPri.key')))
      expect(decryptPrivateKey(after, 'New!pass9word').file.scheme.kind).toBe(decryptPrivateKey(signPri, FIXTURE_PASSWORD).file.scheme.kind)
    } finally {
      await tmp.cleanup()
    }
  })
})

describe('when the worker cannot start', () => {
  it.each([
    ['a missing worker script', { file: '/nonexistent/keyCryptoWorker.js', eval: false as const }],
    ['a script that throws at load', { code: 'throw new Error("cannot load")', eval: true as const, entry: '' }],
  ])('%s: the job runs inline and still answers (typed errors included)', async (_what, source) => {
    const w = new KeyCryptoWorker(() => source)
    try {
      const k = await w.run('decryptPrivateKey', [signPri, FIXTURE_PASSWORD, {}])
      expect(k.pkcs8.length).toBeGreaterThan(100)
      expect(w.mode).toBe('inline')
      const wrong = await w.run('decryptPrivateKey', [signPri, 'wrong', {}]).catch((e: unknown) => e)
      expect(isDojangError(wrong, 'WRONG_PASSWORD')).toBe(true)
    } finally {
      await w.stop()
    }
  })
})

describe('finding the worker script', () => {
  const outMain = join(__dirname, '..', '..', 'out', 'main')
  it('from the bundle: next to out/main/index.js and cli.js, or one folder up from out/main/chunks', () => {
    expect(workerSource(join(outMain, 'cli.js'), outMain)).toEqual({ file: join(outMain, 'keyCryptoWorker.js'), eval: false })
    expect(workerSource(join(outMain, 'chunks', 'services-x.js'), join(outMain, 'chunks'))).toEqual({ file: join(outMain, 'keyCryptoWorker.js'), eval: false })
    expect(workerSource('/nowhere/x.js', '/nowhere')).toBeUndefined()
  })
  it('from the TypeScript sources: keyCryptoWorker.ts through the tsx hook', () => {
    const src = workerSource()
    expect(src).toMatchObject({ eval: true, entry: expect.stringMatching(/keyCryptoWorker\.ts$/) })
  })
})
