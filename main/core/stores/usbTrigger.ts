/**
 * "Something USB changed" → rescan removable volumes (platform-notes.md §3.2).
 *
 * The `usb` package (v2.18) is only a trigger: libusb cannot read files, and a stick's volume mounts a moment after
 * the device appears. So an attach/detach event is debounced, then the volumes are polled for a while and every
 * change of the set of NPKI folders is reported. Everything here is best effort: a machine without USB support
 * (a container, a locked-down PC) simply gets no events, never an exception or an unhandled rejection, and the
 * listeners never keep the process alive (tests and the CLI must be able to exit).
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { DiskStore } from './diskStore'
import { defaultVolumeSource, listRemovableStores, type VolumeSource } from './removable'

export type UsbEvent = 'attach' | 'detach'
type UsbListener = (device?: unknown) => void

export interface UsbEventSource {
  on(event: UsbEvent, fn: UsbListener): void
  off(event: UsbEvent, fn: UsbListener): void
  /** Lets the process exit although listeners are registered. */
  unref?(): void
}

/** The timer functions used; tests pass fakes or rely on vi.useFakeTimers (the defaults look up the globals per call). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    // A pending debounce or poll must not keep the CLI or a test process running.
    ;(t as { unref?: () => void }).unref?.()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]),
}

/** The part of `usb@2.18`'s `usb` export that we use (an EventEmitter with hotplug control). */
interface UsbModuleLike {
  on(event: string, fn: UsbListener): unknown
  removeListener(event: string, fn: UsbListener): unknown
  unrefHotplugEvents?(): void
}

function loadUsbPackage(): unknown {
  // CommonJS and ESM builds, vitest and tsx all provide one of these; `usb` is a native CommonJS package.
  const req = typeof require === 'function' ? require : createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'))
  return req('usb')
}

export interface DefaultUsbSourceOptions {
  platform?: NodeJS.Platform
  /** Linux: the folder whose presence shows that USB is visible at all (absent in containers). */
  sysUsbDevices?: string
  /** Test seam: how the `usb` package is loaded. */
  load?: () => unknown
  /** Told when the package cannot be loaded or used; never thrown. */
  onError?: (error: unknown) => void
}

/**
 * The `usb` package as an event source, or null when USB events are not available here. Loading is lazy (the
 * native module is only touched when the app asks for hotplug) and every call is guarded.
 */
export function defaultUsbEventSource(opts: DefaultUsbSourceOptions = {}): UsbEventSource | null {
  const platform = opts.platform ?? process.platform
  const report = (e: unknown) => {
    try {
      opts.onError?.(e)
    } catch {
      // A failing logger must not break the trigger.
    }
  }
  // Without /sys/bus/usb libusb has nothing to watch; some builds then fail asynchronously where we cannot catch it.
  if (platform === 'linux' && !existsSync(opts.sysUsbDevices ?? '/sys/bus/usb/devices')) return null
  let usb: UsbModuleLike
  try {
    const mod = (opts.load ?? loadUsbPackage)() as { usb?: unknown } | null
    const candidate = mod?.usb as Partial<UsbModuleLike> | undefined
    if (!candidate || typeof candidate.on !== 'function' || typeof candidate.removeListener !== 'function') return null
    usb = candidate as UsbModuleLike
  } catch (e) {
    report(e)
    return null
  }
  const unref = () => {
    try {
      usb.unrefHotplugEvents?.()
    } catch (e) {
      report(e)
    }
  }
  return {
    on(event, fn) {
      try {
        usb.on(event, fn)
      } catch (e) {
        report(e)
      }
      // Hotplug handling starts with the first listener; only then is there something to unref.
      unref()
    },
    off(event, fn) {
      try {
        usb.removeListener(event, fn)
      } catch (e) {
        report(e)
      }
    },
    unref,
  }
}

export interface UsbTriggerOptions {
  /** Called once per burst of USB events, `debounceMs` after the last one. May be async; rejections go to onError. */
  onChange: () => void | Promise<void>
  debounceMs?: number
  /** Default: the `usb` package (null or absent on machines without USB events: the trigger is then inert). */
  source?: UsbEventSource | null
  timers?: Timers
  onError?: (error: unknown) => void
}

export interface UsbTrigger {
  /** false when no event source is available; the app then relies on focus and manual rescans. */
  readonly active: boolean
  dispose(): void
}

