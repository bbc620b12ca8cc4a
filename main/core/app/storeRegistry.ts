/**
 * The store registry: every medium Dojang can reach right now (the OS's NPKI roots and the extra ones from
 * settings, mounted USB drives, 키체인), and the one place that turns a location or a destination into a store.
 * Nothing here knows how a location is spelled: each store answers `owns(location)` for itself.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { MediaTarget, MediumInfo } from '../../../common/contract'
import { MEDIA_LABELS, type Medium } from '../../../common/domain'
import { DojangError } from '../../../common/errors'
import type { KnownSettings } from '../inventory/types'
import { allProfileRoots, defaultNpkiRoots } from '../npki/roots'
import { DiskStore } from '../stores/diskStore'
import type { KeychainStore } from '../stores/keychainStore'
import { defaultVolumeSource, listRemovableStores, type VolumeSource } from '../stores/removable'
import { discoverModules, scanTokens, tokenForDestination, type ScannedModule, type TokenInfo, type SpawnWorker, type TokenStore, TokenWorkerClient } from '../stores/token'
import type { Store } from '../stores/types'
import { isKeptLocation, keptIssuedRoots } from './keptIssued'

export interface StoreRegistryOptions {
  /** NPKI roots on fixed disks. Default: the OS's standard roots (all profiles in helpdesk mode) + settings.extraRoots. */
  diskRoots?: string[]
  /** Removable volumes; null turns the medium off (CLI --root runs, tests). */
  volumeSource?: VolumeSource | null
  /** Scan every user profile for this session only (the CLI's --all-profiles), whatever the setting says. */
  allProfiles?: boolean
  platform?: NodeJS.Platform
  env?: NodeJS.ProcessEnv
  home?: string
  /** 보안토큰: the token worker client and where to look for modules. Absent: no token medium. */
  tokens?: TokenAccess
  /** Dojang's data folder: its 보관함 of issued pairs (keptIssued.ts) is listed with the disk roots. */
  dataDir?: string
}

export interface TokenAccess {
  /** The worker client; default: one that starts workers with `spawn`. The registry closes it. */
  client?: TokenWorkerClient
  /** How the worker process starts: a Node child process by default; the app passes Electron's utility process. */
  spawn?: SpawnWorker
  /** Module paths besides settings.tokenModules and npki_pkcs11.cnf (the CLI's --module; tests' SoftHSM). */
  modules?: string[]
  /** The driver list file; default npki_pkcs11.cnf of this computer. */
  configFile?: string
}

/** One token as the registry found it: its store and what the token reports (label, slot, PIN state). */
export interface FoundToken {
  store: TokenStore
  module: string
  info: TokenInfo
}

/** What a copy's record says about where it was found (the inventory's memory of it). */
export interface RecordedPlace {
  root: string
  medium: string
}

export class StoreRegistry {
  constructor(
    private readonly opts: StoreRegistryOptions,
    private readonly settings: () => Pick<KnownSettings, 'extraRoots' | 'helpdeskMode'> & Partial<Pick<KnownSettings, 'tokenModules'>>,
    readonly keychain: KeychainStore | undefined,
  ) {}

  private tokenScan: Promise<ScannedModule[]> | undefined
  private tokenClient: TokenWorkerClient | undefined

  /** The token worker client, made on first use (a CLI run that never meets a token starts no worker). */
  private client(access: TokenAccess): TokenWorkerClient {
    this.tokenClient ??= access.client ?? new TokenWorkerClient(access.spawn ? { spawn: access.spawn } : {})
    return this.tokenClient
  }
  private found: FoundToken[] = []

