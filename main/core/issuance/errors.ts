/**
 * What can go wrong talking to a CA, as DojangErrors a person can act on. Details carry only what the CA said
 * and what we checked (status, failure bits, a reason word); never a code, password, key or message bytes.
 */
import { DojangError } from '../../../common/errors'
import type { FailureName, PkiStatusInfo } from './messages'

export type Unreachable = 'refused' | 'timeout' | 'closed' | 'network' | 'http-status' | 'not-cmp'

export function caUnreachable(reason: Unreachable, message: string, details: Record<string, string | number> = {}, cause?: unknown): DojangError {
  return new DojangError('CA_UNREACHABLE', message, { reason, ...details }, { cause })
}

/** The answer is not acceptable: malformed, unprotected, tampered, for another transaction or another key. */
export function caBadResponse(reason: string, message: string, details: Record<string, string | number | boolean> = {}, cause?: unknown): DojangError {
  return new DojangError('CA_BAD_RESPONSE', message, { reason, ...details }, { cause })
}

export function cancelled(): DojangError {
  return new DojangError('CANCELLED', 'Talking to the certificate authority was cancelled.')
}

/** What a person should do for each failure bit, as a stable hint word the front ends can translate. */
const HINTS: Partial<Record<FailureName, string>> = {
  badMessageCheck: 'checkCodes',
  wrongIntegrity: 'checkCodes',
  notAuthorized: 'checkCodes',
  signerNotTrusted: 'checkCodes',
  badCertId: 'unknownCertificate',
  certRevoked: 'certificateRevoked',
  certConfirmed: 'alreadyConfirmed',
  duplicateCertReq: 'alreadyUsed',
  transactionIdInUse: 'retry',
  badTime: 'checkClock',
  badPOP: 'requestNotUnderstood',
  badCertTemplate: 'requestNotUnderstood',
  badRequest: 'requestNotUnderstood',
  badDataFormat: 'requestNotUnderstood',
  badAlg: 'checkProfile',
  unsupportedVersion: 'checkProfile',
  wrongAuthority: 'checkProfile',
  badRecipientNonce: 'retry',
  badSenderNonce: 'retry',
  systemUnavail: 'tryLater',
  systemFailure: 'tryLater',
}

/** Failure bits that mean "the CA could not verify who we are": the codes or the signing certificate. */
const AUTH_BITS: FailureName[] = ['badMessageCheck', 'wrongIntegrity', 'notAuthorized', 'signerNotTrusted']

/**
 * A refusal (status rejection, or an `error` message) as a typed error. `verified` says whether the refusal's
 * own protection checked out (an unprotected error is reported but marked as such).
 */
export function fromStatus(info: PkiStatusInfo, operation: string, opts: { verified: boolean; errorCode?: number }): DojangError {
  const details: Record<string, string | number | boolean> = { operation, status: info.status, verified: opts.verified }
  if (info.failInfo.length) details.failInfo = info.failInfo.join(',')
  if (info.statusString[0]) details.statusText = info.statusString[0]
  if (opts.errorCode !== undefined) details.errorCode = opts.errorCode
  const hint = info.failInfo.map((f) => HINTS[f]).find((h) => h !== undefined)
  if (hint) details.hint = hint
  const said = info.statusString[0] ? ` The CA said: "${info.statusString[0]}".` : ''
  if (info.failInfo.some((f) => AUTH_BITS.includes(f))) {
    return new DojangError(
      'CA_AUTH_FAILED',
      `The certificate authority could not verify the request (${info.failInfo.join(', ')}): check the 참조번호 and 인가코드, or the certificate used to sign.${said}`,
      details,
    )
  }
  if (info.failInfo.includes('systemUnavail')) {
    return new DojangError('CA_BUSY', `The certificate authority is unavailable right now; try again later.${said}`, details)
  }
  return new DojangError('CA_REJECTED', `The certificate authority refused the ${operation} request${info.failInfo.length ? ` (${info.failInfo.join(', ')})` : ''}.${said}`, details)
}
