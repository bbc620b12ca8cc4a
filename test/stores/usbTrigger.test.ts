import { EventEmitter } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MountedVolume, VolumeSource } from '../../main/core/stores/removable'
import {
  createRemovableWatcher,
  createUsbTrigger,
  createVolumePoller,
  defaultUsbEventSource,
  type UsbEvent,
  type UsbEventSource,
} from '../../main/core/stores/usbTrigger'
import { tempDir } from '../support/fixtures'
import { REPO, runTs } from './helpers'

/** An event source the test fires by hand. */
class FakeUsb implements UsbEventSource {
  readonly emitter = new EventEmitter()
  unrefs = 0
  on(event: UsbEvent, fn: () => void) {
    this.emitter.on(event, fn)
  }
  off(event: UsbEvent, fn: () => void) {
    this.emitter.off(event, fn)
  }
  unref() {
    this.unrefs++
  }
  fire(event: UsbEvent) {
    this.emitter.emit(event, { deviceDescriptor: {} })
  }
  get listeners() {
    return this.emitter.listenerCount('attach') + this.emitter.listenerCount('detach')
  }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('createUsbTrigger', () => {
  it('debounces a burst of events into one onChange, once per burst', async () => {
    const usb = new FakeUsb()
    const onChange = vi.fn()
    const trigger = createUsbTrigger({ onChange, source: usb })
    expect(trigger.active).toBe(true)
    expect(usb.listeners).toBe(2)
    expect(usb.unrefs).toBe(1)

    usb.fire('attach')
    await vi.advanceTimersByTimeAsync(1000)
    usb.fire('attach') // a hub brings several devices: the wait starts again
    await vi.advanceTimersByTimeAsync(1000)
    usb.fire('detach')
    await vi.advanceTimersByTimeAsync(1499)
    expect(onChange).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(onChange).toHaveBeenCalledTimes(1)

    usb.fire('detach')
    await vi.advanceTimersByTimeAsync(1500)
    expect(onChange).toHaveBeenCalledTimes(2)
    trigger.dispose()
  })

  it('dispose removes the listeners and drops a pending call', async () => {
    const usb = new FakeUsb()
    const onChange = vi.fn()
    const trigger = createUsbTrigger({ onChange, source: usb, debounceMs: 200 })
    usb.fire('attach')
    trigger.dispose()
    trigger.dispose()
    expect(usb.listeners).toBe(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(onChange).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a failing onChange is reported, not thrown or left as an unhandled rejection', async () => {
    const usb = new FakeUsb()
    const errors: unknown[] = []
    const trigger = createUsbTrigger({
      onChange: async () => {
        throw new Error('rescan failed')
      },
      source: usb,
      onError: (e) => errors.push(e),
    })
    usb.fire('attach')
    await vi.advanceTimersByTimeAsync(1500)
    expect(errors).toHaveLength(1)
    expect((errors[0] as Error).message).toBe('rescan failed')
    trigger.dispose()
  })

  it('without a source it is inert', () => {
    const trigger = createUsbTrigger({ onChange: vi.fn(), source: null })
    expect(trigger.active).toBe(false)
    trigger.dispose()
  })

  it('uses injected timers when given', () => {
    const calls: Array<[number, () => void]> = []
    const timers = { setTimeout: (fn: () => void, ms: number) => (calls.push([ms, fn]), calls.length), clearTimeout: vi.fn() }
    const usb = new FakeUsb()
    const onChange = vi.fn()
    createUsbTrigger({ onChange, source: usb, timers, debounceMs: 42 })
    usb.fire('attach')
    usb.fire('attach')
    expect(calls.map(([ms]) => ms)).toEqual([42, 42])
    expect(timers.clearTimeout).toHaveBeenCalledWith(1)
    calls[1]![1]()
    expect(onChange).toHaveBeenCalledTimes(1)
  })
})

describe('defaultUsbEventSource', () => {
  it('is null on Linux without /sys/bus/usb, without loading the package', () => {
    const load = vi.fn()
    expect(defaultUsbEventSource({ platform: 'linux', sysUsbDevices: '/definitely/not/here', load })).toBeNull()
    expect(load).not.toHaveBeenCalled()
  })

  it('is null (and reports) when the package cannot be loaded or is not the expected one', () => {
    const errors: unknown[] = []
    const throwing = () => {
      throw new Error('Cannot find module usb')
    }
    expect(defaultUsbEventSource({ platform: 'darwin', load: throwing, onError: (e) => errors.push(e) })).toBeNull()
    expect(errors).toHaveLength(1)
    expect(defaultUsbEventSource({ platform: 'darwin', load: () => ({ usb: { addEventListener() {} } }) })).toBeNull()
    expect(defaultUsbEventSource({ platform: 'darwin', load: () => null })).toBeNull()
  })

  it('registers on the package and unrefs hotplug after the listener exists; errors inside are swallowed', () => {
    const emitter = new EventEmitter()
    const order: string[] = []
    const usb = {
      on: (e: string, fn: () => void) => (order.push(`on:${e}`), emitter.on(e, fn)),
      removeListener: (e: string, fn: () => void) => (order.push(`off:${e}`), emitter.removeListener(e, fn)),
      unrefHotplugEvents: () => {
        order.push('unref')
        throw new Error('native failure')
      },
    }
    const errors: unknown[] = []
    const source = defaultUsbEventSource({ platform: 'win32', load: () => ({ usb }), onError: (e) => errors.push(e) })!
    const onChange = vi.fn()
    const trigger = createUsbTrigger({ onChange, source, debounceMs: 10 })
    expect(order.slice(0, 2)).toEqual(['on:attach', 'unref'])
    emitter.emit('attach')
    trigger.dispose()
    expect(emitter.listenerCount('attach') + emitter.listenerCount('detach')).toBe(0)
    expect(errors.length).toBeGreaterThan(0)
  })
})

describe('createVolumePoller', () => {
  it('scans at once, then every interval for the duration, reporting only changes', async () => {
    let mounted: string[] = []
    const scan = vi.fn(async () => [...mounted])
    const seen: string[][] = []
    const poller = createVolumePoller({ scan, key: (r) => r.join('|'), onChange: (r) => seen.push(r), intervalMs: 1000, durationMs: 10_000 })
    poller.kick()
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual([[]])
    await vi.advanceTimersByTimeAsync(3000)
    mounted = ['/media/u/STICK'] // the volume mounts a few seconds after the device appears
    await vi.advanceTimersByTimeAsync(1000)
    expect(seen).toEqual([[], ['/media/u/STICK']])
    expect(poller.polling).toBe(true)
    await vi.advanceTimersByTimeAsync(10_000)
    const scans = scan.mock.calls.length
    expect(scans).toBeGreaterThanOrEqual(10)
    expect(scans).toBeLessThanOrEqual(11)
    expect(poller.polling).toBe(false)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(scan.mock.calls.length).toBe(scans) // stopped
    expect(seen).toHaveLength(2)

    // A new kick polls again and reports a removal.
    mounted = []
    poller.kick()
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual([[], ['/media/u/STICK'], []])
    poller.dispose()
    await vi.advanceTimersByTimeAsync(5000)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('never runs two scans at once and survives a failing scan', async () => {
    let running = 0
    let maxRunning = 0
    let n = 0
    const errors: unknown[] = []
    const scan = async () => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await new Promise((r) => setTimeout(r, 1500)) // slower than the interval
      running--
      if (++n === 2) throw new Error('volume vanished')
      return n
    }
    const poller = createVolumePoller({ scan, key: String, onChange: () => undefined, intervalMs: 500, durationMs: 6000, onError: (e) => errors.push(e) })
    poller.kick()
    poller.kick()
    await vi.advanceTimersByTimeAsync(12_000)
    expect(maxRunning).toBe(1)
    expect(errors).toHaveLength(1)
    expect(n).toBeGreaterThanOrEqual(3)
    poller.dispose()
  })
})

describe('createRemovableWatcher', () => {
  it('USB attach → debounce → poll until the new volume’s NPKI folder shows up as a store', async () => {
    // Real folders and real time (short intervals): volume discovery does real file system I/O.
    vi.useRealTimers()
    const tmp = await tempDir()
    try {
      const vol = join(tmp.dir, 'STICK')
      let volumes: MountedVolume[] = []
      const source: VolumeSource = { listVolumes: async () => volumes }
      const usb = new FakeUsb()
      const reports: string[][] = []
      const watcher = createRemovableWatcher({
        volumes: source,
        usb,
        onChange: (stores) => reports.push(stores.map((s) => s.id)),
        debounceMs: 100,
        intervalMs: 50,
        durationMs: 3000,
      })
      expect(watcher.usbActive).toBe(true)

      usb.fire('attach')
      await new Promise((r) => setTimeout(r, 60))
      expect(reports).toEqual([]) // still debouncing
      await vi.waitFor(() => expect(reports).toEqual([[]]))
      // A moment later the volume is mounted and holds an NPKI folder: the poll picks it up without another event.
      await mkdir(join(vol, 'NPKI'), { recursive: true })
      volumes = [{ root: vol, name: 'STICK', removable: true }]
      await vi.waitFor(() => expect(reports).toEqual([[], [join(vol, 'NPKI')]]))
      watcher.dispose()
      expect(usb.listeners).toBe(0)
    } finally {
      await tmp.cleanup()
    }
  })
})

describe('the real usb package', () => {
  beforeEach(() => {
    vi.useRealTimers()
  })

  it('default trigger loads, is disposed and the process exits by itself', () => {
    const code = `
      const { createUsbTrigger } = require('./main/core/stores/usbTrigger.ts')
      const t = createUsbTrigger({ onChange() {}, onError: (e) => console.error(String(e)) })
      console.log(JSON.stringify({ active: t.active }))
      t.dispose()
    `
    const r = runTs(code, { timeoutMs: 15_000 })
    expect(r.signal).toBeNull()
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout.trim())).toHaveProperty('active')
  })

  it('with listeners registered on the real package (guard forced open), the process still exits without dispose', () => {
    // /sys/bus/usb/devices is absent in containers, so point the guard at a folder that exists to load libusb for real.
    const code = `
      const { createUsbTrigger, defaultUsbEventSource } = require('./main/core/stores/usbTrigger.ts')
      const source = defaultUsbEventSource({ sysUsbDevices: ${JSON.stringify(REPO)}, onError: (e) => console.error(String(e)) })
      const t = createUsbTrigger({ onChange() {}, source })
      console.log(JSON.stringify({ active: t.active }))
    `
    const r = runTs(code, { timeoutMs: 15_000 })
    expect(r.signal).toBeNull()
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout.trim())).toEqual({ active: true })
  })
})
