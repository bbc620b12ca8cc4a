/**
 * Error codes shared by main, preload, renderer and the CLI. Errors are values with a code so that every layer
 * can translate them for people without parsing messages.
 */
export const ERROR_CODES = [
  'WRONG_PASSWORD', // the password does not open the key (nothing was changed)
  'CORRUPT_FILE', // a file is damaged or is not what its name says
  'UNSUPPORTED_ALGORITHM', // a well-formed file that uses a scheme Dojang cannot handle
  'KEY_MISMATCH', // the private key does not belong to the certificate next to it
  'MISSING_FILE', // a certificate folder lacks a required file (e.g. signPri.key)
  'NOT_FOUND',
  'CONFLICT',
  'PERMISSION_DENIED',
  'DISK_FULL',
  'IO_ERROR',
  'WEAK_PASSWORD',
  'INVALID_INPUT',
  'CANCELLED',
  'CA_REJECTED',
  'INTERNAL',
  'CA_UNREACHABLE', // the CA did not answer: connection refused, timeout, network down
  'CA_AUTH_FAILED', // the CA's reply cannot be verified with our codes: most often a wrong 인가코드 or 참조번호
  'CA_BAD_RESPONSE', // the CA answered something we must not accept (malformed, unprotected, tampered, wrong key)
  'CA_BUSY', // the CA asked us to wait longer than we are willing to
  'TOKEN_UNAVAILABLE', // the security token (보안토큰) or its PKCS#11 module did not answer, crashed or was removed
  'TOKEN_MODULE_INVALID', // the file given as a PKCS#11 module is not one (or is for another architecture)
  'WRONG_PIN', // the token refused the PIN (details.pinState tells whether few tries are left)
  'PIN_LOCKED', // the token's user PIN is locked after too many wrong tries
  'KEY_NOT_EXPORTABLE', // a private key on a token never leaves it: reading or copying it out is refused
  'TOKEN_REFUSED', // the token refused an operation (write-protected, full, or does not accept imported keys)
  'CERT_EXPIRED', // the certificate has expired: it cannot be renewed (갱신), only issued anew with fresh codes from the bank
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export class DojangError extends Error {
  readonly code: ErrorCode
  /** Non-secret facts that help a person or a helpdesk ticket (file names, OIDs, counts). */
  readonly details: Readonly<Record<string, string | number | boolean>>

  constructor(code: ErrorCode, message: string, details: Record<string, string | number | boolean> = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DojangError'
    this.code = code
    this.details = details
  }
}

export function isDojangError(e: unknown, code?: ErrorCode): e is DojangError {
  return e instanceof DojangError && (code === undefined || e.code === code)
}
