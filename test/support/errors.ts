import { DojangError } from '../../common/errors'

/** The DojangError code a promise rejects with, or 'OK'. Anything that is not a DojangError fails the test. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    if (e instanceof DojangError) return e.code
    throw e
  }
  return 'OK'
}

/** The same for a synchronous call. */
export function codeOfSync(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof DojangError) return e.code
    throw e
  }
  return 'OK'
}

/** The DojangError a promise rejects with; fails when it resolves or throws anything else. */
export async function errorOf(p: Promise<unknown>): Promise<DojangError> {
  try {
    await p
  } catch (e) {
    if (e instanceof DojangError) return e
    throw e
  }
  throw new Error('expected a DojangError')
}
