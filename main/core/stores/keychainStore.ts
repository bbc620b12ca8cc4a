/**
 * 키체인: Dojang's protected store. Each certificate bundle is sealed with AES-256-GCM under its own random data key
 * into `<dataDir>/keychain/<id>.bundle` (format: ./keychain/bundleFormat); the data key lives only in the OS keychain
 * (service `Dojang`, account `bundle/<id>`, base64). Bundles never go into the keychain itself: Windows caps a
 * credential at 2,560 bytes, and a key per certificate means deleting one credential makes exactly one file
 * unreadable, which is what `remove` relies on.
 *
 * A copy exists when both its credential and its file exist. Either one alone is an orphan (an interrupted write, a
 * credential deleted with another tool, a file restored from an old backup); `listWithOrphans` reports them and
 * `remove` clears them. Without a usable keychain every call fails with one clear error (details.reason
 * 'keychain-unavailable'); nothing is ever written in plaintext instead.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { DojangError, isDojangError, type ErrorCode } from '../../../common/errors'
import { atFaultPoints, mapFsError, readFileSafe, replaceFiles, writeFileAtomic } from '../fsx'
import { parseCertificate } from '../npki/certificate'
import { checkBundle, signCertOf } from './bundle'
import { isBundleId, MAX_PLAINTEXT_BYTES, newBundleId, newDataKey, openBundle, sealBundle, type BundleMeta, type DecodedBundle } from './keychain/bundleFormat'
import { KeytarSecretStore, keychainUnavailable, PROBE_ACCOUNT, type SecretStore } from './keychain/secretStore'
import type { BundleFile, CertBundle, CopyRef, Medium, ReplaceResult, Store, StoreCapabilities, StoredCopy, WriteOptions } from './types'

export { KeytarSecretStore, MemorySecretStore, type SecretStore, type SecretEntry } from './keychain/secretStore'
export type { BundleMeta } from './keychain/bundleFormat'

export const KEYCHAIN_SERVICE = 'Dojang'
export const KEYCHAIN_STORE_ID = 'keychain'
export const KEYCHAIN_LABEL = '키체인'
/** Folder under the data folder that holds the sealed bundles. */
export const KEYCHAIN_DIR = 'keychain'
/** A GUI unlock prompt waits for a person; anything slower than this is treated as no keychain at all. */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 60_000

const LOCATION_PREFIX = 'keychain:'
const ACCOUNT_PREFIX = 'bundle/'
const BUNDLE_SUFFIX = '.bundle'
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/ // exactly 32 bytes (DATA_KEY_BYTES)
const FILE_MODE = 0o600
const DIR_MODE = 0o700

export const bundleAccount = (id: string): string => `${ACCOUNT_PREFIX}${id}`
export const keychainLocation = (id: string): string => `${LOCATION_PREFIX}${id}`

/** The id in `keychain:<id>`; INVALID_INPUT for anything else, so a location can never name a path. */
export function parseKeychainLocation(location: string): string {
  const id = typeof location === 'string' && location.startsWith(LOCATION_PREFIX) ? location.slice(LOCATION_PREFIX.length) : ''
  if (!isBundleId(id)) throw new DojangError('INVALID_INPUT', 'This is not a 키체인 location.', { location: String(location) })
  return id
}

export interface KeychainCopy extends StoredCopy {
  id: string
  meta: BundleMeta
}

export type KeychainOrphan =
  /** The credential is gone: the file can never be opened again. */
  | { id: string; location: string; kind: 'file-without-key'; file: string }
  /** The file is gone (or a write stopped before it): the credential guards nothing. */
  | { id: string; location: string; kind: 'key-without-file'; account: string }
  /** Both are there but the file does not open (damaged, changed outside Dojang, key replaced). */
  | { id: string; location: string; kind: 'unreadable'; file: string; code: ErrorCode; message: string }

export interface KeychainListing {
  copies: KeychainCopy[]
  orphans: KeychainOrphan[]
}

export interface KeychainStoreOptions {
  /** Dojang's data folder; bundles go to `<dataDir>/keychain/`. */
  dataDir: string
  /** Default: keytar. */
  secrets?: SecretStore
  /** Per keychain call; default DEFAULT_KEYCHAIN_TIMEOUT_MS. */
  timeoutMs?: number
  /** Clock for `addedAt` (tests). */
  now?: () => Date
}

// Writes and removals run one at a time per keychain folder in this process: the duplicate check and the write that
// follows it must not interleave with another write of the same certificate.
const queues = new Map<string, Promise<unknown>>()
function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn)
  const tail = run.then(
    () => undefined,
    () => undefined,
  )
  queues.set(key, tail)
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key)
  })
  return run
}

