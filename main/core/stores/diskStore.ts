/**
 * One NPKI root on a fixed disk or a removable volume (npki-format.md §1–§3): `<root>/<CA>/USER/<DN>/signCert.der`.
 *
 * Writing never leaves a half-written certificate folder at its real name:
 * - a new folder is built under a hidden staging name beside it (`.new.dojang-<hex>.tmp`, which the scanner knows
 *   as a Dojang temp name), every file written and fsynced there, then the whole folder is renamed into place —
 *   one atomic rename, so readers see no folder or the complete one; a crash leaves only the hidden staging folder;
 * - replacing an existing folder (overwrite) goes through fsx.replaceFiles: all-or-nothing, journaled, and the
 *   replaced files are kept in Dojang's backups (never inside the NPKI tree);
 * - removing deletes the files through replaceFiles too, so they are backed up before they go.
 * Symlinks inside the root are never followed (a link may loop or lead into another user's files).
 */
import { randomBytes } from 'node:crypto'
import { existsSync, promises as fsp, readdirSync, type Dirent } from 'node:fs'
import path from 'node:path'
import { DojangError, isDojangError } from '../../../common/errors'
import { isDojangTempName, mapFsError, readFileSafe, replaceFiles, writeFileAtomic, type FileChange } from '../fsx'
import { parseCertificate, type CertificateInfo } from '../npki/certificate'
import { caFolderName, dnFolderName } from '../npki/dnFolder'
import { checkBundle, foldName, isSignCertName, isUserFolderName, MAX_BUNDLE_FILE_BYTES, MAX_BUNDLE_FILES, signCertOf } from './bundle'
import { errnoOf as errno, makeDir, renameWithRetry, syncDir } from './dirs'
import type { BundleFile, CertBundle, CopyRef, ReplaceResult, Store, StoreCapabilities, StoredCopy, WriteOptions } from './types'

export type DiskMedium = 'disk' | 'removable'

export interface DiskStoreOptions {
  medium?: DiskMedium
  /** Shown to people; defaults to the root path. */
  label?: string
  /** Told about every entry that `list` skipped (unreadable folder, …), so a scanner can report it. */
  onSkip?: (entryPath: string, error: DojangError) => void
}

const DIR_MODE = 0o700
const FILE_MODE = 0o600

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DojangError('CANCELLED', 'Listing the certificates was cancelled.')
}

function certFacts(cert: CertificateInfo): Record<string, string> {
  return { serial: cert.serialNumberHex, notBefore: cert.notBefore, notAfter: cert.notAfter, subject: cert.subject, issuer: cert.issuer }
}

export class DiskStore implements Store {
  readonly medium: DiskMedium
  /** The root path: stable for one root, and what the inventory records as the store of a copy. */
  readonly id: string
  readonly root: string
  readonly label: string
  readonly capabilities: StoreCapabilities = { readKeys: true, write: true, replaceKeys: true, remove: true, secret: 'password' }
  private readonly onSkip: ((entryPath: string, error: DojangError) => void) | undefined

  constructor(root: string, opts: DiskStoreOptions = {}) {
    if (typeof root !== 'string' || !path.isAbsolute(root)) {
      throw new DojangError('INVALID_INPUT', 'An NPKI folder must be given as an absolute path.', { root: String(root) })
    }
    this.root = path.resolve(root)
    this.id = this.root
    this.medium = opts.medium ?? 'disk'
    this.label = opts.label ?? this.root
    this.onSkip = opts.onSkip
  }

  /**
   * The store of a certificate folder named by hand (the CLI): `<root>/<CA>/USER/<DN>` names its own root. A folder
   * that is not laid out like that is refused: Dojang only reads and writes certificate folders it can place.
   */
  static forFolder(folder: string, opts: DiskStoreOptions = {}): DiskStore {
    const dir = path.resolve(folder)
    const userDir = path.dirname(dir)
    if (!isUserFolderName(path.basename(userDir))) {
      if (!existsSync(dir)) throw new DojangError('NOT_FOUND', `${dir} does not exist.`, { location: dir })
      if (!readdirSync(dir).some(isSignCertName)) throw new DojangError('NOT_FOUND', `There is no certificate (signCert.der) in ${dir}.`, { location: dir })
      throw new DojangError('INVALID_INPUT', 'Dojang works with certificate folders laid out as <NPKI folder>/<CA>/USER/<name>; this one is elsewhere. Copy its files into an NPKI folder first.', { location: dir })
    }
    return new DiskStore(path.dirname(path.dirname(userDir)), opts)
  }

  /** A folder below this root (absolute paths only: anything else is another store's spelling). */
  owns(location: string): boolean {
    if (typeof location !== 'string' || !path.isAbsolute(location)) return false
    const rel = path.relative(this.root, path.resolve(location))
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
  }

