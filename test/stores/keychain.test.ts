/**
 * The keychain medium against a real Secret Service: a private D-Bus session and gnome-keyring-daemon started by the
 * harness (test/support/secretService.ts), never a mock of keytar. Situations without a usable keychain run in
 * child processes, because libsecret binds a process to one bus for good.
 */
import { spawnSync } from 'node:child_process'
import { chmod, mkdir, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DojangError, isDojangError } from '../../common/errors'
import { parseCertificate } from '../../main/core/npki/certificate'
import { listBackups, restoreBackup } from '../../main/core/fsx'
import { FORMAT_VERSION, MAGIC } from '../../main/core/stores/keychain/bundleFormat'
import {
  KEYCHAIN_LABEL,
  KEYCHAIN_SERVICE,
  KeychainStore,
  KeytarSecretStore,
  MemorySecretStore,
  bundleAccount,
  parseKeychainLocation,
  type SecretStore,
} from '../../main/core/stores/keychainStore'
import type { CertBundle } from '../../main/core/stores/types'
import { hongBundle as fixtureBundle, HONG_DIR, tempDir } from '../support/fixtures'
import { startSecretService, type SecretService } from '../support/secretService'

const ROOT = join(__dirname, '..', '..')
const STORE_MODULE = join(ROOT, 'main', 'core', 'stores', 'keychainStore.ts')
const ADDED_AT = new Date('2026-03-01T09:00:00.000Z')

const hongBundle = (extra: { name: string; data: Uint8Array }[] = []): CertBundle => fixtureBundle({ extra })

async function caught(p: Promise<unknown>): Promise<DojangError> {
  try {
    await p
  } catch (e) {
    if (e instanceof DojangError) return e
    throw e
  }
  throw new Error('expected a DojangError')
}

const byName = (b: CertBundle) => new Map(b.files.map((f) => [f.name, Buffer.from(f.data).toString('hex')]))