  /**
   * Every module and its tokens, scanned once and kept until `resetTokens` (the USB trigger, a rescan). A module that
   * fails is reported in its entry; files that are no module are never loaded (discovery checks them first).
   */
  tokenModules(): Promise<ScannedModule[]> {
    const access = this.opts.tokens
    if (!access) return Promise.resolve([])
    if (!this.tokenScan) {
      const run = (async () => {
        const discovery = await discoverModules({
          settings: this.settings().tokenModules ?? [],
          args: access.modules ?? [],
          env: this.opts.env ?? process.env,
          ...(this.opts.home ? { home: this.opts.home } : {}),
          ...(access.configFile ? { configFile: access.configFile } : {}),
        })
        const loadable = discovery.modules.filter((m) => m.status === 'ok').map((m) => m.path)
        const scanned = loadable.length > 0 ? await scanTokens(this.client(access), loadable) : []
        return discovery.modules.map((m) => (m.status === 'ok' ? scanned.find((x) => x.module === m.path)! : { module: m.path, tokens: [], error: m.status }))
      })()
      this.tokenScan = run
      run.then(
        (modules) => {
          if (this.tokenScan !== run) return
          const seen = new Set<string>()
          this.found = modules.flatMap((m) =>
            m.tokens.flatMap((t) => {
              if (!t.store || seen.has(t.store.id)) return []
              seen.add(t.store.id)
              return [{ store: t.store, module: m.module, info: t.info }]
            }),
          )
        },
        () => {
          if (this.tokenScan === run) this.tokenScan = undefined
        },
      )
    }
    return this.tokenScan
  }

  /** The connected tokens (initialized ones), each as a store. */
  async tokens(): Promise<FoundToken[]> {
    await this.tokenModules()
    return this.found
  }

  /**
   * Forgets what the last token scan found, so the next call asks the modules again; with `restartWorker` the worker
   * process starts afresh too (a re-plugged token, a module that was installed meanwhile).
   */
  resetTokens(opts: { restartWorker?: boolean } = {}): void {
    if (opts.restartWorker) this.tokenClient?.reset()
    this.tokenScan = undefined
    this.found = []
  }

  /** Stops the token worker (the core closes). */
  close(): void {
    this.tokenClient?.close()
  }

  async diskRoots(): Promise<string[]> {
    // A pair kept after an interrupted issue or renewal is listed wherever the other roots come from.
    const kept = this.opts.dataDir ? await keptIssuedRoots(this.opts.dataDir) : []
    if (this.opts.diskRoots) return [...new Set([...this.opts.diskRoots.map((r) => path.resolve(r)), ...kept])]
    const settings = this.settings()
    const platform = this.opts.platform ?? process.platform
    const env = this.opts.env ?? process.env
    const standard = settings.helpdeskMode || this.opts.allProfiles ? await allProfileRoots(platform, env) : defaultNpkiRoots(platform, env, this.opts.home)
    // Only absolute extra roots count: a relative one would mean a different folder for every working directory.
    const extra = settings.extraRoots.filter((r) => path.isAbsolute(r))
    return [...new Set([...standard.map((r) => r.path), ...extra, ...kept])]
  }

  async diskStores(): Promise<DiskStore[]> {
    return (await this.diskRoots()).map((root) => new DiskStore(root, { medium: 'disk', label: root }))
  }

  /** The disk roots a certificate may be put into: not the 보관함, which only ever gives pairs back. */
  private async destinationDiskStores(): Promise<DiskStore[]> {
    const dataDir = this.opts.dataDir
    return (await this.diskStores()).filter((s) => !dataDir || !isKeptLocation(dataDir, s.root))
  }

  async removableStores(): Promise<DiskStore[]> {
    if (this.opts.volumeSource === null) return []
    try {
      return await listRemovableStores(this.opts.volumeSource ?? defaultVolumeSource(this.opts.platform))
    } catch {
      return [] // a volume that vanished mid-listing must not break the app; the next rescan sees the truth
    }
  }

  /** Stores whose locations are not paths (키체인, 보안토큰): they recognise their own spelling. */
  private namedStores(): Store[] {
    return [...(this.keychain ? [this.keychain] : []), ...this.found.map((t) => t.store)]
  }