  private ref(location: string): CopyRef {
    return { medium: this.medium, storeId: this.id, location, label: this.label }
  }

  // ---- list ----

  /** Entries of a folder below the root; a problem is reported to onSkip and yields nothing. */
  private async entriesOrSkip(dir: string): Promise<Dirent[]> {
    try {
      return await fsp.readdir(dir, { withFileTypes: true })
    } catch (e) {
      this.onSkip?.(dir, mapFsError(e, dir, 'read the folder'))
      return []
    }
  }

  /** Real sub-folders only: Dirent.isDirectory() is false for a symlink, so links are never followed. */
  private async subdirs(dir: string): Promise<string[]> {
    return (await this.entriesOrSkip(dir))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
  }

  async list(opts: { signal?: AbortSignal } = {}): Promise<StoredCopy[]> {
    const { signal } = opts
    throwIfAborted(signal)
    try {
      const st = await fsp.stat(this.root)
      if (!st.isDirectory()) return []
    } catch (e) {
      // No NPKI folder here is the common case, not an error.
      if (['ENOENT', 'ENOTDIR'].includes(errno(e) ?? '')) return []
      throw mapFsError(e, this.root, 'read the NPKI folder')
    }
    const out: StoredCopy[] = []
    // The layout has a fixed depth (CA/USER/DN), so even a symlink loop could not make this walk run away.
    for (const ca of await this.subdirs(this.root)) {
      throwIfAborted(signal)
      const caDir = path.join(this.root, ca)
      for (const user of await this.subdirs(caDir)) {
        if (!isUserFolderName(user)) continue
        for (const dn of await this.subdirs(path.join(caDir, user))) {
          throwIfAborted(signal)
          if (isDojangTempName(dn)) continue // a staging folder of an interrupted write
          const dir = path.join(caDir, user, dn)
          const files = (await this.entriesOrSkip(dir)).filter((e) => e.isFile()).map((e) => e.name)
          if (!files.some(isSignCertName)) continue
          out.push({ ...this.ref(dir), fileNames: files.sort() })
        }
      }
    }
    return out
  }

  // ---- read ----

  /**
   * Checks that `location` is `<root>/<CA>/<USER>/<DN>` made of real folders (no links), and returns it resolved.
   * Anything else is refused, so a caller cannot make the store read or delete outside its root.
   */
  private async certDir(location: string): Promise<string> {
    const abs = typeof location === 'string' && path.isAbsolute(location) ? path.resolve(location) : ''
    const rel = abs ? path.relative(this.root, abs) : ''
    const parts = rel.split(path.sep)
    if (!abs || !rel || path.isAbsolute(rel) || parts.length !== 3 || parts.some((p) => p === '' || p === '.' || p === '..') || !isUserFolderName(parts[1]!)) {
      throw new DojangError('INVALID_INPUT', 'That is not a certificate folder of this NPKI folder.', { location: String(location), root: this.root })
    }
    let dir = this.root
    for (const part of parts) {
      dir = path.join(dir, part)
      let st
      try {
        st = await fsp.lstat(dir)
      } catch (e) {
        throw mapFsError(e, dir, 'find the certificate folder')
      }
      if (st.isSymbolicLink()) throw new DojangError('INVALID_INPUT', `${part} is a link; Dojang does not follow links inside an NPKI folder.`, { path: dir })
      if (!st.isDirectory()) throw new DojangError('NOT_FOUND', `${part} is not a folder.`, { path: dir })
    }
    return dir
  }