describe.skipIf(process.platform !== 'linux')('keychain store on a real Secret Service (gnome-keyring)', () => {
  let ss: SecretService
  let keytar: KeytarSecretStore
  let data: { dir: string; cleanup: () => Promise<void> }
  let store: KeychainStore

  beforeAll(async () => {
    ss = await startSecretService()
    ss.useInThisProcess()
    keytar = new KeytarSecretStore()
  })
  afterAll(async () => {
    await ss?.stop()
  })
  beforeEach(async () => {
    data = await tempDir('dojang-keychain-')
    store = new KeychainStore({ dataDir: data.dir, secrets: keytar, timeoutMs: 20_000, now: () => ADDED_AT })
  })
  afterEach(async () => {
    // One keyring serves the whole file; each test starts from an empty Dojang service.
    for (const e of await keytar.list(KEYCHAIN_SERVICE)) await keytar.delete(KEYCHAIN_SERVICE, e.account)
    await data.cleanup()
  })

  /** Accounts of the Dojang service as secret-tool (libsecret-tools, a separate client) sees them. */
  function accountsInKeyring(): string[] {
    const r = ss.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE])
    // secret-tool prints attributes on stderr and exits 1 when nothing matches.
    const text = `${r.stdout}\n${r.stderr}`
    return [...text.matchAll(/^attribute\.account = (.+)$/gm)].map((m) => m[1]!.trim()).sort()
  }

  it('writes, lists and reads back a certificate folder byte for byte, with Korean metadata', async () => {
    const memo = { name: '메모.txt', data: new Uint8Array(Buffer.from('홍길동 인증서 — 은행용', 'utf8')) }
    const empty = { name: 'CaPubs', data: new Uint8Array(0) }
    const bundle = hongBundle([memo, empty])
    const ref = await store.write(bundle, { dataDir: data.dir })
    expect(ref).toMatchObject({ medium: 'keychain', storeId: 'keychain', label: KEYCHAIN_LABEL })
    const id = parseKeychainLocation(ref.location)

    const copies = await store.list()
    expect(copies).toHaveLength(1)
    const cert = parseCertificate(bundle.files.find((f) => f.name === 'signCert.der')!.data)
    expect(copies[0]).toMatchObject({
      id,
      location: ref.location,
      medium: 'keychain',
      label: '키체인',
      meta: { subject: cert.subject, issuer: cert.issuer, serialNumberHex: cert.serialNumberHex, notAfter: cert.notAfter, addedAt: ADDED_AT.toISOString() },
    })
    expect(copies[0]!.meta.subject).toContain('홍길동')
    expect([...copies[0]!.fileNames].sort()).toEqual(bundle.files.map((f) => f.name).sort())

    const back = await store.read(ref.location)
    expect(back.files.map((f) => f.name)).toEqual(bundle.files.map((f) => f.name))
    expect(byName(back)).toEqual(byName(bundle))
    expect((await store.readWithMeta(ref.location)).meta.subject).toBe(cert.subject)

    // Private to the user, like every key file Dojang writes.
    expect((await stat(store.fileFor(id))).mode & 0o777).toBe(0o600)
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700)
    expect(await readdir(store.dir)).toEqual([`${id}.bundle`])
  })

  it('keeps the data key in the real keyring and nothing readable in the file', async () => {
    const bundle = hongBundle()
    const { location } = await store.write(bundle, { dataDir: data.dir })
    const id = parseKeychainLocation(location)

    const r = ss.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE])
    expect(r.status).toBe(0)
    expect(accountsInKeyring()).toEqual([bundleAccount(id)])
    // The secret is a 32-byte key in base64, nothing bigger (Windows caps a credential at 2,560 bytes).
    const secrets = [...r.stdout.matchAll(/^secret = (.*)$/gm)].map((m) => m[1]!)
    expect(secrets).toHaveLength(1)
    expect(secrets[0]).toMatch(/^[A-Za-z0-9+/]{43}=$/)

    const onDisk = await readFile(store.fileFor(id))
    expect(onDisk.subarray(0, 4).equals(MAGIC)).toBe(true)
    expect(onDisk[4]).toBe(FORMAT_VERSION)
    expect(onDisk.subarray(6, 6 + 32).toString('ascii')).toBe(id)
    for (const f of bundle.files) {
      expect(onDisk.includes(Buffer.from(f.data)), `${f.name} in clear`).toBe(false)
      // Not even a 16-byte piece of a certificate or key.
      for (let i = 0; i + 16 <= f.data.length; i += 16) {
        expect(onDisk.includes(Buffer.from(f.data.subarray(i, i + 16))), `${f.name}@${i} in clear`).toBe(false)
      }
    }
    for (const text of ['홍길동', 'testsign', 'TESTBANK', 'signCert.der']) expect(onDisk.includes(Buffer.from(text, 'utf8'))).toBe(false)
  })

  it('refuses a second copy of the same certificate, and replaces it only when asked', async () => {
    const first = await store.write(hongBundle(), { dataDir: data.dir })
    const dup = await caught(store.write(hongBundle(), { dataDir: data.dir }))
    expect(dup.code).toBe('CONFLICT')
    expect(dup.details.location).toBe(first.location)
    expect(await store.list()).toHaveLength(1)

    // Replacing keeps the entry (same id and data key) and keeps the replaced bundle as a restorable backup.
    const second = await store.write(hongBundle([{ name: 'extra.txt', data: new Uint8Array([1, 2, 3]) }]), { dataDir: data.dir, overwrite: true })
    expect(second.location).toBe(first.location)
    const copies = await store.list()
    expect(copies.map((c) => c.location)).toEqual([second.location])
    expect(copies[0]!.fileNames).toContain('extra.txt')
    expect(accountsInKeyring()).toEqual([bundleAccount(parseKeychainLocation(second.location))])
    expect((await store.listWithOrphans()).orphans).toEqual([])
    const backups = await listBackups(data.dir)
    expect(backups.map((b) => b.reason)).toEqual(['write-certificate'])
    await restoreBackup(data.dir, backups[0]!.backupId)
    expect((await store.read(first.location)).files.map((f) => f.name)).not.toContain('extra.txt')
  })

  it('replaces key files in place all or nothing, with a backup that restores the old ones', async () => {
    const { location } = await store.write(hongBundle(), { dataDir: data.dir })
    const before = await store.read(location)
    const r = await store.replaceFiles(location, [{ name: 'signPri.key', data: new Uint8Array([9, 9, 9]) }], { dataDir: data.dir, reason: 'change-password' })
    expect(r.location).toBe(location)
    const after = await store.read(location)
    expect(after.files.find((f) => f.name === 'signPri.key')!.data).toEqual(new Uint8Array([9, 9, 9]))
    expect(after.files.filter((f) => f.name !== 'signPri.key')).toEqual(before.files.filter((f) => f.name !== 'signPri.key'))
    await restoreBackup(data.dir, r.backupId)
    expect((await store.read(location)).files).toEqual(before.files)
  })

  it('lets only one of two simultaneous writes of one certificate through', async () => {
    const results = await Promise.allSettled([store.write(hongBundle(), { dataDir: data.dir }), store.write(hongBundle(), { dataDir: data.dir })])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(isDojangError(rejected.reason, 'CONFLICT')).toBe(true)
    expect(await store.list()).toHaveLength(1)
  })

  it('remove takes the credential out of the keyring and the file off the disk', async () => {
    const { location } = await store.write(hongBundle(), { dataDir: data.dir })
    const id = parseKeychainLocation(location)
    expect(accountsInKeyring()).toEqual([bundleAccount(id)])

    await store.remove(location, { dataDir: data.dir })
    expect(accountsInKeyring()).toEqual([])
    expect(await readdir(store.dir)).toEqual([])
    expect(await store.listWithOrphans()).toEqual({ copies: [], orphans: [] })
    expect((await caught(store.read(location))).code).toBe('NOT_FOUND')
    expect((await caught(store.remove(location, { dataDir: data.dir }))).code).toBe('NOT_FOUND')
  })

  it('a file whose credential was deleted (here with secret-tool) fails to read with a typed error and is listed as an orphan', async () => {
    const { location } = await store.write(hongBundle(), { dataDir: data.dir })
    const id = parseKeychainLocation(location)
    expect(ss.secretTool(['clear', 'service', KEYCHAIN_SERVICE, 'account', bundleAccount(id)]).status).toBe(0)

    const err = await caught(store.read(location))
    expect(err.code).toBe('NOT_FOUND')
    expect(err.details).toMatchObject({ reason: 'keychain-key-missing', id })
    expect(await store.list()).toEqual([])
    expect((await store.listWithOrphans()).orphans).toEqual([{ id, location, kind: 'file-without-key', file: store.fileFor(id) }])

    // remove clears the leftover file.
    await store.remove(location, { dataDir: data.dir })
    expect(await store.listWithOrphans()).toEqual({ copies: [], orphans: [] })
    expect(await readdir(store.dir)).toEqual([])
  })

  it('a credential whose file is gone is listed as an orphan and removed from the keyring on request', async () => {
    const { location } = await store.write(hongBundle(), { dataDir: data.dir })
    const id = parseKeychainLocation(location)
    await unlink(store.fileFor(id))

    expect(await caught(store.read(location))).toMatchObject({ code: 'NOT_FOUND', details: { reason: 'keychain-file-missing' } })
    expect((await store.listWithOrphans()).orphans).toEqual([{ id, location, kind: 'key-without-file', account: bundleAccount(id) }])
    await store.remove(location, { dataDir: data.dir })
    expect(accountsInKeyring()).toEqual([])
    expect(await store.listWithOrphans()).toEqual({ copies: [], orphans: [] })
  })

  it('a tampered or swapped file is CORRUPT_FILE, and the copy opens again once the bytes are restored', async () => {
    const { location } = await store.write(hongBundle(), { dataDir: data.dir })
    const id = parseKeychainLocation(location)
    const file = store.fileFor(id)
    const original = await readFile(file)
    const flip = (at: number) => {
      const b = Buffer.from(original)
      b[at] = b[at]! ^ 0x01
      return b
    }
    const variants: Record<string, Buffer> = {
      'ciphertext byte': flip(200),
      'tag byte': flip(original.length - 1),
      'nonce byte': flip(6 + 32 + 3),
      'id byte': flip(6),
      'version byte': flip(4),
      'magic byte': flip(0),
      'cut short': original.subarray(0, original.length - 20),
      'header only': original.subarray(0, 50),
      empty: Buffer.alloc(0),
      'extra byte': Buffer.concat([original, Buffer.from([0])]),
    }
    for (const [what, bytes] of Object.entries(variants)) {
      await writeFile(file, bytes)
      const err = await caught(store.read(location))
      expect(err.code, what).toBe('CORRUPT_FILE')
      const { copies, orphans } = await store.listWithOrphans()
      expect(copies, what).toEqual([])
      expect(orphans, what).toMatchObject([{ id, kind: 'unreadable', code: 'CORRUPT_FILE' }])
    }

    // A valid file of another entry (same keyring, another data folder) under this name: its header names its own id.
    const other = await tempDir('dojang-keychain-other-')
    try {
      const store2 = new KeychainStore({ dataDir: other.dir, secrets: keytar })
      const ref2 = await store2.write(hongBundle(), { dataDir: other.dir })
      await writeFile(file, await readFile(store2.fileFor(parseKeychainLocation(ref2.location))))
      expect(await caught(store.read(location))).toMatchObject({ code: 'CORRUPT_FILE' })
    } finally {
      await other.cleanup()
    }

    await writeFile(file, original)
    expect(byName(await store.read(location))).toEqual(byName(hongBundle()))
  })

  it('a wrong or malformed data key in the keyring is CORRUPT_FILE', async () => {
    const { location } = await store.write(hongBundle(), { dataDir: data.dir })
    const account = bundleAccount(parseKeychainLocation(location))
    const right = await keytar.get(KEYCHAIN_SERVICE, account)

    await keytar.set(KEYCHAIN_SERVICE, account, Buffer.alloc(32, 0xab).toString('base64'))
    expect(await caught(store.read(location))).toMatchObject({ code: 'CORRUPT_FILE', details: { reason: 'keychain-bundle-unauthentic' } })
    await keytar.set(KEYCHAIN_SERVICE, account, 'not a key')
    expect(await caught(store.read(location))).toMatchObject({ code: 'CORRUPT_FILE', details: { reason: 'keychain-key-invalid' } })

    await keytar.set(KEYCHAIN_SERVICE, account, right!)
    expect(byName(await store.read(location))).toEqual(byName(hongBundle()))
  })

  it('refuses bad input before touching the keychain or the disk', async () => {
    const noCert = { files: hongBundle().files.filter((f) => f.name !== 'signCert.der') }
    expect((await caught(store.write(noCert, { dataDir: data.dir }))).code).toBe('MISSING_FILE')
    const badName = hongBundle([{ name: '../escape', data: new Uint8Array([1]) }])
    expect((await caught(store.write(badName, { dataDir: data.dir }))).code).toBe('INVALID_INPUT')
    const notCert = { files: [{ name: 'signCert.der', data: new Uint8Array([1, 2, 3]) }] }
    expect((await caught(store.write(notCert, { dataDir: data.dir }))).code).toBe('CORRUPT_FILE')
    for (const loc of ['keychain:../../etc/passwd', '/home/u/NPKI', 'keychain:', `keychain:${'A'.repeat(32)}`]) {
      expect((await caught(store.read(loc))).code, loc).toBe('INVALID_INPUT')
      expect((await caught(store.remove(loc, { dataDir: data.dir }))).code, loc).toBe('INVALID_INPUT')
    }
    expect(accountsInKeyring()).toEqual([])
    await expect(stat(store.dir)).rejects.toThrow()
  })

  it('ignores temp files of interrupted writes and stops when cancelled', async () => {
    const { location } = await store.write(hongBundle(), { dataDir: data.dir })
    await writeFile(join(store.dir, `.${parseKeychainLocation(location)}.bundle.dojang-0123456789ab.tmp`), 'partial')
    await writeFile(join(store.dir, 'notes.txt'), 'not an entry')
    expect((await store.listWithOrphans()).orphans).toEqual([])
    expect(await store.list()).toHaveLength(1)
    const ac = new AbortController()
    ac.abort()
    expect((await caught(store.list({ signal: ac.signal }))).code).toBe('CANCELLED')
  })

  // Root reads any folder, so this needs an ordinary user.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable keychain folder as a file-system error, not as an empty keychain', async () => {
    await store.write(hongBundle(), { dataDir: data.dir })
    await chmod(store.dir, 0o000)
    try {
      expect((await caught(store.list())).code).toBe('PERMISSION_DENIED')
    } finally {
      await chmod(store.dir, 0o700)
    }
  })

  describe('without a usable keychain', () => {
    /** Runs list/read/write/remove of the real store in a fresh node with only `env`; returns what each threw. */
    function runChild(env: Record<string, string>, location: string) {
      const script = `
        const { KeychainStore } = require(${JSON.stringify(STORE_MODULE)})
        const { readdirSync, readFileSync } = require('node:fs')
        const { join } = require('node:path')
        const dataDir = ${JSON.stringify(data.dir)}
        const hong = ${JSON.stringify(HONG_DIR)}
        const location = ${JSON.stringify(location)}
        const files = readdirSync(hong).map((name) => ({ name, data: new Uint8Array(readFileSync(join(hong, name))) }))
        const store = new KeychainStore({ dataDir, timeoutMs: 10000 })
        const ops = {
          list: () => store.list(),
          read: () => store.read(location),
          write: () => store.write({ files }, { dataDir }),
          remove: () => store.remove(location, { dataDir }),
        }
        ;(async () => {
          const out = []
          for (const [op, fn] of Object.entries(ops)) {
            try { await fn(); out.push({ op, ok: true }) }
            catch (e) { out.push({ op, code: e.code, reason: e.details && e.details.reason, message: e.message }) }
          }
          process.stdout.write(JSON.stringify(out))
        })()`
      const started = Date.now()
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 })
      return { ...r, ms: Date.now() - started }
    }

    async function expectCleanRefusal(env: Record<string, string>, codes: string[]) {
      const { location } = await store.write(hongBundle(), { dataDir: data.dir })
      const before = await readdir(store.dir)
      const r = runChild(env, location)
      // Exit 0: no crash (keytar's findCredentials segfaults on a locked keyring unless guarded) and no hang.
      expect(r.error, r.stderr).toBeUndefined()
      expect(r.status, r.stderr).toBe(0)
      expect(r.ms).toBeLessThan(30_000)
      const results = JSON.parse(r.stdout) as { op: string; ok?: boolean; code?: string; reason?: string; message?: string }[]
      expect(results.map((x) => x.op)).toEqual(['list', 'read', 'write', 'remove'])
      for (const x of results) {
        expect(x.ok, x.op).toBeUndefined()
        expect(codes, `${x.op}: ${x.code}`).toContain(x.code)
        expect(x.reason, x.op).toBe('keychain-unavailable')
        expect(x.message).toMatch(/keychain/i)
      }
      // Nothing was written instead (no plaintext fallback) and nothing was removed.
      expect(await readdir(store.dir)).toEqual(before)
      expect(byName(await store.read(location))).toEqual(byName(hongBundle()))
      return results
    }

    async function isolatedEnv(): Promise<Record<string, string>> {
      const runtime = join(data.dir, 'child-run')
      await mkdir(runtime, { recursive: true, mode: 0o700 })
      // Built from scratch: this process's own DBUS_SESSION_BUS_ADDRESS points at the working test keyring.
      return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: data.dir, LANG: 'C.UTF-8', XDG_RUNTIME_DIR: runtime }
    }

    it('no session bus at all (no address, no X11 display): a clear IO_ERROR, quickly', async () => {
      const results = await expectCleanRefusal(await isolatedEnv(), ['IO_ERROR'])
      expect(results[0]!.message).toMatch(/Secret Service/)
    })

    it('a bus address that points at a dead socket: the same clear error', async () => {
      await expectCleanRefusal({ ...(await isolatedEnv()), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(data.dir, 'no-such-bus')}` }, ['IO_ERROR'])
    })

    it('a keyring that was never created (its creation needs a prompt nobody can answer): a clear IO_ERROR', async () => {
      const fresh = await startSecretService({ unlock: false })
      try {
        await expectCleanRefusal({ PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...fresh.env }, ['IO_ERROR'])
      } finally {
        await fresh.stop()
      }
    })

    it('a locked keyring that holds Dojang items: PERMISSION_DENIED instead of a keytar segfault', async () => {
      // First daemon: creates the login keyring and puts a Dojang-shaped item in it. Second daemon on the same
      // files, started without --unlock: the keyring and its item exist but are locked. keytar's findCredentials
      // would crash the process on that item (atom/node-keytar#477); the store must refuse cleanly instead.
      const home = join(data.dir, 'keyring-home')
      const first = await startSecretService({ home })
      try {
        const r = first.secretTool(['store', '--label=locked item', 'service', KEYCHAIN_SERVICE, 'account', bundleAccount('f'.repeat(32))], 'x'.repeat(44))
        expect(r.status, r.stderr).toBe(0)
      } finally {
        await first.stop()
      }
      const locked = await startSecretService({ home, unlock: false })
      try {
        await expectCleanRefusal({ PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...locked.env }, ['PERMISSION_DENIED'])
      } finally {
        await locked.stop()
      }
    })

    it('the native module cannot be loaded: the same clear error, nothing on disk', async () => {
      const broken = new KeychainStore({
        dataDir: data.dir,
        secrets: new KeytarSecretStore({ load: () => Promise.reject(new Error("Cannot find module 'keytar'")) }),
      })
      for (const p of [broken.list(), broken.write(hongBundle(), { dataDir: data.dir })]) {
        const err = await caught(p)
        expect(err).toMatchObject({ code: 'IO_ERROR', details: { reason: 'keychain-unavailable', backend: 'keytar' } })
        expect(err.details.systemMessage).toMatch(/Cannot find module/)
      }
      await expect(stat(broken.dir)).rejects.toThrow()
    })

    it('a keychain that never answers: bounded by the timeout', async () => {
      const never = () => new Promise<never>(() => undefined)
      const silent: SecretStore = { backend: 'silent', get: never, set: never, delete: never, list: never }
      const slow = new KeychainStore({ dataDir: data.dir, secrets: silent, timeoutMs: 300 })
      const started = Date.now()
      const err = await caught(slow.write(hongBundle(), { dataDir: data.dir }))
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(err).toMatchObject({ code: 'IO_ERROR', details: { reason: 'keychain-unavailable', backend: 'silent', operation: 'list' } })
      await expect(stat(slow.dir)).rejects.toThrow()
    })
  })
})

// The port contract, without any keyring: what a future adapter (safeStorage, @napi-rs/keyring) must satisfy.
describe('keychain store over the in-memory SecretStore', () => {
  it('round-trips, detects orphans and removes, like over keytar', async () => {
    const data = await tempDir('dojang-keychain-mem-')
    try {
      const secrets = new MemorySecretStore()
      const store = new KeychainStore({ dataDir: data.dir, secrets })
      const { location } = await store.write(hongBundle(), { dataDir: data.dir })
      expect(byName(await store.read(location))).toEqual(byName(hongBundle()))
      expect((await secrets.list(KEYCHAIN_SERVICE)).map((e) => e.account)).toEqual([bundleAccount(parseKeychainLocation(location))])
      await secrets.delete(KEYCHAIN_SERVICE, bundleAccount(parseKeychainLocation(location)))
      expect((await store.listWithOrphans()).orphans).toMatchObject([{ kind: 'file-without-key', location }])
      await store.remove(location, { dataDir: data.dir })
      expect(await store.listWithOrphans()).toEqual({ copies: [], orphans: [] })
      // The probe that proves the keychain writable leaves nothing behind.
      expect(await secrets.list(KEYCHAIN_SERVICE)).toEqual([])
    } finally {
      await data.cleanup()
    }
  })
})
