/**
 * The QR transfer sessions this core is running (휴대폰으로 복사 / 휴대폰에서 가져오기), by operation id, so the
 * confirm/decline and import commands can reach the session a start command opened. Kept beside the core (one
 * registry per Core) rather than in it: only the transfer commands need it.
 *
 * The registry holds no URL and no key: the session object forgets both when it ends, and the commands hand the URL
 * out exactly once (as a QR image to the page, as text to the CLI).
 */
import type { LanAddress, SessionLimits, UploadFile } from '../transfer'
import { lanAddresses } from '../transfer'
import type { Core } from './core'

export interface TransferSettings {
  /** The addresses a session may listen on (default: this machine's LAN addresses). Tests give 127.0.0.1. */
  networks: () => LanAddress[]
  /** The host the QR names instead of the bind address (tests: a `.test` name Chromium maps onto 127.0.0.1). */
  advertiseHost?: string
  /** Tests only: a shorter expiry or a manual clock. */
  limits?: SessionLimits
}

export interface RunningTransfer {
  kind: 'share' | 'receive'
  confirm(): boolean
  reject(): boolean
  /** Set when a phone has claimed the session (confirm/decline are refused before). */
  claimed: boolean
  /** Receive: the file the phone uploaded, waiting for the person to choose where it goes. */
  received?: UploadFile
  /** Receive: ends the operation once the file is imported. */
  imported?: (summary: { locations: string[] }) => void
}

export class TransferSessions {
  settings: TransferSettings = { networks: () => lanAddresses() }
  readonly running = new Map<number, RunningTransfer>()
}

const registries = new WeakMap<Core, TransferSessions>()

export function transferSessions(core: Core): TransferSessions {
  let r = registries.get(core)
  if (!r) {
    r = new TransferSessions()
    registries.set(core, r)
  }
  return r
}

/** Test seam and CLI defaults: which networks are offered, the advertised host, the session limits. */
export function configureTransfer(core: Core, settings: Partial<TransferSettings>): void {
  const r = transferSessions(core)
  r.settings = { ...r.settings, ...settings }
}
