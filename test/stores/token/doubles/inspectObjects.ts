// Prints every object of a SoftHSM token as JSON (after login), with the attributes that say whether a private key can
// leave the token, and whether reading its private exponent is refused. Independent of Dojang's worker on purpose.
// Usage (SOFTHSM2_CONF in the environment): tsx inspectObjects.ts <module> <serial> <pin>
import * as pkcs11js from 'pkcs11js'

const [module, serial, pin] = process.argv.slice(2) as [string, string, string]
const P = pkcs11js
const mod = new P.PKCS11()
mod.load(module)
mod.C_Initialize()
const bool = (b: Buffer | undefined): boolean | undefined => (b === undefined ? undefined : b[0] === 1)
try {
  const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).serialNumber.trim() === serial)
  if (!slot) throw new Error('token not found')
  const session = mod.C_OpenSession(slot, P.CKF_SERIAL_SESSION)
  mod.C_Login(session, P.CKU_USER, pin)
  const attr = (h: Buffer, type: number): Buffer | undefined => {
    try {
      return mod.C_GetAttributeValue(session, h, [{ type }])[0]?.value
    } catch {
      return undefined
    }
  }
  mod.C_FindObjectsInit(session, [])
  const handles = mod.C_FindObjects(session, 100)
  mod.C_FindObjectsFinal(session)
  const out = handles.map((h) => {
    const cls = attr(h, P.CKA_CLASS)!.readUInt32LE(0)
    const o: Record<string, unknown> = {
      class: cls === P.CKO_CERTIFICATE ? 'certificate' : cls === P.CKO_PRIVATE_KEY ? 'private' : cls === P.CKO_PUBLIC_KEY ? 'public' : String(cls),
      label: attr(h, P.CKA_LABEL)?.toString('utf8'),
      id: attr(h, P.CKA_ID)?.toString('hex'),
      token: bool(attr(h, P.CKA_TOKEN)),
      private: bool(attr(h, P.CKA_PRIVATE)),
    }
    if (cls === P.CKO_PRIVATE_KEY) {
      o.sensitive = bool(attr(h, P.CKA_SENSITIVE))
      o.extractable = bool(attr(h, P.CKA_EXTRACTABLE))
      o.privateExponentReadable = attr(h, P.CKA_PRIVATE_EXPONENT) !== undefined
    }
    return o
  })
  mod.C_Logout(session)
  mod.C_CloseSession(session)
  process.stdout.write(JSON.stringify(out))
} finally {
  mod.C_Finalize()
}