export class KeychainStore implements Store {
  readonly medium: Medium = 'keychain'
  readonly id = KEYCHAIN_STORE_ID
  readonly label = KEYCHAIN_LABEL
  /** Bundles are sealed whole: key files are replaced by re-sealing the bundle under the same id (with a backup). */
  readonly capabilities: StoreCapabilities = { readKeys: true, write: true, replaceKeys: true, remove: true, secret: 'password' }
  /** `<dataDir>/keychain` */
  readonly dir: string
  private readonly secrets: SecretStore
  private readonly timeoutMs: number
  private readonly now: () => Date

  constructor(opts: KeychainStoreOptions) {
    this.dir = path.join(path.resolve(opts.dataDir), KEYCHAIN_DIR)
    this.secrets = opts.secrets ?? new KeytarSecretStore()
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS
    this.now = opts.now ?? (() => new Date())
  }

  owns(location: string): boolean {
    return typeof location === 'string' && location.startsWith(LOCATION_PREFIX)
  }

  fileFor(id: string): string {
    return path.join(this.dir, `${id}${BUNDLE_SUFFIX}`)
  }

  /** The readable copies. Orphans and damaged entries are left out (see listWithOrphans). */
  async list(opts: { signal?: AbortSignal } = {}): Promise<KeychainCopy[]> {
    return (await this.listWithOrphans(opts)).copies
  }

  /** Every bundle credential joined with every bundle file; one decryption per copy to read its names and metadata. */
  async listWithOrphans(opts: { signal?: AbortSignal } = {}): Promise<KeychainListing> {
    const { signal } = opts
    checkAborted(signal)
    const entries = await this.call('list', () => this.secrets.list(KEYCHAIN_SERVICE))
    const keys = new Map<string, string>()
    for (const e of entries) {
      const id = e.account.startsWith(ACCOUNT_PREFIX) ? e.account.slice(ACCOUNT_PREFIX.length) : ''
      if (isBundleId(id)) keys.set(id, e.secret)
    }
    const fileIds = await this.bundleFileIds()
    const copies: KeychainCopy[] = []
    const orphans: KeychainOrphan[] = []
    const withoutKey: string[] = []
    for (const id of fileIds) {
      checkAborted(signal)
      const secret = keys.get(id)
      if (secret === undefined) {
        withoutKey.push(id)
        continue
      }
      try {
        const decoded = await this.decode(id, secret)
        copies.push(this.copyOf(id, decoded))
      } catch (e) {
        if (isDojangError(e, 'NOT_FOUND')) continue // removed while we listed
        const err = isDojangError(e) ? e : new DojangError('INTERNAL', String(e))
        orphans.push({ id, location: keychainLocation(id), kind: 'unreadable', file: this.fileFor(id), code: err.code, message: err.message })
      }
    }
    if (withoutKey.length > 0) {
      // A locked keyring can answer "no such item" instead of failing; make sure it really works before telling the
      // user that these files lost their keys (they might then delete them).
      await this.confirmWritable('list')
      for (const id of withoutKey) orphans.push({ id, location: keychainLocation(id), kind: 'file-without-key', file: this.fileFor(id) })
    }
    const onDisk = new Set(fileIds)
    for (const id of [...keys.keys()].sort()) {
      if (!onDisk.has(id)) orphans.push({ id, location: keychainLocation(id), kind: 'key-without-file', account: bundleAccount(id) })
    }
    copies.sort((a, b) => a.meta.addedAt.localeCompare(b.meta.addedAt) || a.id.localeCompare(b.id))
    return { copies, orphans }
  }

  async read(location: string): Promise<CertBundle> {
    return { files: (await this.readWithMeta(location)).files }
  }

  /** read() plus the metadata stored with the copy. */
  async readWithMeta(location: string): Promise<DecodedBundle> {
    const id = parseKeychainLocation(location)
    const blob = await this.readBundleFile(id)
    const secret = await this.call('get', () => this.secrets.get(KEYCHAIN_SERVICE, bundleAccount(id)))
    if (secret === null) {
      await this.confirmWritable('get')
      throw new DojangError(
        'NOT_FOUND',
        'This 키체인 copy can no longer be opened: its key was removed from the OS keychain. Remove the leftover entry and copy the certificate again from another medium.',
        { reason: 'keychain-key-missing', location, id },
      )
    }
    return this.decodeBlob(id, secret, blob)
  }

