/**
 * One interface for every medium a certificate copy can live on. A copy is a *bundle*: the files of one
 * certificate folder (signCert.der, signPri.key, optional kmCert.der/kmPri.key, and any other file found beside
 * them such as CaPubs or a .pfx), carried byte for byte between media.
 */

export type { Medium } from '../../../common/domain'
import type { Medium } from '../../../common/domain'

export interface BundleFile {
  /** The name as found on the source (spelling kept: SignPri.key stays SignPri.key). */
  name: string
  data: Uint8Array
}

export interface CertBundle {
  files: BundleFile[]
}

/** Where one copy lives. `location` is an absolute folder path, or `keychain:<id>` for the keychain. */
export interface CopyRef {
  medium: Medium
  /** Which store instance holds it (e.g. the root or volume path, or 'keychain'). */
  storeId: string
  location: string
  /** A short human label for the place: "USB (KINGSTON) E:\\NPKI", "키체인". */
  label: string
}

export interface StoredCopy extends CopyRef {
  /** Names of the files in the bundle. */
  fileNames: string[]
}

export interface WriteOptions {
  /** Dojang's data folder, for backups of anything replaced. */
  dataDir: string
  /** Replace an existing copy of the same subject (the old one goes to the backups). Default: CONFLICT error. */
  overwrite?: boolean
}

/**
 * What a store can do. Callers ask these instead of branching on how a location is spelled: a token's keys cannot
 * be read out and its secret is a PIN; the keychain cannot be written in place by path; a disk can do everything.
 */
export interface StoreCapabilities {
  /** The private key bytes can be read out (false for a token: its keys never leave it). */
  readKeys: boolean
  /** New copies can be written here (copy, move, import, issue). */
  write: boolean
  /** Key files of a stored copy can be replaced all or nothing with a restorable backup (password change, renew). */
  replaceKeys: boolean
  /** Copies can be removed (to Dojang's trash first). */
  remove: boolean
  /** What protects the private key on this medium: the certificate's password, or the token's PIN. */
  secret: 'password' | 'pin'
}

/** The result of replacing key files in place: the backup that holds the replaced files. */
export interface ReplaceResult {
  /** A backup id that `dojang backups restore` and the 설정 → 백업 panel know. */
  backupId: string
  /** Where the copy is now (stores keep the location; a caller must still use this one). */
  location: string
}

export interface Store {
  readonly medium: Medium
  readonly id: string
  readonly capabilities: StoreCapabilities
  /** Whether `location` names a copy in this store: the only code that understands how a location is spelled. */
  owns(location: string): boolean
  /** A short human label for the place (see CopyRef.label); stores that have one expose it for trash entries. */
  readonly label?: string
  /** Lists the copies this store holds now. Problems with single entries are skipped, not thrown. */
  list(opts?: { signal?: AbortSignal }): Promise<StoredCopy[]>
  /** Reads one copy's files. NOT_FOUND when it is gone. */
  read(location: string): Promise<CertBundle>
  /** Writes a bundle as a new copy and returns where it went. CONFLICT when one is there already. */
  write(bundle: CertBundle, opts: WriteOptions): Promise<CopyRef>
  /** Removes a copy for good (callers move it to Dojang's trash first). */
  remove(location: string, opts: { dataDir: string }): Promise<void>
  /**
   * Replaces the named files of one copy with new bytes, all or nothing, keeping the replaced ones as a backup
   * (capabilities.replaceKeys). Files not named stay as they are, byte for byte.
   */
  replaceFiles?(location: string, files: readonly BundleFile[], opts: { dataDir: string; reason: string }): Promise<ReplaceResult>
}
