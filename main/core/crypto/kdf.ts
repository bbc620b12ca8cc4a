// Password-based key derivation for NPKI private keys (npki-format.md §5.3–§5.5).
// SHA-1 and PBKDF2 come from node:crypto, which Electron (BoringSSL) provides as well.

import { createHash, pbkdf2Sync } from 'node:crypto'

/**
 * Upper bound for iteration counts read from files. Real files use 1024 or 2048; a corrupt or hostile file with
 * 2^31 iterations must not freeze the app (§5.2).
 */
export const MAX_KDF_ITERATIONS = 10_000_000

function checkIterations(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_KDF_ITERATIONS) {
    throw new RangeError(`KDF iteration count must be an integer in 1..${MAX_KDF_ITERATIONS}, got ${iterations}`)
  }
}

function checkBytes(name: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`)
}

/** PBKDF1 with SHA-1 (RFC 8018 §5.1) at its full 20-byte output: DK = SHA1(P‖salt), then SHA1(DK) repeatedly. */
export function pbkdf1Sha1(password: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
  checkBytes('password', password)
  checkBytes('salt', salt)
  checkIterations(iterations)
  let dk = createHash('sha1').update(password).update(salt).digest()
  for (let i = 1; i < iterations; i++) {
    const next = createHash('sha1').update(dk).digest()
    dk.fill(0)
    dk = next
  }
  const out = new Uint8Array(dk)
  dk.fill(0)
  return out
}

/**
 * Key and IV of variant A (OID 1.2.410.200004.1.15, pbeWithSHA1AndSEED-CBC), §5.3:
 * key = DK[0..16), iv = SHA1(DK[16..20))[0..16), with DK = PBKDF1-SHA1(password, salt, iterations).
 * (Variant C uses the same key with a fixed IV; the caller supplies that IV.)
 */
export function npkiSeedKeyIv(password: Uint8Array, salt: Uint8Array, iterations: number): { key: Uint8Array; iv: Uint8Array } {
  const dk = pbkdf1Sha1(password, salt, iterations)
  const key = dk.slice(0, 16)
  const digest = createHash('sha1').update(dk.subarray(16, 20)).digest()
  const iv = new Uint8Array(digest.subarray(0, 16))
  digest.fill(0)
  dk.fill(0)
  return { key, iv }
}

/** PBKDF2 (RFC 8018 §5.2) with HMAC-SHA1 or HMAC-SHA256, as PBES2 key files specify (§5.4). */
export function pbkdf2(prf: 'sha1' | 'sha256', password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number): Uint8Array {
  if (prf !== 'sha1' && prf !== 'sha256') throw new RangeError(`unsupported PBKDF2 PRF: ${String(prf as unknown)}`)
  checkBytes('password', password)
  checkBytes('salt', salt)
  checkIterations(iterations)
  // NPKI needs 16..32 bytes; a keyLength field from a corrupt file must not request megabytes.
  if (!Number.isInteger(dkLen) || dkLen < 1 || dkLen > 1024) {
    throw new RangeError(`PBKDF2 key length must be an integer in 1..1024, got ${dkLen}`)
  }
  const dk = pbkdf2Sync(password, salt, iterations, dkLen, prf)
  const out = new Uint8Array(dk)
  dk.fill(0)
  return out
}