  /**
   * Seals the bundle as a new entry. CONFLICT when a copy with the same issuer + serial is readable here already.
   * With `overwrite` that entry is sealed anew with the new files under its own id and data key; the replaced
   * sealed file is kept in `<opts.dataDir>/backups` and restores to a working copy.
   */
  async write(bundle: CertBundle, opts: WriteOptions): Promise<CopyRef> {
    const files = checkBundle(bundle)
    const cert = parseCertificate(signCertOf(files).data)
    const meta: BundleMeta = {
      subject: cert.subject,
      issuer: cert.issuer,
      serialNumberHex: cert.serialNumberHex,
      notAfter: cert.notAfter,
      addedAt: this.now().toISOString(),
    }
    return exclusive(this.dir, async () => {
      // Listing first also proves the keychain works before anything reaches the disk.
      const { copies } = await this.listWithOrphans()
      const same = copies.filter((c) => c.meta.issuer === meta.issuer && c.meta.serialNumberHex === meta.serialNumberHex)
      if (same.length > 0 && !opts.overwrite) {
        throw new DojangError('CONFLICT', 'This certificate is already in 키체인. Replace it, or keep the copy that is there.', {
          location: same[0]!.location,
        })
      }
      // Replace = the same entry sealed anew under its own data key, through fsx: the old sealed file becomes a
      // restorable backup (it still opens with that key), and the copy keeps its location.
      const old = same[0]
      if (old) {
        await this.resealInPlace(old.id, files, { dataDir: opts.dataDir, reason: 'write-certificate', meta })
        return { medium: this.medium, storeId: this.id, location: old.location, label: KEYCHAIN_LABEL }
      }
      const id = newBundleId()
      const file = this.fileFor(id)
      const key = newDataKey()
      try {
        const sealed = sealBundle(id, key, meta, files)
        await this.ensureDir()
        await writeFileAtomic(file, sealed, { mode: FILE_MODE })
        // The credential is the commit point: until it exists the file is unreadable noise, and if storing it fails
        // the file goes again.
        try {
          await this.call('set', () => this.secrets.set(KEYCHAIN_SERVICE, bundleAccount(id), key.toString('base64')))
        } catch (e) {
          await fsp.unlink(file).catch(() => undefined)
          throw e
        }
      } finally {
        key.fill(0)
      }
      return { medium: this.medium, storeId: this.id, location: keychainLocation(id), label: KEYCHAIN_LABEL }
    })
  }

  /**
   * Replaces the named files of one copy: the bundle is sealed anew under the same id and data key and swapped in
   * through fsx, so the change is all or nothing, the location stays, and the old sealed file is a backup that
   * restores to a working copy (`dojang backups restore`).
   */
  async replaceFiles(location: string, files: readonly BundleFile[], opts: { dataDir: string; reason: string }): Promise<ReplaceResult> {
    const id = parseKeychainLocation(location)
    return exclusive(this.dir, async () => {
      const current = await this.readWithMeta(location)
      const byName = new Map(files.map((f) => [f.name, f.data]))
      const merged = current.files.map((f) => ({ name: f.name, data: byName.get(f.name) ?? f.data }))
      for (const f of files) if (!current.files.some((c) => c.name === f.name)) merged.push({ name: f.name, data: f.data })
      const backupId = await this.resealInPlace(id, checkBundle({ files: merged }), { dataDir: opts.dataDir, reason: opts.reason, meta: current.meta })
      return { backupId, location }
    })
  }

  /** Seals `files` under an existing id with its data key and swaps the file in through fsx (journal + backup). */
  private async resealInPlace(id: string, files: readonly BundleFile[], opts: { dataDir: string; reason: string; meta: BundleMeta }): Promise<string> {
    const secret = await this.call('get', () => this.secrets.get(KEYCHAIN_SERVICE, bundleAccount(id)))
    if (secret === null || !BASE64_KEY.test(secret)) {
      throw new DojangError('NOT_FOUND', 'This 키체인 copy can no longer be opened: its key was removed from the OS keychain.', { location: keychainLocation(id) })
    }
    const key = Buffer.from(secret, 'base64')
    try {
      const sealed = sealBundle(id, key, opts.meta, files)
      const { backupId } = await replaceFiles(opts.dataDir, [{ path: this.fileFor(id), data: sealed }], { reason: opts.reason })
      return backupId
    } finally {
      key.fill(0)
    }
  }

  /**
   * Deletes the credential first (from then on the file is unreadable), then the file. Works on orphans too.
   * NOT_FOUND when neither exists. `opts.dataDir` is not used: the copy lives in this store's data folder.
   */
  async remove(location: string, _opts?: { dataDir: string }): Promise<void> {
    const id = parseKeychainLocation(location)
    await exclusive(this.dir, async () => {
      if (!(await this.removeId(id))) {
        throw new DojangError('NOT_FOUND', 'This 키체인 copy is already gone.', { location, id })
      }
    })
  }

