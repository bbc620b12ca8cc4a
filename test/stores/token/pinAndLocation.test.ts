// PIN retry flags as a person reads them (SoftHSM only ever raises COUNT_LOW, so the other flags are checked on the
// decoding itself), PKCS#11 errors as Dojang errors, and the token location spelling.
import * as pkcs11js from 'pkcs11js'
import { describe, expect, it } from 'vitest'
import { isTokenLocation, parseTokenLocation, tokenLocation, tokenStoreId } from '../../../main/core/stores/token'
import { toDojangError } from '../../../main/core/stores/token/pkcs11Errors'
import { pinStateOf } from '../../../main/core/stores/token/pkcs11Ops'

describe('PIN state', () => {
  it('decodes CKF_USER_PIN_* flags, the worst one winning', () => {
    expect(pinStateOf(pkcs11js.CKF_TOKEN_INITIALIZED | pkcs11js.CKF_LOGIN_REQUIRED)).toBe('ok')
    expect(pinStateOf(pkcs11js.CKF_USER_PIN_COUNT_LOW)).toBe('count-low')
    expect(pinStateOf(pkcs11js.CKF_USER_PIN_COUNT_LOW | pkcs11js.CKF_USER_PIN_FINAL_TRY)).toBe('final-try')
    expect(pinStateOf(pkcs11js.CKF_USER_PIN_FINAL_TRY | pkcs11js.CKF_USER_PIN_LOCKED)).toBe('locked')
    expect(pinStateOf(pkcs11js.CKF_USER_PIN_TO_BE_CHANGED)).toBe('to-be-changed')
  })

  it('maps PKCS#11 return values to typed errors that say what to do', () => {
    const wrong = toDojangError(new Error('CKR_PIN_INCORRECT:160'), { action: 'log in to the token', pinState: 'final-try' })
    expect(wrong.code).toBe('WRONG_PIN')
    expect(wrong.message).toMatch(/One try is left/)
    expect(wrong.details).toMatchObject({ pinState: 'final-try', ckr: 'CKR_PIN_INCORRECT' })
    expect(toDojangError(new Error('CKR_PIN_LOCKED:164'), { action: 'x' }).code).toBe('PIN_LOCKED')
    expect(toDojangError(new Error('CKR_PIN_LEN_RANGE:162'), { action: 'x' }).code).toBe('INVALID_INPUT')
    expect(toDojangError(new Error('CKR_DEVICE_REMOVED:50'), { action: 'x' }).code).toBe('TOKEN_UNAVAILABLE')
    expect(toDojangError(new Error('CKR_TOKEN_WRITE_PROTECTED:226'), { action: 'x' }).code).toBe('TOKEN_REFUSED')
    expect(toDojangError(new Error('CKR_DEVICE_MEMORY:49'), { action: 'x' }).code).toBe('TOKEN_REFUSED')
    expect(toDojangError(new Error('CKR_ATTRIBUTE_SENSITIVE:17'), { action: 'x' }).code).toBe('KEY_NOT_EXPORTABLE')
    expect(toDojangError(new TypeError('bad argument'), { action: 'x' }).code).toBe('INTERNAL')
  })
})

describe('token locations', () => {
  it('round-trips serial and CKA_ID, and is owned by no other spelling', () => {
    const loc = tokenLocation('4257619f38ab79ea', '49945eb5662c0fbe97d611a12b0f87c1b8597153')
    expect(loc).toBe('token:4257619f38ab79ea/49945eb5662c0fbe97d611a12b0f87c1b8597153')
    expect(parseTokenLocation(loc)).toEqual({ serial: '4257619f38ab79ea', ref: '49945eb5662c0fbe97d611a12b0f87c1b8597153' })
    expect(parseTokenLocation(tokenLocation('A B/1', '01'))).toEqual({ serial: 'A B/1', ref: '01' })
    expect(parseTokenLocation(tokenLocation('s', `sha256-${'ab'.repeat(32)}`))?.ref).toBe(`sha256-${'ab'.repeat(32)}`)
    expect(tokenStoreId('s 1')).toBe('token:s%201')
    for (const bad of ['token:', 'token:/01', 'token:s/', 'token:s/0', 'token:s/zz', 'keychain:abc', '/home/hong/NPKI', 'token:%E0%A4%A/01', 42]) {
      expect(parseTokenLocation(bad)).toBeUndefined()
    }
    expect(isTokenLocation(loc)).toBe(true)
    expect(isTokenLocation('keychain:x')).toBe(false)
  })
})
