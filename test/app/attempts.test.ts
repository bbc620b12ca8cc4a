import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DojangError } from '../../common/errors'
import { AttemptLimiter } from '../../main/core/app/attempts'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { createHandlers } from '../../main/handlers'
import { invokeMethod } from '../../main/ipc'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'

const wrong = () => Promise.reject(new DojangError('WRONG_PASSWORD', 'wrong'))
const isWrong = (e: unknown) => e instanceof DojangError && e.code === 'WRONG_PASSWORD'

describe('AttemptLimiter', () => {
  it('answers the first five wrong passwords at once, then waits longer each time, capped', async () => {
    const slept: number[] = []
    const limiter = new AttemptLimiter({ sleep: async (ms) => void slept.push(ms) })
    for (let i = 0; i < 12; i++) await limiter.attempt('/a', wrong, isWrong).catch(() => undefined)
    expect(slept).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000])
  })

  it('counts per copy, ignores other errors and resets after a right password', async () => {
    const slept: number[] = []
    const limiter = new AttemptLimiter({ freeAttempts: 2, sleep: async (ms) => void slept.push(ms) })
    await limiter.attempt('/a', wrong, isWrong).catch(() => undefined)
    await limiter.attempt('/b', wrong, isWrong).catch(() => undefined)
    await limiter.attempt('/a', () => Promise.reject(new DojangError('CORRUPT_FILE', 'x')), isWrong).catch(() => undefined)
    expect(limiter.delayFor('/a')).toBe(0)
    await limiter.attempt('/a', wrong, isWrong).catch(() => undefined)
    expect(limiter.delayFor('/a')).toBe(1000)
    await limiter.attempt('/a', async () => 'ok', isWrong)
    expect(limiter.delayFor('/a')).toBe(0)
    expect(limiter.delayFor('/b')).toBe(0)
    expect(slept).toEqual([1000])
  })
})

describe('password attempts through the IPC handlers', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  let core: Core
  const slept: number[] = []
  beforeEach(async () => {
    tmp = await tempDir()
    await copyHongFolder(tmp.dir)
    slept.length = 0
    core = await openCore({
      dataDir: join(tmp.dir, 'data'),
      diskRoots: [join(tmp.dir, 'NPKI')],
      volumeSource: null,
      secretStore: null,
      frontEnd: 'app',
      attempts: new AttemptLimiter({ sleep: async (ms) => void slept.push(ms) }),
    })
    await COMMANDS.scan(core)
  })
  afterEach(async () => {
    core.close()
    await tmp.cleanup()
  })

  it('slows down repeated wrong passwords on checkPassword and verifyVid', async () => {
    const handlers = createHandlers(core, { chooseSavePath: async () => null, chooseOpenPath: async () => null, chooseFolder: async () => null })
    const location = (await COMMANDS.listCertificates(core))[0]!.copies[0]!.location
    for (let i = 0; i < 6; i++) {
      const r = await invokeMethod(handlers, 'checkPassword', { location, password: `guess-${i}` })
      expect(!r.ok && r.error.code).toBe('WRONG_PASSWORD')
    }
    const vid = await invokeMethod(handlers, 'verifyVid', { location, password: 'guess-7', idn: '8001011234567' })
    expect(!vid.ok && vid.error.code).toBe('WRONG_PASSWORD')
    expect(slept).toEqual([1000, 2000])
    const ok = await invokeMethod(handlers, 'checkPassword', { location, password: FIXTURE_PASSWORD })
    expect(ok.ok).toBe(true)
    expect(slept).toEqual([1000, 2000, 4000])
  })
})
