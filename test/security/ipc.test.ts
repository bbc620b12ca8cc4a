/**
 * Issue 11, "IPC": every contract method, generated from METHOD_NAMES and the zod schemas so that a new method is
 * covered without editing this file. A foreign sender is refused before anything runs; malformed payloads (wrong
 * types, missing and extra fields, oversized strings and arrays) are refused with INVALID_INPUT naming the field,
 * never a value, and no handler runs; operations that write refuse copies and destinations outside the offered
 * media (NOT_FOUND) and leave every file as it was.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { METHOD_NAMES, requestSchemas, type MethodName, type Result } from '../../common/contract'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { snapshotDir } from '../../main/core/fsx'
import { createHandlers } from '../../main/handlers'
import { invokeMethod, registerIpc, type Handlers, type InvokeEventLike } from '../../main/ipc'
import { trustedPage } from '../../main/security'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'
import { malformedPayloads, SENTINEL, validSample } from './helpers/payloads'

/** Handlers that only record which method ran. */
function recordingHandlers(): { handlers: Handlers; calls: string[] } {
  const calls: string[] = []
  const handlers = Object.fromEntries(METHOD_NAMES.map((m) => [m, async () => void calls.push(m)])) as unknown as Handlers
  return { handlers, calls }
}

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>

function mockIpcMain(): { ipcMain: { handle(channel: string, l: Listener): void }; listeners: Map<string, Listener> } {
  const listeners = new Map<string, Listener>()
  return { ipcMain: { handle: (channel, l) => void listeners.set(channel, l) }, listeners }
}

const schemaOf = (m: MethodName) => requestSchemas[m]

describe('every contract method, through registerIpc with a mocked ipcMain', () => {
  const { handlers, calls } = recordingHandlers()
  const { ipcMain, listeners } = mockIpcMain()
  const channels = registerIpc(ipcMain, handlers, trustedPage())
  const own: InvokeEventLike = { senderFrame: { url: 'app://dojang/index.html' }, sender: { id: 1 } }
  const foreign: Array<[string, InvokeEventLike]> = [
    ['a web page', { senderFrame: { url: 'https://evil.example/' } }],
    ['a file:// page', { senderFrame: { url: 'file:///tmp/index.html' } }],
    ['another app:// host', { senderFrame: { url: 'app://other/index.html' } }],
    ['a dev server nobody configured', { senderFrame: { url: 'http://localhost:5173/' } }],
    ['a destroyed frame', { senderFrame: null }],
    ['no frame at all', {}],
  ]

  it('registers one channel per method', () => {
    expect(channels).toHaveLength(METHOD_NAMES.length)
    expect(new Set(listeners.keys()).size).toBe(METHOD_NAMES.length)
  })

  it.each([...METHOD_NAMES])('%s: refuses foreign senders with PERMISSION_DENIED before anything runs; accepts its own page', async (method) => {
    const listener = listeners.get(channels[METHOD_NAMES.indexOf(method)]!)!
    const payload = validSample(schemaOf(method) as never)
    calls.length = 0
    for (const [who, event] of foreign) {
      const r = (await listener(event, payload)) as Result<unknown>
      expect(!r.ok && r.error.code, `${method} from ${who}`).toBe('PERMISSION_DENIED')
    }
    expect(calls).toEqual([])
    const r = (await listener(own, payload)) as Result<unknown>
    expect(r.ok, JSON.stringify(r)).toBe(true)
    expect(calls).toEqual([method])
  })
})

describe('malformed payloads, generated from the schemas', () => {
  const { handlers, calls } = recordingHandlers()
  let total = 0

  it.each([...METHOD_NAMES])('%s: INVALID_INPUT naming the field, never a value; the handler never runs', async (method) => {
    const variants = malformedPayloads(schemaOf(method))
    expect(variants.length).toBeGreaterThanOrEqual(3) // not an object, an array, an extra field
    for (const v of variants) {
      calls.length = 0
      const r = await invokeMethod(handlers, method, v.payload)
      expect(r.ok, `${method} / ${v.what}`).toBe(false)
      if (r.ok) continue
      expect(r.error.code, `${method} / ${v.what}`).toBe('INVALID_INPUT')
      expect(r.error.message, `${method} / ${v.what}`).toContain(v.field || '(request)')
      expect(JSON.stringify(r.error), `${method} / ${v.what}`).not.toContain(SENTINEL)
      expect(calls, `${method} / ${v.what}`).toEqual([])
    }
    total += variants.length
  })

  afterAll(() => {
    process.stdout.write(`\nipc: ${total} malformed payloads over ${METHOD_NAMES.length} methods, all refused\n`)
  })
})

