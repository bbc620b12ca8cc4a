// The worker as the app and the CLI run it: the electron-vite build's out/main/tokenWorker.js (an extra main-process
// entry), found from wherever the bundled core code sits (out/main or out/main/chunks). Needs `electron-vite build`
// first, like the CLI tests (`npm test` builds).
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultWorkerEntry, forkWorker, inspectModule, listTokens, TokenWorkerClient } from '../../../main/core/stores/token'
import { createSoftHsm, type SoftHsm } from '../../support/softhsm'

const OUT_MAIN = join(__dirname, '..', '..', '..', 'out', 'main')
const BUILT = join(OUT_MAIN, 'tokenWorker.js')

describe('built token worker', () => {
  let hsm: SoftHsm
  let client: TokenWorkerClient
  beforeAll(async () => {
    hsm = await createSoftHsm('built-worker')
    client = new TokenWorkerClient({ spawn: forkWorker({ script: BUILT, execArgv: [], env: hsm.env }) })
  })
  afterAll(async () => {
    client.close()
    await hsm.cleanup()
  })

  it('is found from the bundle folders, without tsx', () => {
    expect(defaultWorkerEntry(OUT_MAIN)).toEqual({ script: BUILT, execArgv: [] })
    expect(defaultWorkerEntry(join(OUT_MAIN, 'chunks'))).toEqual({ script: BUILT, execArgv: [] })
  })

  it('loads SoftHSM and lists the token', async () => {
    expect((await inspectModule(client, hsm.module)).manufacturer).toBe('SoftHSM')
    const tokens = await listTokens(client, hsm.module)
    expect(tokens.find((t) => t.serial === hsm.serial)?.label).toBe('built-worker')
  })
})