  /** Regular files of a certificate folder (links, sub-folders and devices are not part of a certificate). */
  private async regularFiles(dir: string): Promise<string[]> {
    let entries
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true })
    } catch (e) {
      throw mapFsError(e, dir, 'read the certificate folder')
    }
    return entries
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort()
  }

  async read(location: string): Promise<CertBundle> {
    const dir = await this.certDir(location)
    const names = await this.regularFiles(dir)
    if (!names.some(isSignCertName)) throw new DojangError('MISSING_FILE', 'This folder holds no certificate (signCert.der is missing).', { dir })
    if (names.length > MAX_BUNDLE_FILES) {
      throw new DojangError('CORRUPT_FILE', `The certificate folder holds too many files (${names.length}) to be one certificate.`, { dir, count: names.length })
    }
    const files: BundleFile[] = []
    // Any file that cannot be read fails the whole read: a copy or move must never leave a file behind silently.
    for (const name of names) files.push({ name, data: await readFileSafe(path.join(dir, name), MAX_BUNDLE_FILE_BYTES) })
    return { files }
  }

  // ---- write ----

  /**
   * The existing child folder whose name matches `wanted` case-insensitively (after NFC), or undefined. An exact
   * spelling wins when a case-sensitive file system holds several. A matching link or file is refused.
   */
  private async findChild(parent: string, matches: (name: string) => boolean, exact?: string): Promise<string | undefined> {
    let entries
    try {
      entries = await fsp.readdir(parent, { withFileTypes: true })
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined
      throw mapFsError(e, parent, 'read the folder')
    }
    const hits = entries.filter((e) => matches(e.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const hit = hits.find((e) => exact !== undefined && e.name.normalize('NFC') === exact) ?? hits.find((e) => e.isDirectory()) ?? hits[0]
    if (!hit) return undefined
    if (!hit.isDirectory()) {
      const where = path.join(parent, hit.name)
      throw new DojangError('CONFLICT', `${hit.name} exists but is not a folder (it may be a link or a file); Dojang does not write through it.`, { path: where })
    }
    return hit.name
  }

  private async makeDir(dir: string): Promise<void> {
    try {
      await makeDir(dir, DIR_MODE)
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw mapFsError(e, dir, 'create the folder')
    }
    await syncDir(path.dirname(dir))
  }

  /** Finds (case-insensitively) or creates a child folder; returns its on-disk name. */
  private async childDir(parent: string, wanted: string, matches: (name: string) => boolean): Promise<string> {
    const found = await this.findChild(parent, matches, wanted)
    if (found !== undefined) return found
    await this.makeDir(path.join(parent, wanted))
    return (await this.findChild(parent, matches, wanted)) ?? wanted
  }

  /** Creates the root only when its parent is there: a pulled USB stick must not become a folder on the system disk. */
  private async ensureRoot(): Promise<void> {
    try {
      const st = await fsp.stat(this.root)
      if (st.isDirectory()) return
      throw new DojangError('CONFLICT', `${path.basename(this.root)} exists but is not a folder.`, { path: this.root })
    } catch (e) {
      if (isDojangError(e)) throw e
      if (errno(e) !== 'ENOENT') throw mapFsError(e, this.root, 'open the NPKI folder')
    }
    const parent = path.dirname(this.root)
    try {
      if (!(await fsp.stat(parent)).isDirectory()) throw new Error('not a folder')
    } catch (e) {
      throw new DojangError('NOT_FOUND', `The place for the NPKI folder (${parent}) is not available; check that the drive is connected.`, { path: parent }, { cause: e })
    }
    await this.makeDir(this.root)
  }

  async write(bundle: CertBundle, opts: WriteOptions): Promise<CopyRef> {
    const files = checkBundle(bundle)
    if (!opts || typeof opts.dataDir !== 'string' || !opts.dataDir) throw new DojangError('INVALID_INPUT', "Dojang's data folder was not given.")
    let cert: CertificateInfo
    try {
      cert = parseCertificate(signCertOf(files).data)
    } catch (e) {
      if (isDojangError(e)) throw new DojangError(e.code, `signCert.der: ${e.message}`, { ...e.details, file: 'signCert.der' }, { cause: e })
      throw e
    }
    const dnName = dnFolderName(cert)
    const caName = caFolderName(cert)

    await this.ensureRoot()
    const caDir = path.join(this.root, await this.childDir(this.root, caName, (n) => foldName(n) === foldName(caName)))
    const userDir = path.join(caDir, await this.childDir(caDir, 'USER', isUserFolderName))
    const dnMatches = (n: string) => foldName(n) === foldName(dnName)

    const existing = await this.findChild(userDir, dnMatches, dnName)
    if (existing === undefined) return this.ref(await this.writeNewFolder(userDir, dnName, files, dnMatches))

    // A folder without signCert.der holds no certificate (leftovers of another tool): it is filled, not a conflict;
    // whatever it held is replaced through the backups like an overwrite.
    const dir = path.join(userDir, existing)
    const present = await this.regularFiles(dir)
    const oldCert = present.find(isSignCertName)
    if (oldCert && !opts.overwrite) throw await this.conflict(dir, oldCert, cert)
    await this.replaceFolder(dir, present, files, opts.dataDir)
    return this.ref(dir)
  }

  private async conflict(dir: string, oldCertName: string, incoming: CertificateInfo): Promise<DojangError> {
    const details: Record<string, string | boolean> = {
      location: dir,
      newSerial: incoming.serialNumberHex,
      newNotBefore: incoming.notBefore,
      newNotAfter: incoming.notAfter,
    }
    try {
      const old = parseCertificate(await readFileSafe(path.join(dir, oldCertName), MAX_BUNDLE_FILE_BYTES))
      const d = certFacts(old)
      Object.assign(details, {
        existingSerial: d.serial,
        existingNotBefore: d.notBefore,
        existingNotAfter: d.notAfter,
        existingSubject: d.subject,
        existingIssuer: d.issuer,
        sameCertificate: old.serialNumberHex === incoming.serialNumberHex && old.issuer === incoming.issuer,
      })
    } catch {
      details.existingUnreadable = true
    }
    return new DojangError(
      'CONFLICT',
      `A certificate for ${incoming.subject} is already in ${this.label}. Choose whether to replace it (the old files are kept in Dojang's backups).`,
      details,
    )
  }

  /** Staging folder beside the target, then one rename: no reader ever sees a partial certificate folder. */
  private async writeNewFolder(userDir: string, dnName: string, files: BundleFile[], dnMatches: (n: string) => boolean): Promise<string> {
    const stage = path.join(userDir, `.new.dojang-${randomBytes(6).toString('hex')}.tmp`)
    const target = path.join(userDir, dnName)
    try {
      await makeDir(stage, DIR_MODE)
    } catch (e) {
      throw mapFsError(e, userDir, 'create a folder for the certificate')
    }
    try {
      for (const f of files) await writeFileAtomic(path.join(stage, f.name), f.data, { mode: FILE_MODE })
      // Another writer may have created the folder meanwhile (a case variant on a case-sensitive disk included).
      if ((await this.findChild(userDir, dnMatches, dnName)) !== undefined) {
        throw new DojangError('CONFLICT', `A folder for ${dnName} appeared while the certificate was being written.`, { location: target })
      }
      try {
        await renameWithRetry(stage, target)
      } catch (e) {
        if (['EEXIST', 'ENOTEMPTY'].includes(errno(e) ?? '')) {
          throw new DojangError('CONFLICT', `A folder for ${dnName} appeared while the certificate was being written.`, { location: target }, { cause: e })
        }
        throw mapFsError(e, target, 'put the certificate folder in place')
      }
    } catch (e) {
      await fsp.rm(stage, { recursive: true, force: true }).catch(() => undefined)
      throw mapFsError(e, target, 'write the certificate')
    }
    await syncDir(userDir)
    return target
  }

  /**
   * Overwrite: the folder ends up holding exactly the bundle (a stale kmCert.der beside a new signCert.der would be a
   * mismatched pair). Existing spellings are reused; every replaced or deleted file is backed up by replaceFiles.
   */
  private async replaceFolder(dir: string, present: string[], files: BundleFile[], dataDir: string): Promise<void> {
    const onDisk = new Map(present.map((n) => [foldName(n), n]))
    const changes: FileChange[] = []
    for (const f of files) {
      const name = onDisk.get(foldName(f.name)) ?? f.name
      onDisk.delete(foldName(f.name))
      changes.push({ path: path.join(dir, name), data: f.data })
    }
    for (const leftover of onDisk.values()) changes.push({ path: path.join(dir, leftover), data: null })
    await replaceFiles(dataDir, changes, { reason: 'write-certificate' })
  }

  // ---- replace key files in place ----

  /**
   * Rewrites the named files of one certificate folder all or nothing (fsx journal); the replaced files become a
   * backup. An existing spelling is kept (SignPri.key stays SignPri.key).
   */
  async replaceFiles(location: string, files: readonly BundleFile[], opts: { dataDir: string; reason: string }): Promise<ReplaceResult> {
    if (!opts || typeof opts.dataDir !== 'string' || !opts.dataDir) throw new DojangError('INVALID_INPUT', "Dojang's data folder was not given.")
    const dir = await this.certDir(location)
    const onDisk = new Map((await this.regularFiles(dir)).map((n) => [foldName(n), n]))
    const changes: FileChange[] = files.map((f) => ({ path: path.join(dir, onDisk.get(foldName(f.name)) ?? f.name), data: f.data }))
    const { backupId } = await replaceFiles(opts.dataDir, changes, { reason: opts.reason })
    return { backupId, location: dir }
  }

  // ---- remove ----

  async remove(location: string, opts: { dataDir: string }): Promise<void> {
    if (!opts || typeof opts.dataDir !== 'string' || !opts.dataDir) throw new DojangError('INVALID_INPUT', "Dojang's data folder was not given.")
    const dir = await this.certDir(location)
    const names = await this.regularFiles(dir)
    if (names.length > 0) {
      await replaceFiles(
        opts.dataDir,
        names.map((n) => ({ path: path.join(dir, n), data: null })),
        { reason: 'remove-certificate' },
      )
    }
    // Links or sub-folders that someone put inside are not backed up, so they stay, and with them the folder. The
    // certificate itself is gone either way (its files are), which is what the caller asked for.
    try {
      await fsp.rmdir(dir)
      await syncDir(path.dirname(dir))
    } catch {
      // Not empty, or the platform refuses: the certificate's files are already removed (and backed up).
    }
  }
}