describe('operations that write refuse places outside the offered media, touching nothing', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  let core: Core
  let handlers: Handlers
  let folderA: string
  let stray: string
  let outsideRoot: string

  beforeAll(async () => {
    tmp = await tempDir()
    folderA = await copyHongFolder(join(tmp.dir, 'a'))
    // A real certificate folder and a real NPKI folder that Dojang never offered.
    stray = await copyHongFolder(join(tmp.dir, 'elsewhere'))
    outsideRoot = join(tmp.dir, 'outside', 'NPKI')
    await mkdir(outsideRoot, { recursive: true })
    core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [join(tmp.dir, 'a', 'NPKI')], volumeSource: null, frontEnd: 'app', emit: () => undefined })
    handlers = createHandlers(core, {
      chooseSavePath: async ({ defaultName }) => join(tmp.dir, 'saved', defaultName),
      chooseOpenPath: async () => null,
      chooseFolder: async () => outsideRoot,
    })
    await COMMANDS.scan(core)
  })
  afterAll(async () => {
    core.close()
    await tmp.cleanup()
  })

  /** A request that names the stray folder or the outside root wherever the schema has a place for one. */
  function aimedOutside(method: MethodName): unknown | undefined {
    const shape = (schemaOf(method) as unknown as { shape?: Record<string, unknown> }).shape ?? {}
    const base = validSample(schemaOf(method) as never) as Record<string, unknown>
    let aimed = false
    if ('location' in shape) {
      base.location = stray
      aimed = true
    }
    if ('locations' in shape) {
      base.locations = [stray]
      aimed = true
    }
    if ('to' in shape) {
      base.to = { medium: 'disk', root: outsideRoot }
      // The source of a copy is a listed one, so that only the destination is wrong.
      if ('location' in shape) base.location = folderA
      aimed = true
    }
    if (!aimed) return undefined
    for (const k of ['password', 'oldPassword', 'pfxPassword']) if (k in base) base[k] = FIXTURE_PASSWORD
    if ('bytes' in shape) base.bytes = new Uint8Array(16)
    return base
  }

  const aimable = METHOD_NAMES.filter((m) => {
    const shape = (requestSchemas[m] as unknown as { shape?: Record<string, unknown> }).shape ?? {}
    return 'location' in shape || 'locations' in shape || 'to' in shape
  })

  it('covers every method that names a copy or a destination', () => {
    expect(aimable).toEqual(expect.arrayContaining(['deleteCopy', 'changePassword', 'copyCertificate', 'importPfx', 'exportPfx']))
  })

  it.each(aimable)('%s: NOT_FOUND, and no file anywhere changed', async (method) => {
    const before = await snapshotDir(tmp.dir)
    const r = await invokeMethod(handlers, method, aimedOutside(method))
    expect(!r.ok && r.error.code, `${method}: ${JSON.stringify(r)}`).toBe('NOT_FOUND')
    const after = await snapshotDir(tmp.dir)
    // The inventory database may record the refusal in the audit log; no other file may change.
    const files = (m: Map<string, string>) => new Map([...m].filter(([k]) => !k.startsWith('data/inventory.db')))
    expect(files(after)).toEqual(files(before))
  })
})

describe('defects 1 and 4 stay fixed (issue 11)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  let core: Core
  let handlers: Handlers
  let picked: string | null
  beforeEach(async () => {
    tmp = await tempDir()
    await copyHongFolder(join(tmp.dir, 'a'))
    picked = null
    core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [join(tmp.dir, 'a', 'NPKI')], volumeSource: null, frontEnd: 'app', emit: () => undefined })
    handlers = createHandlers(core, { chooseSavePath: async () => null, chooseOpenPath: async () => null, chooseFolder: async () => picked })
  })
  afterEach(async () => {
    core.close()
    await tmp.cleanup()
  })

  it('1: the page cannot add a folder by name (PERMISSION_DENIED), only through main\'s folder dialog', async () => {
    const r = await invokeMethod(handlers, 'setSettings', { extraRoots: ['/tmp/anywhere'] })
    expect(!r.ok && r.error.code).toBe('PERMISSION_DENIED')
    expect(core.inventory.getSettings().extraRoots).toEqual([])
    // A folder the person picked in main's dialog is added; the page can then remove it by name.
    picked = join(tmp.dir, 'picked')
    await mkdir(picked)
    const added = await invokeMethod(handlers, 'addExtraRoot', {})
    expect(added.ok && core.inventory.getSettings().extraRoots).toEqual([picked])
    expect((await invokeMethod(handlers, 'setSettings', { extraRoots: [] })).ok).toBe(true)
    expect(core.inventory.getSettings().extraRoots).toEqual([])
    // startScan takes no folders from the page.
    const scan = await invokeMethod(handlers, 'startScan', { deep: ['/'] })
    expect(!scan.ok && scan.error.code).toBe('INVALID_INPUT')
  })

  it('4: a relative extra folder is refused, and one left by an older version is ignored by scan and listMedia', async () => {
    await expect(COMMANDS.addExtraRoot(core, { root: '~/NPKI' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(COMMANDS.addExtraRoot(core, { root: 'NPKI' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    core.inventory.setSetting('extraRoots', ['~/NPKI', 'relative/NPKI'])
    const media = await invokeMethod(handlers, 'listMedia', {})
    expect(media.ok, JSON.stringify(media)).toBe(true)
    const outcome = await COMMANDS.scan(core)
    expect(outcome.result.stats.certificatesFound).toBe(1)
    expect((await invokeMethod(handlers, 'listCertificates', {})).ok).toBe(true)
  })
})
