/**
 * PKCS#11 return values (CKR_*) as Dojang errors. Runs in the token worker; the parent receives the code, message and
 * details. Messages never contain a PIN, a password or key bytes.
 */
import { DojangError, isDojangError } from '../../../../common/errors'
import type { PinState } from './protocol'

/** What a failing call was about, for the message ("log in to the token", "store the key"). */
export interface ErrorContext {
  action: string
  /** The token's PIN state as last read, to say how many tries are left. */
  pinState?: PinState
}

const TOKEN_GONE = new Set([
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_DEVICE_ERROR',
  'CKR_SESSION_CLOSED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SLOT_ID_INVALID',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_GENERAL_ERROR',
  'CKR_FUNCTION_FAILED',
])

const REFUSED = new Set([
  'CKR_TOKEN_WRITE_PROTECTED',
  'CKR_DEVICE_MEMORY',
  'CKR_TEMPLATE_INCONSISTENT',
  'CKR_TEMPLATE_INCOMPLETE',
  'CKR_ATTRIBUTE_VALUE_INVALID',
  'CKR_ATTRIBUTE_TYPE_INVALID',
  'CKR_ATTRIBUTE_READ_ONLY',
  'CKR_FUNCTION_NOT_SUPPORTED',
  'CKR_MECHANISM_INVALID',
  'CKR_KEY_TYPE_INCONSISTENT',
  'CKR_ACTION_PROHIBITED',
  'CKR_KEY_FUNCTION_NOT_PERMITTED',
])

/** The CKR_ name of a pkcs11js error, or undefined for anything else. */
export function ckrName(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined
  const m = /\b(CKR_[A-Z0-9_]+)\b/.exec(e.message)
  return m?.[1]
}

export function pinTriesText(state: PinState | undefined): string {
  if (state === 'final-try') return ' One try is left before the token locks (1회 남음).'
  if (state === 'count-low') return ' Only a few tries are left before the token locks.'
  return ''
}

export function toDojangError(e: unknown, ctx: ErrorContext): DojangError {
  if (isDojangError(e)) return e
  const ckr = ckrName(e)
  const details: Record<string, string | number | boolean> = { action: ctx.action }
  if (ckr) details.ckr = ckr
  switch (ckr) {
    case 'CKR_PIN_INCORRECT':
      if (ctx.pinState) details.pinState = ctx.pinState
      return new DojangError('WRONG_PIN', `The token PIN is wrong.${pinTriesText(ctx.pinState)}`, details)
    case 'CKR_PIN_LOCKED':
      return new DojangError('PIN_LOCKED', 'The token PIN is locked after too many wrong tries; the token must be reset (보안토큰 초기화) and the certificate reissued.', details)
    case 'CKR_PIN_LEN_RANGE':
    case 'CKR_PIN_INVALID':
      return new DojangError('INVALID_INPUT', 'The token does not accept this PIN: check its length and characters.', { ...details, reason: 'pin-rejected' })
    case 'CKR_PIN_EXPIRED':
      return new DojangError('WRONG_PIN', 'The token PIN has expired: change it with the token maker\'s program first.', { ...details, pinState: 'to-be-changed' })
    case 'CKR_USER_PIN_NOT_INITIALIZED':
      return new DojangError('TOKEN_REFUSED', 'The token has no user PIN yet: initialize it with the token maker\'s program first.', details)
    case 'CKR_KEY_UNEXTRACTABLE':
    case 'CKR_ATTRIBUTE_SENSITIVE':
      return new DojangError('KEY_NOT_EXPORTABLE', 'A private key on a security token never leaves it.', details)
    case 'CKR_TOKEN_WRITE_PROTECTED':
      return new DojangError('TOKEN_REFUSED', `The token is write-protected: could not ${ctx.action}.`, details)
    case 'CKR_DEVICE_MEMORY':
      return new DojangError('TOKEN_REFUSED', `The token is full: could not ${ctx.action}. Remove a certificate you no longer need.`, details)
  }
  if (ckr && REFUSED.has(ckr)) {
    return new DojangError('TOKEN_REFUSED', `The token refused to ${ctx.action} (${ckr}); it may not accept keys made outside it.`, details)
  }
  if (ckr && TOKEN_GONE.has(ckr)) {
    return new DojangError('TOKEN_UNAVAILABLE', `The token did not ${ctx.action} (${ckr}): check that it is plugged in.`, details)
  }
  if (ckr) return new DojangError('TOKEN_UNAVAILABLE', `The token module failed to ${ctx.action} (${ckr}).`, details)
  const message = e instanceof Error ? e.message : String(e)
  return new DojangError('INTERNAL', `Could not ${ctx.action}: ${message}`, details)
}
