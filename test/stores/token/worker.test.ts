// The token worker's process isolation: a worker that crashes or hangs (test doubles speaking the same transport)
// gives the caller a typed error, this process lives on, and the next call gets a fresh, working worker.
import { fork } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultWorkerEntry, forkWorker, TokenWorkerClient, type SpawnWorker } from '../../../main/core/stores/token'
import { utilityProcessWorker, type UtilityProcessLike } from '../../../main/core/stores/token/utilityProcessWorker'
import { errorOf } from '../../support/errors'

const DOUBLES = join(__dirname, 'doubles')
const TSX = ['--import', 'tsx']
const crashing = forkWorker({ script: join(DOUBLES, 'crashingWorker.ts'), execArgv: TSX })
const hanging = forkWorker({ script: join(DOUBLES, 'hangingWorker.ts'), execArgv: TSX })
const real = forkWorker()

/** Electron's utilityProcess, played by a Node child whose worker sees a `process.parentPort` (parentPortShim.ts). */
const replies: unknown[] = []
const fakeUtilityProcess: UtilityProcessLike = {
  fork(modulePath, args, options) {
    const child = fork(modulePath, args ?? [], {
      execArgv: ['--import', 'tsx', '--import', join(DOUBLES, 'parentPortShim.ts')],
      env: options?.env ?? process.env,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    child.on('message', (m) => replies.push(m))
    return {
      get pid() {
        return child.pid
      },
      postMessage: (m) => child.send(m as object),
      on(event: 'message' | 'exit', listener: (arg: never) => void) {
        if (event === 'message') child.on('message', (m) => (listener as (m: unknown) => void)(m))
        else child.on('exit', (code) => (listener as (c: number) => void)(code ?? -1))
        return this
      },
      kill: () => child.kill('SIGKILL'),
    } as ReturnType<UtilityProcessLike['fork']>
  },
}

/** The first worker is the double, every later one the real worker. */
function firstThenReal(first: SpawnWorker): SpawnWorker {
  let n = 0
  return () => (n++ === 0 ? first() : real())
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

let client: TokenWorkerClient | undefined
afterEach(() => {
  client?.close()
  client = undefined
})

describe('token worker isolation', () => {
  it('runs the TypeScript worker source under tests (no build needed)', async () => {
    expect(defaultWorkerEntry(join(__dirname, '../../../main/core/stores/token'))).toEqual({
      script: join(__dirname, '../../../main/core/stores/token/tokenWorker.ts'),
      execArgv: ['--import', 'tsx'],
    })
    client = new TokenWorkerClient()
    const { pid } = await client.request({ op: 'ping' })
    expect(pid).not.toBe(process.pid)
    expect(client.pid).toBe(pid)
  })

  it('a worker that crashes mid-call gives TOKEN_UNAVAILABLE, and the next call starts a fresh worker', async () => {
    client = new TokenWorkerClient({ spawn: firstThenReal(crashing) })
    const err = await errorOf(client.request({ op: 'listTokens', module: '/usr/lib/softhsm/libsofthsm2.so' }))
    expect(err.code).toBe('TOKEN_UNAVAILABLE')
    expect(err.details).toMatchObject({ reason: 'crashed', op: 'listTokens', signal: 'SIGSEGV' })
    expect(err.message).toMatch(/crashed/)
    const { pid } = await client.request({ op: 'ping' })
    expect(pid).toBeGreaterThan(0)
    expect(client.started).toBe(2)
  })

  it('a worker that hangs is killed after the timeout (TOKEN_UNAVAILABLE), and the next call works', async () => {
    let hungPid: number | undefined
    const spawnHanging: SpawnWorker = () => {
      const w = hanging()
      hungPid = w.pid
      return w
    }
    client = new TokenWorkerClient({ spawn: firstThenReal(spawnHanging), timeoutMs: 1500 })
    const err = await errorOf(client.request({ op: 'listTokens', module: '/usr/lib/softhsm/libsofthsm2.so' }))
    expect(err.code).toBe('TOKEN_UNAVAILABLE')
    expect(err.details).toMatchObject({ reason: 'timeout', op: 'listTokens' })
    expect(hungPid).toBeGreaterThan(0)
    await expect.poll(() => alive(hungPid!)).toBe(false)
    // The next call gets a fresh worker with the normal timeout behaviour.
    const { pid } = await client.request({ op: 'ping' }, { timeoutMs: 30_000 })
    expect(pid).not.toBe(hungPid)
    expect(client.started).toBe(2)
  })

  it('calls queued behind a hanging one still run, on a fresh worker', async () => {
    client = new TokenWorkerClient({ spawn: firstThenReal(hanging), timeoutMs: 1500 })
    const first = errorOf(client.request({ op: 'ping' }))
    const second = client.request({ op: 'ping' }, { timeoutMs: 30_000 })
    expect((await first).code).toBe('TOKEN_UNAVAILABLE')
    expect((await second).pid).toBeGreaterThan(0)
  })

  it('a worker script that does not exist is TOKEN_UNAVAILABLE, not a crash of Dojang', async () => {
    client = new TokenWorkerClient({ spawn: forkWorker({ script: join(DOUBLES, 'noSuchWorker.js'), execArgv: [] }) })
    const err = await errorOf(client.request({ op: 'ping' }))
    expect(err.code).toBe('TOKEN_UNAVAILABLE')
  })

  it('a closed client refuses further calls', async () => {
    client = new TokenWorkerClient()
    client.close()
    expect((await errorOf(client.request({ op: 'ping' }))).code).toBe('TOKEN_UNAVAILABLE')
  })

  it('runs as an Electron-style utility process, talking through process.parentPort', async () => {
    const worker = join(__dirname, '../../../main/core/stores/token/tokenWorker.ts')
    client = new TokenWorkerClient({ spawn: utilityProcessWorker(fakeUtilityProcess, { script: worker }) })
    const { pid } = await client.request({ op: 'ping' })
    expect(pid).toBeGreaterThan(0)
    expect(replies.at(-1)).toMatchObject({ ok: true, viaParentPort: true })
    expect((await client.request({ op: 'moduleInfo', module: '/usr/lib/softhsm/libsofthsm2.so' })).manufacturer).toBe('SoftHSM')
  })

  it('a crashing utility process is TOKEN_UNAVAILABLE too', async () => {
    client = new TokenWorkerClient({ spawn: utilityProcessWorker(fakeUtilityProcess, { script: join(DOUBLES, 'crashingWorker.ts') }) })
    const err = await errorOf(client.request({ op: 'ping' }))
    expect(err.code).toBe('TOKEN_UNAVAILABLE')
    expect(err.details.reason).toBe('crashed')
  })

  it('close() lets an idle worker finalize its modules and exit by itself', async () => {
    const exits: { code: number | null; signal: string | null }[] = []
    const spawn: SpawnWorker = () => {
      const w = real()
      w.onExit((e) => exits.push(e))
      return w
    }
    client = new TokenWorkerClient({ spawn })
    await client.request({ op: 'moduleInfo', module: '/usr/lib/softhsm/libsofthsm2.so' })
    client.close()
    await expect.poll(() => exits.length).toBe(1)
    expect(exits[0]).toEqual({ code: 0, signal: null })
  })
})
