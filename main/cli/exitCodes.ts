import type { ErrorCode } from '../../common/errors'

/** Exit codes are part of the CLI's contract with helpdesk scripts: keep them stable. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  WRONG_PASSWORD: 3,
  CORRUPT_FILE: 4,
  UNSUPPORTED_ALGORITHM: 5,
  KEY_MISMATCH: 6,
  NOT_FOUND: 7,
  WEAK_PASSWORD: 8,
  VID_MISMATCH: 9,
  FILE_SYSTEM: 10,
  CONFLICT: 11,
  CA_UNREACHABLE: 12,
  CA_REJECTED: 13,
  CA_AUTH_FAILED: 14,
  CA_BAD_RESPONSE: 15,
  CA_BUSY: 16,
  /** The security token, its module or the token's answer (TOKEN_UNAVAILABLE, TOKEN_MODULE_INVALID, TOKEN_REFUSED). */
  TOKEN: 17,
  PIN_LOCKED: 18,
  KEY_NOT_EXPORTABLE: 19,
  /** The certificate has expired (renew refused: ask the bank or CA for new codes and issue it anew). */
  CERT_EXPIRED: 20,
} as const

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'WRONG_PASSWORD':
    case 'WRONG_PIN':
      return EXIT.WRONG_PASSWORD
    case 'CORRUPT_FILE':
      return EXIT.CORRUPT_FILE
    case 'UNSUPPORTED_ALGORITHM':
      return EXIT.UNSUPPORTED_ALGORITHM
    case 'KEY_MISMATCH':
      return EXIT.KEY_MISMATCH
    case 'MISSING_FILE':
    case 'NOT_FOUND':
      return EXIT.NOT_FOUND
    case 'WEAK_PASSWORD':
      return EXIT.WEAK_PASSWORD
    case 'INVALID_INPUT':
      return EXIT.USAGE
    case 'PERMISSION_DENIED':
    case 'DISK_FULL':
    case 'IO_ERROR':
      return EXIT.FILE_SYSTEM
    case 'CONFLICT':
      return EXIT.CONFLICT
    case 'CA_UNREACHABLE':
      return EXIT.CA_UNREACHABLE
    case 'CA_REJECTED':
      return EXIT.CA_REJECTED
    case 'CA_AUTH_FAILED':
      return EXIT.CA_AUTH_FAILED
    case 'CA_BAD_RESPONSE':
      return EXIT.CA_BAD_RESPONSE
    case 'CA_BUSY':
      return EXIT.CA_BUSY
    case 'TOKEN_UNAVAILABLE':
    case 'TOKEN_MODULE_INVALID':
    case 'TOKEN_REFUSED':
      return EXIT.TOKEN
    case 'PIN_LOCKED':
      return EXIT.PIN_LOCKED
    case 'KEY_NOT_EXPORTABLE':
      return EXIT.KEY_NOT_EXPORTABLE
    case 'CERT_EXPIRED':
      return EXIT.CERT_EXPIRED
    default:
      return EXIT.FAILURE
  }
}
