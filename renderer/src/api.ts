/**
 * Typed access to window.dojang (built by the preload in the app and by the test transport in Chromium). Every
 * method resolves to a Result value; here it becomes a value or a thrown ApiError carrying the error code, so
 * screens can `await call(...)` and translate failures by code instead of by message.
 */
import type { DojangApi, DojangEvent, ErrorView, MethodName, RequestOf, ResponseOf, Result } from '../../common/contract'
import type { ErrorCode } from '../../common/errors'
import type { MessageKey, Translate } from './i18n'

declare global {
  interface Window {
    dojang?: DojangApi
  }
}

export class ApiError extends Error {
  readonly code: ErrorCode
  readonly details: ErrorView['details']
  readonly method: MethodName

  constructor(method: MethodName, error: ErrorView) {
    super(error.message)
    this.name = 'ApiError'
    this.method = method
    this.code = error.code
    this.details = error.details
  }
}

export function isApiError(e: unknown, code?: ErrorCode): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code)
}

function api(): DojangApi {
  const a = window.dojang
  if (!a) throw new ApiError('getSettings', { code: 'INTERNAL', message: 'window.dojang is not available', details: {} })
  return a
}

export async function call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
  // TypeScript cannot correlate the mapped type with a generic key; the contract guarantees the shape.
  const fn = api()[method] as unknown as (req: RequestOf<M>) => Promise<Result<ResponseOf<M>>>
  let result: Result<ResponseOf<M>>
  try {
    result = await fn(request)
  } catch {
    // A broken bridge (not a handler failure: those come back as values).
    throw new ApiError(method, { code: 'INTERNAL', message: `${method}: the call did not reach Dojang`, details: { method } })
  }
  if (result.ok) return result.value
  throw new ApiError(method, result.error)
}

export function subscribe(listener: (event: DojangEvent) => void): () => void {
  const a = window.dojang
  if (!a) return () => {}
  return a.subscribe(listener)
}

// Every error code must have a sentence: a new code in common/errors.ts fails the typecheck until translated.
const errorKeys: Record<ErrorCode, MessageKey> = {
  WRONG_PASSWORD: 'error.WRONG_PASSWORD',
  CORRUPT_FILE: 'error.CORRUPT_FILE',
  UNSUPPORTED_ALGORITHM: 'error.UNSUPPORTED_ALGORITHM',
  KEY_MISMATCH: 'error.KEY_MISMATCH',
  MISSING_FILE: 'error.MISSING_FILE',
  NOT_FOUND: 'error.NOT_FOUND',
  CONFLICT: 'error.CONFLICT',
  PERMISSION_DENIED: 'error.PERMISSION_DENIED',
  DISK_FULL: 'error.DISK_FULL',
  IO_ERROR: 'error.IO_ERROR',
  WEAK_PASSWORD: 'error.WEAK_PASSWORD',
  INVALID_INPUT: 'error.INVALID_INPUT',
  CANCELLED: 'error.CANCELLED',
  CA_REJECTED: 'error.CA_REJECTED',
  INTERNAL: 'error.INTERNAL',
  CA_UNREACHABLE: 'error.CA_UNREACHABLE',
  CA_AUTH_FAILED: 'error.CA_AUTH_FAILED',
  CA_BAD_RESPONSE: 'error.CA_BAD_RESPONSE',
  CA_BUSY: 'error.CA_BUSY',
  TOKEN_UNAVAILABLE: 'error.TOKEN_UNAVAILABLE',
  TOKEN_MODULE_INVALID: 'error.TOKEN_MODULE_INVALID',
  WRONG_PIN: 'error.WRONG_PIN',
  PIN_LOCKED: 'error.PIN_LOCKED',
  KEY_NOT_EXPORTABLE: 'error.KEY_NOT_EXPORTABLE',
  TOKEN_REFUSED: 'error.TOKEN_REFUSED',
  CERT_EXPIRED: 'error.CERT_EXPIRED',
}

/** Per-screen wording for a code, e.g. WRONG_PASSWORD in the import dialog is about the PFX file's password. */
export type ErrorOverrides = Partial<Record<ErrorCode, MessageKey>>

/** A sentence for people: what happened and what to do next, in the current language. */
export function errorText(e: unknown, t: Translate, overrides: ErrorOverrides = {}): string {
  if (!(e instanceof ApiError)) return t('error.INTERNAL')
  return errorViewText(e, t, overrides)
}

/** The same for an error that arrived as a value (a failed operation, one copy of a password change). */
export function errorViewText(e: Pick<ErrorView, 'code' | 'details'>, t: Translate, overrides: ErrorOverrides = {}): string {
  const override = overrides[e.code]
  if (override) return t(override)
  if (e.code === 'WRONG_PASSWORD' && e.details.kmPasswordDiffers === true) return t('error.WRONG_PASSWORD.kmDiffers')
  // After 발급/갱신 the code says what failed; the hint says where the new certificate is (or that none was issued).
  if (e.details.hint === 'issued-kept') return `${t(errorKeys[e.code])} ${t('error.issuedKept')}`
  if (e.details.hint === 'issued-not-kept') return t('error.issuedNotKept')
  return t(errorKeys[e.code])
}
