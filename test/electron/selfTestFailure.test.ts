import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it, vi } from 'vitest'
import { makeElectronMock, recorded } from './electronMock'

const userData = mkdtempSync(join(tmpdir(), 'dojang-electron-'))
const mock = makeElectronMock(userData)
vi.mock('electron', () => mock)
vi.mock('../../main/core/crypto/selfTest', () => ({ cryptoSelfTest: () => [{ check: 'SEED RFC 4269 B.1', message: 'wrong result' }] }))
afterAll(() => rmSync(userData, { recursive: true, force: true }))

it('refuses to start, says why and opens nothing when the crypto self-test fails', async () => {
  process.env.DOJANG_DATA_DIR = join(userData, 'data')
  await import('../../main/index')
  mock.fireReady()
  await vi.waitFor(() => expect(recorded.quitCalls).toBe(1))
  expect(recorded.opened).toEqual(['error:Dojang cannot start safely'])
  expect(recorded.windows).toHaveLength(0)
  expect(recorded.ipcHandlers.size).toBe(0)
})
