// Puts a certificate and its key on a SoftHSM token the way another program (a bank's) might: its own labels, and a
// CKA_ID on the key that differs from the certificate's, so Dojang must pair them by modulus.
// Usage (SOFTHSM2_CONF in the environment): tsx bankObjects.ts <module> <serial> <pin> <cert.der> <plain pkcs8.der>
import { readFileSync } from 'node:fs'
import * as pkcs11js from 'pkcs11js'
import { parsePrivateKeyInfo } from '../../../../main/core/npki/pkcs8'
import { certificateFields } from '../../../../main/core/stores/token/hsmuProfile'

const [module, serial, pin, certFile, keyFile] = process.argv.slice(2) as [string, string, string, string, string]
const P = pkcs11js
const mod = new P.PKCS11()
mod.load(module)
mod.C_Initialize()
try {
  const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).serialNumber.trim() === serial)
  if (!slot) throw new Error('token not found')
  const session = mod.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION)
  mod.C_Login(session, P.CKU_USER, pin)
  const der = readFileSync(certFile)
  const f = certificateFields(der)
  const rsa = parsePrivateKeyInfo(readFileSync(keyFile)).rsa!
  mod.C_CreateObject(session, [
    { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
    { type: P.CKA_CERTIFICATE_TYPE, value: P.CKC_X_509 },
    { type: P.CKA_TOKEN, value: true },
    { type: P.CKA_LABEL, value: '홍길동 (은행 프로그램)' },
    { type: P.CKA_ID, value: Buffer.from([0x01]) },
    { type: P.CKA_SUBJECT, value: Buffer.from(f.subject) },
    { type: P.CKA_VALUE, value: der },
  ])
  mod.C_CreateObject(session, [
    { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
    { type: P.CKA_KEY_TYPE, value: P.CKK_RSA },
    { type: P.CKA_TOKEN, value: true },
    { type: P.CKA_PRIVATE, value: true },
    { type: P.CKA_SENSITIVE, value: true },
    { type: P.CKA_LABEL, value: 'bank key' },
    { type: P.CKA_ID, value: Buffer.from([0x02]) },
    { type: P.CKA_SIGN, value: true },
    { type: P.CKA_MODULUS, value: Buffer.from(rsa.n) },
    { type: P.CKA_PUBLIC_EXPONENT, value: Buffer.from(rsa.e) },
    { type: P.CKA_PRIVATE_EXPONENT, value: Buffer.from(rsa.d) },
    { type: P.CKA_PRIME_1, value: Buffer.from(rsa.p) },
    { type: P.CKA_PRIME_2, value: Buffer.from(rsa.q) },
    { type: P.CKA_EXPONENT_1, value: Buffer.from(rsa.dp) },
    { type: P.CKA_EXPONENT_2, value: Buffer.from(rsa.dq) },
    { type: P.CKA_COEFFICIENT, value: Buffer.from(rsa.qinv) },
  ])
  mod.C_Logout(session)
  mod.C_CloseSession(session)
} finally {
  mod.C_Finalize()
}
