import { encodeOid, encodeSmallInteger, encodeTlv, TAG } from '../../main/core/asn1/der'
import { OID } from '../../main/core/npki/pfx/oids'
import { dataContentInfo, safeContents } from '../../main/core/npki/pfx/structure'

/** A PFX with an empty SafeContents whose MAC asks for `iterations` (the digest is junk: it is never reached). */
export function hostileMacPfx(iterations: number): Uint8Array {
  const authSafe = safeContents([dataContentInfo(safeContents([]))])
  const macData = encodeTlv(
    TAG.SEQUENCE,
    encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.SEQUENCE, encodeOid(OID.sha1), encodeTlv(TAG.NULL)), encodeTlv(TAG.OCTET_STRING, new Uint8Array(20))),
    encodeTlv(TAG.OCTET_STRING, new Uint8Array(8)),
    encodeSmallInteger(iterations),
  )
  return encodeTlv(TAG.SEQUENCE, encodeSmallInteger(3), dataContentInfo(authSafe), macData)
}

