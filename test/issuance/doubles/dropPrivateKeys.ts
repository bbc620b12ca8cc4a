// Destroys every private key on a SoftHSM token, outside Dojang (a token that lost the key between the CA's answer
// and storing the certificate). Usage (SOFTHSM2_CONF in the environment): tsx dropPrivateKeys.ts <module> <serial> <pin>
import * as pkcs11js from 'pkcs11js'

const [module, serial, pin] = process.argv.slice(2) as [string, string, string]
const P = pkcs11js
const mod = new P.PKCS11()
mod.load(module)
mod.C_Initialize()
try {
  const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).serialNumber.trim() === serial)
  if (!slot) throw new Error('token not found')
  const session = mod.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION)
  mod.C_Login(session, P.CKU_USER, pin)
  mod.C_FindObjectsInit(session, [{ type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY }])
  const keys = mod.C_FindObjects(session, 100)
  mod.C_FindObjectsFinal(session)
  for (const k of keys) mod.C_DestroyObject(session, k)
  mod.C_Logout(session)
  mod.C_CloseSession(session)
  process.stdout.write(String(keys.length))
} finally {
  mod.C_Finalize()
}
