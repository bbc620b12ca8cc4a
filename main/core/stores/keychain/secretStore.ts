/**
 * The port between the keychain store and whatever holds its small secrets (one data key per certificate). Only
 * four calls, so that keytar can later be swapped for Electron's safeStorage or @napi-rs/keyring without touching
 * the store. Secrets are short strings (a base64 data key is 44 characters): Windows caps a credential at 2,560 bytes.
 *
 * Adapters throw whatever their backend throws; the keychain store turns that into one clear DojangError
 * (`keychainUnavailable`). Nothing here may log or put a secret into an error.
 */
import { randomBytes } from 'node:crypto'
import { DojangError, type ErrorCode } from '../../../../common/errors'

export interface SecretEntry {
  account: string
  secret: string
}

export interface SecretStore {
  /** Short name for error details and helpdesk tickets ("keytar", "memory"). */
  readonly backend: string
  /** null when there is no such entry. */
  get(service: string, account: string): Promise<string | null>
  set(service: string, account: string, secret: string): Promise<void>
  /** false when there was no such entry. */
  delete(service: string, account: string): Promise<boolean>
  /** Every entry of `service`. */
  list(service: string): Promise<SecretEntry[]>
}

/** An account that never names a bundle; written and deleted again to prove the keychain accepts changes. */
export const PROBE_ACCOUNT = 'probe/writable'

/** The keytar functions we use (its own .d.ts has more). */
export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword(service: string, account: string): Promise<boolean>
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>
}

export interface KeytarOptions {
  /** Test seam: how the native module is loaded. */
  load?: () => Promise<unknown>
  /** Test seam for the Linux-only guard below. */
  platform?: NodeJS.Platform
}

/**
 * keytar 7.9.0 (libsecret on Linux, Keychain on macOS, Credential Manager on Windows). The native module is loaded
 * on first use, not at import: a machine where it failed to build still runs every other part of Dojang, and the
 * keychain medium reports itself unavailable instead of the app failing to start.
 */
export class KeytarSecretStore implements SecretStore {
  readonly backend = 'keytar'
  private module: Promise<KeytarModule> | undefined
  private readonly load: () => Promise<unknown>
  private readonly platform: NodeJS.Platform

  constructor(opts: KeytarOptions = {}) {
    this.load = opts.load ?? (() => import('keytar'))
    this.platform = opts.platform ?? process.platform
  }

  private keytar(): Promise<KeytarModule> {
    this.module ??= this.load().then(
      (mod) => {
        // A CommonJS module arrives as the namespace's default export under ESM, as itself under CommonJS.
        const k = ((mod as { default?: unknown }).default ?? mod) as Partial<KeytarModule>
        if (typeof k.getPassword !== 'function' || typeof k.findCredentials !== 'function') throw new Error('keytar loaded without its functions')
        return k as KeytarModule
      },
      (e: unknown) => {
        // Keep the reason (missing module, ABI mismatch, libsecret not installed) but never retry a broken load.
        throw keychainUnavailable('IO_ERROR', 'load', this.backend, e, 'the native keytar module could not be loaded')
      },
    )
    return this.module
  }

  async get(service: string, account: string): Promise<string | null> {
    return (await this.keytar()).getPassword(service, account)
  }

  async set(service: string, account: string, secret: string): Promise<void> {
    await (await this.keytar()).setPassword(service, account, secret)
  }

  async delete(service: string, account: string): Promise<boolean> {
    return (await this.keytar()).deletePassword(service, account)
  }

  async list(service: string): Promise<SecretEntry[]> {
    const k = await this.keytar()
    if (this.platform === 'linux') {
      // keytar's findCredentials dereferences a NULL secret when a matching item stays locked (the keyring is locked
      // and the unlock prompt fails or is cancelled) and takes the whole process down with SIGSEGV
      // (atom/node-keytar#477, reproduced here with gnome-keyring 42). Creating an item fails cleanly on a locked
      // collection, or makes the desktop prompt to unlock it, so a successful probe means the search is safe.
      await k.setPassword(service, PROBE_ACCOUNT, randomBytes(8).toString('hex'))
      await k.deletePassword(service, PROBE_ACCOUNT)
    }
    const found = await k.findCredentials(service)
    return found.map((c) => ({ account: c.account, secret: c.password }))
  }
}

/** Keeps secrets in a Map: for unit tests of code above the store, and as the shape a new adapter must have. */
export class MemorySecretStore implements SecretStore {
  readonly backend = 'memory'
  private readonly items = new Map<string, string>()
  private static key(service: string, account: string): string {
    return `${service}\u0000${account}`
  }
  async get(service: string, account: string): Promise<string | null> {
    return this.items.get(MemorySecretStore.key(service, account)) ?? null
  }
  async set(service: string, account: string, secret: string): Promise<void> {
    this.items.set(MemorySecretStore.key(service, account), secret)
  }
  async delete(service: string, account: string): Promise<boolean> {
    return this.items.delete(MemorySecretStore.key(service, account))
  }
  async list(service: string): Promise<SecretEntry[]> {
    const prefix = `${service}\u0000`
    return [...this.items].filter(([k]) => k.startsWith(prefix)).map(([k, secret]) => ({ account: k.slice(prefix.length), secret }))
  }
}

// Backend messages that mean "a person or a lock said no" rather than "nothing is there to ask".
const REFUSED = /locked|cancel|denied|dismiss|not allowed|authoriz|user interaction/i

/**
 * The one error for "the OS keychain cannot be used right now": no Secret Service on the bus, no bus at all, a
 * locked keyring, a missing native module, a call that never returns. details.reason is always
 * 'keychain-unavailable' so callers and the renderer can recognise it without parsing text.
 */
export function keychainUnavailable(code: ErrorCode | undefined, operation: string, backend: string, cause: unknown, what?: string): DojangError {
  if (cause instanceof DojangError && cause.details.reason === 'keychain-unavailable') return cause
  const systemMessage = (cause instanceof Error ? cause.message : String(cause)).slice(0, 200)
  const chosen: ErrorCode = code ?? (REFUSED.test(systemMessage) ? 'PERMISSION_DENIED' : 'IO_ERROR')
  const why =
    what ??
    (chosen === 'PERMISSION_DENIED'
      ? 'the keyring is locked or access to it was refused'
      : 'no keyring service answered (on Linux: GNOME Keyring or another Secret Service must be running in your session)')
  return new DojangError(
    chosen,
    `The OS keychain cannot be used: ${why}. Certificates kept in 키체인 stay encrypted and untouched; unlock or start your keyring, then try again.`,
    { reason: 'keychain-unavailable', backend, operation, systemMessage },
    { cause },
  )
}