  async all(): Promise<Store[]> {
    await this.tokens()
    return [...(await this.diskStores()), ...(await this.removableStores()), ...this.namedStores()]
  }

  /** The media to offer as destinations and to show in settings. */
  async media(): Promise<MediumInfo[]> {
    const media: MediumInfo[] = []
    for (const s of await this.destinationDiskStores()) media.push({ medium: 'disk', root: s.root, label: s.label, available: true })
    for (const s of await this.removableStores()) media.push({ medium: 'removable', root: s.root, label: s.label, available: true })
    if (this.keychain) media.push({ medium: 'keychain', root: this.keychain.id, label: this.keychain.label ?? MEDIA_LABELS.keychain.ko, available: true })
    for (const t of await this.tokens()) {
      media.push({
        medium: 'token',
        root: t.store.id,
        label: t.store.label,
        available: true,
        token: { label: t.info.label, serial: t.info.serial, slotId: t.info.slotId, slotDescription: t.info.slotDescription, pinState: t.info.pinState, writeProtected: t.info.writeProtected },
      })
    }
    return media
  }

  /**
   * A location as typed by a person (the CLI): a store's own spelling is kept, anything else is a folder path and
   * is made absolute.
   */
  async parseLocation(raw: string): Promise<string> {
    await this.tokens()
    return this.namedStores().some((s) => s.owns(raw)) ? raw : path.resolve(raw)
  }

  /**
   * The store that holds `location`: the innermost known store that owns it, else the root the inventory recorded
   * for the copy, else (with `handNamed`, the CLI) the NPKI root that the folder's own layout names.
   */
  async storeOf(location: string, opts: { recorded?: RecordedPlace; handNamed?: boolean } = {}): Promise<Store> {
    await this.tokens()
    const named = this.namedStores().find((s) => s.owns(location))
    if (named) return named
    if (this.namedStores().length === 0 && !path.isAbsolute(location)) {
      throw new DojangError('NOT_FOUND', 'This medium is not available on this computer', { location })
    }
    const stores = [...(await this.diskStores()), ...(await this.removableStores())]
    const known = stores.filter((s) => s.owns(location)).sort((a, b) => b.root.length - a.root.length)[0]
    if (known) return known
    const rec = opts.recorded
    if (rec && path.isAbsolute(rec.root)) {
      const store = new DiskStore(rec.root, { medium: rec.medium === 'removable' ? 'removable' : 'disk' })
      if (store.owns(location)) return store
    }
    if (opts.handNamed && path.isAbsolute(location)) return DiskStore.forFolder(location)
    throw new DojangError('NOT_FOUND', 'This copy is not in a known NPKI folder any more; scan again', { location })
  }

  /** The store a record names by medium and store id (a trash entry's origin), even if it is no longer offered. */
  async storeById(medium: string, id: string, label?: string): Promise<Store> {
    const known = (await this.all()).find((s) => s.medium === medium && s.id === id)
    if (known) return known
    const named = this.namedStores().filter((s) => s.medium === medium)
    if (named.length === 1) return named[0]!
    if (!path.isAbsolute(id)) throw new DojangError('NOT_FOUND', `${MEDIA_LABELS[medium as Medium]?.en ?? medium} is not available on this computer`, { medium })
    return new DiskStore(id, { medium: medium === 'removable' ? 'removable' : 'disk', ...(label ? { label } : {}) })
  }

