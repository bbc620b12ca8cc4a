/**
 * How a certificate on a token is spelled: `token:<serial>/<ref>`, where serial is the token's serial number
 * (URI-escaped) and ref the certificate's CKA_ID in lowercase hex, or `sha256-<fingerprint>` for a certificate
 * whose CKA_ID is empty or shared with another certificate. Only the token store reads this spelling.
 */
import { DojangError } from '../../../../common/errors'

export const TOKEN_PREFIX = 'token:'

const REF = /^(?:[0-9a-f]{2}){1,128}$|^sha256-[0-9a-f]{64}$/

export function tokenLocation(serial: string, ref: string): string {
  return `${TOKEN_PREFIX}${encodeURIComponent(serial)}/${ref}`
}

export function tokenStoreId(serial: string): string {
  return `${TOKEN_PREFIX}${encodeURIComponent(serial)}`
}

export interface TokenLocation {
  serial: string
  ref: string
}

/** The parts of a token location, or undefined when it is not one. */
export function parseTokenLocation(location: unknown): TokenLocation | undefined {
  if (typeof location !== 'string' || !location.startsWith(TOKEN_PREFIX)) return undefined
  const rest = location.slice(TOKEN_PREFIX.length)
  const slash = rest.indexOf('/')
  if (slash <= 0) return undefined
  let serial: string
  try {
    serial = decodeURIComponent(rest.slice(0, slash))
  } catch {
    return undefined
  }
  const ref = rest.slice(slash + 1)
  if (!serial || !REF.test(ref)) return undefined
  return { serial, ref }
}

export function requireTokenLocation(location: string, serial: string): TokenLocation {
  const loc = parseTokenLocation(location)
  if (!loc || loc.serial !== serial) {
    throw new DojangError('INVALID_INPUT', 'This is not a certificate on this security token.', { location: String(location), serial })
  }
  return loc
}
