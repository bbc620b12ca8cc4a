/**
 * One test CA per test file: the front over OpenSSL's CMP mock (cmpFront.ts), started before the file's tests and
 * stopped after them, with the 참조번호 / 인가코드 it accepts.
 */
import { afterAll, beforeAll } from 'vitest'
import { startCaFront, type CaFront } from './cmpFront'
import { createTestPki, type TestPki } from './cmpServer'

export const TEST_REF = '12345678'
export const TEST_AUTH = 'ABCD-EFGH-1234'

export interface TestCa {
  readonly pki: TestPki
  readonly front: CaFront
}

export function useTestCa(opts: { ref?: string; auth?: string } = {}): TestCa {
  let pki: TestPki | undefined
  let front: CaFront | undefined
  beforeAll(async () => {
    pki = createTestPki()
    front = await startCaFront(pki, { ref: opts.ref ?? TEST_REF, auth: opts.auth ?? TEST_AUTH })
  }, 60_000)
  afterAll(async () => {
    await front?.stop()
    pki?.cleanup()
  })
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the test CA starts in beforeAll: use it inside a test or hook')
    return v
  }
  return {
    get pki() {
      return started(pki)
    },
    get front() {
      return started(front)
    },
  }
}
