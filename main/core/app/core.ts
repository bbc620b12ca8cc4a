/**
 * The composition of Dojang's core for one front end (the app or the CLI): the inventory, the store registry, the
 * scan coordinator, the operation runner and the audit log. Commands (./commands) receive it; nothing else does.
 * Electron-free: the IPC handler table and the `dojang` command both open one.
 */
import path from 'node:path'
import type { DojangEvent } from '../../../common/contract'
import { isDojangError } from '../../../common/errors'
import { defaultDataDir, recoverJournals } from '../fsx'
import { openInventory, type AuditInput, type Inventory } from '../inventory'
import { KeychainStore } from '../stores/keychainStore'
import type { SecretStore } from '../stores/keychain/secretStore'
import { AttemptLimiter } from './attempts'
import { CopyRecords } from './copyRecords'
import { OperationRunner } from './operations'
import { ScanCoordinator } from './scanCoordinator'
import { StoreRegistry, type StoreRegistryOptions } from './storeRegistry'

export interface CoreOptions extends StoreRegistryOptions {
  /** Dojang's data folder: inventory, backups, trash, keychain bundles. Default: the OS's (DOJANG_DATA_DIR overrides). */
  dataDir?: string
  /** The OS keychain; null turns the keychain medium off. Default: keytar. */
  secretStore?: SecretStore | null
  now?: () => Date
  /** Where events go (the app's windows; the CLI's progress lines). */
  emit?: (event: DojangEvent) => void
  /**
   * What the front end may name. The app's page may only name copies Dojang listed and destinations it offered, and
   * its wrong passwords are slowed down; the CLI may name any certificate folder and answers at once.
   */
  frontEnd: 'app' | 'cli'
  /** The app's limiter (tests pass one with a fake clock). */
  attempts?: AttemptLimiter
}

/** How the app starts the token worker in Electron's utility process (main/index.ts passes it as tokens.spawn). */
export { utilityProcessWorker } from '../stores/token'

export class Core {
  readonly dataDir: string
  readonly inventory: Inventory
  readonly stores: StoreRegistry
  readonly records: CopyRecords
  readonly scans: ScanCoordinator
  readonly operations: OperationRunner
  readonly now: () => Date
  readonly frontEnd: 'app' | 'cli'
  /** Present in the app only: growing delays after repeated wrong passwords per copy. */
  readonly attempts: AttemptLimiter | undefined
  private readonly sink: (event: DojangEvent) => void

  constructor(opts: CoreOptions & { dataDir: string }) {
    this.dataDir = path.resolve(opts.dataDir)
    this.now = opts.now ?? (() => new Date())
    this.frontEnd = opts.frontEnd
    this.sink = opts.emit ?? (() => undefined)
    this.inventory = openInventory(this.dataDir, { now: this.now })
    const keychain = opts.secretStore === null ? undefined : new KeychainStore({ dataDir: this.dataDir, ...(opts.secretStore ? { secrets: opts.secretStore } : {}), now: this.now })
    this.stores = new StoreRegistry({ ...opts, dataDir: this.dataDir }, () => this.inventory.getSettings(), keychain)
    this.records = new CopyRecords(this.inventory)
    // A scheduled CLI scan gives up at once when another scan holds the data folder (the next run tries again);
    // the app waits a little, since the scan it superseded is still letting go of the lock.
    this.scans = new ScanCoordinator(this.inventory, this.stores, this.records, this.now, { dataDir: this.dataDir, waitMs: opts.frontEnd === 'app' ? 30_000 : 0 })
    this.operations = new OperationRunner((operation) => this.sink({ type: 'operation', operation }))
    this.attempts = opts.frontEnd === 'app' ? (opts.attempts ?? new AttemptLimiter()) : undefined
  }

  emit(event: DojangEvent): void {
    this.sink(event)
  }

  /** Announces that the list may have changed (every command that changes the inventory calls this). */
  inventoryChanged(): void {
    this.sink({ type: 'inventoryChanged' })
  }

  /** Runs one command's work and records it in the audit log with its outcome (never its secrets). */
  async audited<T>(entry: Omit<AuditInput, 'outcome'>, run: () => Promise<T>): Promise<T> {
    try {
      const value = await run()
      this.audit({ ...entry, outcome: 'ok' })
      return value
    } catch (e) {
      this.audit({ ...entry, outcome: isDojangError(e) ? e.code : 'INTERNAL' })
      throw e
    }
  }

  private audit(entry: AuditInput): void {
    try {
      this.inventory.audit(entry)
    } catch {
      // The audit log must never turn a done operation into a reported failure.
    }
  }

  close(): void {
    this.stores.close()
    this.inventory.close()
  }
}

/** Opens the core; an interrupted file operation from a previous run is completed or rolled back first. */
export async function openCore(opts: CoreOptions): Promise<Core> {
  const dataDir = path.resolve(opts.dataDir ?? defaultDataDir(opts.env ?? process.env))
  await recoverJournals(dataDir)
  return new Core({ ...opts, dataDir })
}