export function createUsbTrigger(opts: UsbTriggerOptions): UsbTrigger {
  const debounceMs = opts.debounceMs ?? 1500
  const timers = opts.timers ?? realTimers
  const onError = (e: unknown) => {
    try {
      opts.onError?.(e)
    } catch {
      // Ignored: reporting must not turn into an unhandled exception.
    }
  }
  const source = opts.source === undefined ? defaultUsbEventSource({ onError }) : opts.source
  let pending: unknown
  let disposed = false

  const fire = () => {
    pending = undefined
    if (disposed) return
    try {
      Promise.resolve(opts.onChange()).catch(onError)
    } catch (e) {
      onError(e)
    }
  }
  const onEvent: UsbListener = () => {
    if (disposed) return
    if (pending !== undefined) timers.clearTimeout(pending)
    pending = timers.setTimeout(fire, debounceMs)
  }

  if (source) {
    try {
      source.on('attach', onEvent)
      source.on('detach', onEvent)
      source.unref?.()
    } catch (e) {
      onError(e)
    }
  }

  return {
    active: source !== null,
    dispose() {
      if (disposed) return
      disposed = true
      if (pending !== undefined) timers.clearTimeout(pending)
      pending = undefined
      if (!source) return
      try {
        source.off('attach', onEvent)
        source.off('detach', onEvent)
      } catch (e) {
        onError(e)
      }
    },
  }
}

// ---- Polling for volumes after a USB event ----

export interface VolumePollerOptions<T> {
  /** One scan, e.g. `() => listRemovableStores(source)`. */
  scan: () => Promise<T>
  /** Identity of a result: a change is reported when it differs from the last one reported. */
  key: (result: T) => string
  onChange: (result: T) => void
  intervalMs?: number
  /** How long a kick keeps polling: volumes mount a few seconds after the USB device appears. */
  durationMs?: number
  timers?: Timers
  now?: () => number
  onError?: (error: unknown) => void
}

export interface VolumePoller {
  /** Scans now and keeps scanning every intervalMs until durationMs after the latest kick. */
  kick(): void
  readonly polling: boolean
  dispose(): void
}

export function createVolumePoller<T>(opts: VolumePollerOptions<T>): VolumePoller {
  const intervalMs = opts.intervalMs ?? 1000
  const durationMs = opts.durationMs ?? 10_000
  const timers = opts.timers ?? realTimers
  const now = opts.now ?? (() => Date.now())
  let lastKey: string | undefined
  let until = 0
  let timer: unknown
  let scanning = false
  let rescanAfter = false
  let disposed = false

  const report = (e: unknown) => {
    try {
      opts.onError?.(e)
    } catch {
      // Ignored on purpose.
    }
  }

  const schedule = () => {
    if (disposed || timer !== undefined || now() >= until) return
    timer = timers.setTimeout(() => {
      timer = undefined
      void runScan()
    }, intervalMs)
  }

  async function runScan(): Promise<void> {
    if (disposed) return
    // One scan at a time; a kick during a scan asks for another one right after it.
    if (scanning) {
      rescanAfter = true
      return
    }
    scanning = true
    try {
      const result = await opts.scan()
      const key = opts.key(result)
      if (!disposed && key !== lastKey) {
        lastKey = key
        try {
          opts.onChange(result)
        } catch (e) {
          report(e)
        }
      }
    } catch (e) {
      report(e)
    } finally {
      scanning = false
    }
    if (rescanAfter) {
      rescanAfter = false
      return runScan()
    }
    schedule()
  }

  return {
    kick() {
      if (disposed) return
      until = now() + durationMs
      if (timer !== undefined) {
        timers.clearTimeout(timer)
        timer = undefined
      }
      void runScan()
    },
    get polling() {
      return !disposed && (scanning || timer !== undefined)
    },
    dispose() {
      disposed = true
      if (timer !== undefined) timers.clearTimeout(timer)
      timer = undefined
    },
  }
}

export interface RemovableWatcherOptions {
  /** Gets the full current list of removable NPKI stores whenever it may have changed. */
  onChange: (stores: DiskStore[]) => void
  volumes?: VolumeSource
  usb?: UsbEventSource | null
  debounceMs?: number
  intervalMs?: number
  durationMs?: number
  timers?: Timers
  now?: () => number
  onError?: (error: unknown) => void
}

export interface RemovableWatcher {
  /** Rescan now and for a while (app start, window focus, the refresh button). */
  rescan(): void
  readonly usbActive: boolean
  dispose(): void
}

/** USB trigger + debounce + poll, wired together for the app. */
export function createRemovableWatcher(opts: RemovableWatcherOptions): RemovableWatcher {
  const volumes = opts.volumes ?? defaultVolumeSource()
  const poller = createVolumePoller<DiskStore[]>({
    scan: () => listRemovableStores(volumes),
    key: (stores) => JSON.stringify(stores.map((s) => [s.id, s.medium, s.label])),
    onChange: opts.onChange,
    intervalMs: opts.intervalMs,
    durationMs: opts.durationMs,
    timers: opts.timers,
    now: opts.now,
    onError: opts.onError,
  })
  const trigger = createUsbTrigger({ onChange: () => poller.kick(), debounceMs: opts.debounceMs, source: opts.usb, timers: opts.timers, onError: opts.onError })
  return {
    rescan: () => poller.kick(),
    usbActive: trigger.active,
    dispose() {
      trigger.dispose()
      poller.dispose()
    },
  }
}