  private async removeId(id: string): Promise<boolean> {
    const hadKey = await this.call('delete', () => this.secrets.delete(KEYCHAIN_SERVICE, bundleAccount(id)))
    // A locked keyring answers "nothing to delete" too; removing the file then would leave the credential behind
    // while reporting success.
    if (!hadKey) await this.confirmWritable('delete')
    const file = this.fileFor(id)
    let hadFile = true
    try {
      await atFaultPoints('unlink', file, () => fsp.unlink(file))
    } catch (e) {
      const err = mapFsError(e, file, 'remove the 키체인 copy')
      if (err.code !== 'NOT_FOUND') throw err
      hadFile = false
    }
    return hadKey || hadFile
  }

  /** Proves the keychain accepts changes (see KeytarSecretStore.list for why absence alone proves nothing). */
  private async confirmWritable(operation: string): Promise<void> {
    await this.call(operation, async () => {
      await this.secrets.set(KEYCHAIN_SERVICE, PROBE_ACCOUNT, 'probe')
      await this.secrets.delete(KEYCHAIN_SERVICE, PROBE_ACCOUNT)
    })
  }

  /** One keychain call, bounded in time; any failure becomes the keychain-unavailable error. */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            keychainUnavailable('IO_ERROR', operation, this.secrets.backend, new Error(`no answer within ${this.timeoutMs} ms`), 'the keychain did not answer in time'),
          ),
        this.timeoutMs,
      )
    })
    try {
      return await Promise.race([fn(), timeout])
    } catch (e) {
      throw keychainUnavailable(undefined, operation, this.secrets.backend, e)
    } finally {
      clearTimeout(timer)
    }
  }

  private async bundleFileIds(): Promise<string[]> {
    let names: string[]
    try {
      names = await fsp.readdir(this.dir)
    } catch (e) {
      const err = mapFsError(e, this.dir, 'read the 키체인 folder')
      if (err.code === 'NOT_FOUND') return []
      throw err
    }
    // Temps of interrupted writes (.<id>.bundle.dojang-….tmp) and anything else are not entries.
    return names
      .filter((n) => n.endsWith(BUNDLE_SUFFIX) && isBundleId(n.slice(0, -BUNDLE_SUFFIX.length)))
      .map((n) => n.slice(0, -BUNDLE_SUFFIX.length))
      .sort()
  }

  private async readBundleFile(id: string): Promise<Uint8Array> {
    try {
      return await readFileSafe(this.fileFor(id), MAX_PLAINTEXT_BYTES + 1024)
    } catch (e) {
      if (isDojangError(e, 'NOT_FOUND')) {
        throw new DojangError('NOT_FOUND', 'This 키체인 copy is gone: its file is missing from the data folder.', {
          reason: 'keychain-file-missing',
          location: keychainLocation(id),
          id,
        }, { cause: e })
      }
      throw e
    }
  }

  private async decode(id: string, secret: string): Promise<DecodedBundle> {
    return this.decodeBlob(id, secret, await this.readBundleFile(id))
  }

  private decodeBlob(id: string, secret: string, blob: Uint8Array): DecodedBundle {
    if (!BASE64_KEY.test(secret)) {
      throw new DojangError('CORRUPT_FILE', 'The key kept in the OS keychain for this 키체인 copy is not a Dojang data key; the copy cannot be opened.', {
        reason: 'keychain-key-invalid',
        location: keychainLocation(id),
      })
    }
    const key = Buffer.from(secret, 'base64')
    try {
      return openBundle(id, key, blob)
    } catch (e) {
      if (isDojangError(e)) throw new DojangError(e.code, e.message, { ...e.details, location: keychainLocation(id) }, { cause: e })
      throw e
    } finally {
      key.fill(0)
    }
  }

  private copyOf(id: string, decoded: DecodedBundle): KeychainCopy {
    return {
      medium: this.medium,
      storeId: this.id,
      location: keychainLocation(id),
      label: KEYCHAIN_LABEL,
      fileNames: decoded.files.map((f) => f.name),
      id,
      meta: decoded.meta,
    }
  }

  private async ensureDir(): Promise<void> {
    try {
      await fsp.mkdir(this.dir, { recursive: true, mode: DIR_MODE })
      // The umask can only narrow the mode; chmod makes the folder private even if it existed with wider bits.
      if (process.platform !== 'win32') await fsp.chmod(this.dir, DIR_MODE)
    } catch (e) {
      throw mapFsError(e, this.dir, 'create the 키체인 folder')
    }
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DojangError('CANCELLED', 'Listing 키체인 was cancelled.')
}
