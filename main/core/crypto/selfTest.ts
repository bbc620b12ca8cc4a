/**
 * Known-answer checks of every primitive Dojang writes keys with, run at app start in the real runtime: Electron's
 * crypto is BoringSSL, not the OpenSSL the tests run on, and a wrong cipher there would write keys nobody can open.
 * Vectors: RFC 4269 B.1/B.2 (SEED), the PyPinkSign CBC vector, RFC 6070 (PBKDF2-HMAC-SHA1), and AES-256-CBC and
 * 3DES round trips.
 */
import { createHash } from 'node:crypto'
import { cbcDecrypt, cbcEncrypt } from './cbc'
import { pbkdf2 } from './kdf'
import { Seed128 } from './seed'
import { cbc8DecryptNoUnpad, cbc8Encrypt, strictUnpad8 } from './tripleDes'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)

export interface SelfTestFailure {
  check: string
  message: string
}

/** Runs every check; an empty list means the runtime computes what the standards say. */
export function cryptoSelfTest(): SelfTestFailure[] {
  const failures: SelfTestFailure[] = []
  const check = (name: string, fn: () => boolean) => {
    try {
      if (!fn()) failures.push({ check: name, message: 'wrong result' })
    } catch (e) {
      failures.push({ check: name, message: e instanceof Error ? e.message : String(e) })
    }
  }
  check('SEED RFC 4269 B.1', () => {
    const out = new Uint8Array(16)
    new Seed128(new Uint8Array(16)).encryptBlock(hex('000102030405060708090a0b0c0d0e0f'), 0, out, 0)
    return toHex(out) === '5ebac6e0054e166819aff1cc6d346cdb'
  })
  check('SEED RFC 4269 B.2 decrypt', () => {
    const out = new Uint8Array(16)
    new Seed128(hex('000102030405060708090a0b0c0d0e0f')).decryptBlock(hex('c11f22f20140505084483597e4370f43'), 0, out, 0)
    return toHex(out) === '00000000000000000000000000000000'
  })
  check('SEED-CBC PKCS#7', () => {
    const ct = cbcEncrypt('seed-128-cbc', ascii('abcdefghijklmnop'), ascii('0123456789abcdef'), ascii('TEST_MSG_IS_QUITE_LONG_ENOUGH!'))
    return toHex(ct) === 'ce9b783de4dd93bf52adbb3e59a7435b49d71e45703460fbdc655e2c5ca35fec'
  })
  check('PBKDF2-HMAC-SHA1 RFC 6070', () => toHex(pbkdf2('sha1', ascii('password'), ascii('salt'), 2, 20)) === 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957')
  check('SHA-256', () => createHash('sha256').update('abc').digest('hex') === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  check('AES-256-CBC round trip', () => {
    const key = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4')
    const iv = hex('000102030405060708090a0b0c0d0e0f')
    const pt = ascii('Dojang self-test, AES-256-CBC')
    return toHex(cbcDecrypt('aes-256-cbc', key, iv, cbcEncrypt('aes-256-cbc', key, iv, pt))) === toHex(pt)
  })
  check('3DES-CBC round trip', () => {
    const key = hex('0123456789abcdef23456789abcdef01456789abcdef0123')
    const iv = hex('1234567890abcdef')
    const pt = ascii('PKCS#12 key bags use 3DES')
    return toHex(strictUnpad8(cbc8DecryptNoUnpad('des-ede3-cbc', key, iv, cbc8Encrypt('des-ede3-cbc', key, iv, pt)))) === toHex(pt)
  })
  return failures
}