  /**
   * The store a MediaTarget names. With `offeredOnly` (the app), a root must be one of the media Dojang offered:
   * a page cannot point main at other folders.
   */
  async target(target: MediaTarget, opts: { offeredOnly?: boolean } = {}): Promise<Store> {
    await this.tokens()
    const named = this.namedStores().filter((s) => s.medium === target.medium)
    // A token is named by its store id (several can be connected); the keychain is the only one of its kind.
    const byId = target.root === undefined ? undefined : named.find((s) => s.id === target.root)
    if (byId) return byId
    if (named.length === 1 && (target.root === undefined || target.medium !== 'token')) return named[0]!
    if (named.length > 1) throw new DojangError('NOT_FOUND', 'This security token is not connected any more; choose another one', { medium: target.medium })
    if (target.medium !== 'disk' && target.medium !== 'removable') {
      throw new DojangError('NOT_FOUND', `${MEDIA_LABELS[target.medium].en} is not available on this computer`, { medium: target.medium })
    }
    const candidates = target.medium === 'disk' ? await this.destinationDiskStores() : await this.removableStores()
    if (target.root !== undefined) {
      const root = path.resolve(target.root)
      const match = candidates.find((s) => s.root === root)
      if (match) return match
      if (opts.offeredOnly || !path.isAbsolute(target.root)) {
        throw new DojangError('NOT_FOUND', 'This drive or folder is not available any more; choose another one', { root: target.root })
      }
      return new DiskStore(root, { medium: target.medium })
    }
    const first = candidates[0]
    if (!first) throw new DojangError('NOT_FOUND', target.medium === 'removable' ? 'No USB drive is connected' : 'No NPKI folder is configured', { medium: target.medium })
    return first
  }

  /**
   * A destination typed by a person (the CLI's --to): `keychain` (or another medium's name), or a folder. A folder
   * must exist (unless `create`); a known NPKI root or a folder named NPKI is used as it is, any other folder (a
   * drive's top folder) gets its `NPKI` sub-folder, which is what bank software and Dojang's USB detection read.
   */
  async destination(raw: string, opts: { create?: boolean } = {}): Promise<{ store: Store; note?: string }> {
    const found = await this.tokens()
    const token = tokenForDestination(raw, found.map((t) => ({ store: t.store, tokenLabel: t.info.label })))
    if (token) return { store: token }
    const named = this.namedStores().find((s) => s.medium === raw)
    if (named) return { store: named }
    const media = await this.media()
    const list = () => media.map((m) => `  ${m.medium === 'keychain' ? 'keychain' : m.token ? `token:${m.token.label || m.token.serial}` : m.root}  (${MEDIA_LABELS[m.medium].en})`).join('\n')
    if (!path.isAbsolute(raw) && !raw.startsWith('.') && !raw.includes(path.sep) && !raw.includes('/')) {
      throw new DojangError('INVALID_INPUT', `Unknown destination '${raw}'. Give keychain or an existing folder. Known media:\n${list()}`, { destination: raw, usage: true })
    }
    const dir = path.resolve(raw)
    const known = media.find((m) => (m.medium === 'disk' || m.medium === 'removable') && m.root === dir)
    if (known) return { store: await this.target({ medium: known.medium, root: known.root }) }
    const isDir = await isFolder(dir)
    // <drive>/NPKI on a drive that is there: the usual place, created on first use like bank software does.
    const npkiOnExistingDrive = /^npki$/i.test(path.basename(dir)) && (await isFolder(path.dirname(dir)))
    if (!isDir && !opts.create && !npkiOnExistingDrive) {
      throw new DojangError('INVALID_INPUT', `The destination ${dir} does not exist; nothing was written. Give an existing folder, or add --create to make a new NPKI folder there. Known media:\n${list()}`, {
        destination: dir,
        usage: true,
      })
    }
    // A folder that --create is to make, or one named NPKI, is the NPKI root itself.
    if (!isDir || /^npki$/i.test(path.basename(dir))) return { store: new DiskStore(dir, { medium: 'disk' }) }
    let npki = path.join(dir, 'NPKI')
    if (isDir) {
      const existing = (await fsp.readdir(dir)).find((n) => /^npki$/i.test(n))
      if (existing) npki = path.join(dir, existing)
    }
    return { store: new DiskStore(npki, { medium: 'disk' }), note: `Writing into ${npki}: bank software and Dojang look for certificates in an NPKI folder.` }
  }
}

async function isFolder(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory()
  } catch {
    return false
  }
}
