// Distinct NPKI-like certificates for the scan benchmark: the fixture signCert's extensions and key (policy,
// key usage, SAN with a VID), with a unique serial, holder name and validity per certificate, issued by one of five
// CAs, re-signed with a throwaway RSA key (no reader of the scan checks the signature).
import { generateKeyPairSync, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { children, encodeOid, encodeTlv, readSingle } from '../main/core/asn1/der'

const HONG_CERT = join(__dirname, '..', 'test', 'fixtures', 'npki', 'NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr', 'signCert.der')
const CAS = ['yessign', 'SignKorea', 'KICA', 'CrossCert', 'TradeSign']

const seq = (...p: Uint8Array[]) => encodeTlv(0x30, ...p)
const attr = (oid: string, tag: number, value: string) => encodeTlv(0x31, seq(encodeOid(oid), encodeTlv(tag, new Uint8Array(Buffer.from(value, 'utf8')))))
const utc = (d: Date) => encodeTlv(0x17, new Uint8Array(Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`)))
const gen = (d: Date) => encodeTlv(0x18, new Uint8Array(Buffer.from(`${d.toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`)))
const time = (d: Date) => (d.getUTCFullYear() >= 2050 ? gen(d) : utc(d))

/** `n` certificates; `from` offsets serials and names, so that two calls give different certificates. */
export function distinctCertificates(n: number, from = 0): Uint8Array[] {
  const fixture = new Uint8Array(readFileSync(HONG_CERT))
  const [tbs] = children(readSingle(fixture))
  // version, serial, signature, issuer, validity, subject, spki, extensions
  const f = children(tbs as NonNullable<typeof tbs>)
  const version = f[0]?.bytes as Uint8Array
  const sigAlg = f[2]?.bytes as Uint8Array
  const spki = f[6]?.bytes as Uint8Array
  const extensions = f[7]?.bytes as Uint8Array
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const out: Uint8Array[] = []
  const base = Date.UTC(2026, 0, 1)
  for (let i = from; i < from + n; i++) {
    const ca = CAS[i % CAS.length] as string
    const serial = Buffer.alloc(16)
    serial.writeUInt32BE(0x10000000 + i, 0)
    serial.writeUInt32BE(i * 2654435761 >>> 0, 12)
    const issuer = seq(attr('2.5.4.6', 0x13, 'KR'), attr('2.5.4.10', 0x13, ca), attr('2.5.4.11', 0x13, 'AccreditedCA'), attr('2.5.4.3', 0x13, `${ca}CA Class ${1 + (i % 3)}`))
    const subject = seq(
      attr('2.5.4.6', 0x13, 'kr'),
      attr('2.5.4.10', 0x13, ca),
      attr('2.5.4.11', 0x13, 'personal4IB'),
      attr('2.5.4.11', 0x0c, 'TESTBANK'),
      attr('2.5.4.3', 0x0c, `사용자${i}()00${String(i).padStart(20, '0')}`),
    )
    const notBefore = new Date(base - (i % 700) * 86_400_000)
    const notAfter = new Date(notBefore.getTime() + (i % 10 === 0 ? 30 * 365 : 365 + (i % 400)) * 86_400_000)
    const body = seq(version, encodeTlv(0x02, new Uint8Array(serial)), sigAlg, issuer, seq(time(notBefore), time(notAfter)), subject, spki, extensions)
    const signature = sign('sha256', body, privateKey)
    out.push(seq(body, sigAlg, encodeTlv(0x03, Uint8Array.of(0), new Uint8Array(signature))))
  }
  return out
}
