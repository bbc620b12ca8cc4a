/**
 * X.509 certificate reading for NPKI files (npki-format.md §1, §3, §4, §9, §12).
 *
 * pkijs gives the outer structure; names and the extensions we care about are decoded from their raw DER with
 * asn1js so that a damaged extension becomes a clean CORRUPT_FILE instead of whatever a library does with it.
 * Every failure leaves this module as a DojangError.
 */
import { createHash, X509Certificate } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import iconv from 'iconv-lite'
import { daysLeft, EXPIRING_DAYS, expiryState as domainExpiryState, type ExpiryState } from '../../../common/domain'
import { DojangError, isDojangError } from '../../../common/errors'
import { caFromOrganization, classifyPolicies, type CaInfo, type PolicyInfo } from './policies'

export interface Rdn {
  /** Short name (CN, OU, O, C, …) or the dotted OID when there is no well-known short name. */
  type: string
  value: string
}

export interface CertificateInfo {
  /** The certificate's DER bytes (PEM input is decoded). */
  der: Uint8Array
  /** RFC 4514-style string, most specific RDN first (CN=…,OU=…,O=…,C=…). */
  subject: string
  /** Attributes in certificate (DER) order: least specific first. Multi-valued RDNs are flattened. */
  subjectRdns: Rdn[]
  commonName: string
  /** The person's or company's name taken from the CN (display only). */
  displayName: string
  /** A romanized or company part of the CN, e.g. `KILDONG.HONG` or `BizBank`. */
  displayDetail?: string
  issuer: string
  issuerRdns: Rdn[]
  issuerCommonName: string
  issuerOrganization: string
  ca: CaInfo
  /**
   * Lowercase hex of the serial's DER content bytes, without the 00 sign byte that DER adds before a high bit
   * (`03e9`, `459c75`, `8f01`): the same digits as `openssl x509 -serial` and Node's X509Certificate.
   */
  serialNumberHex: string
  notBefore: string
  notAfter: string
  policyOids: string[]
  policy: PolicyInfo
  keyUsage: string[]
  subjectKeyIdentifierHex?: string
  authorityKeyIdentifierHex?: string
  /** realName from the KISA identifyData otherName in subjectAltName. */
  sanRealName?: string
  vid?: { hashAlgOid: string; value: Uint8Array }
  publicKey: { algorithmOid: string; modulus?: Uint8Array; exponent?: Uint8Array }
  sha256FingerprintHex: string
  isSelfSigned: boolean
  kind: 'sign' | 'km' | 'unknown'
}

export type { ExpiryState } from '../../../common/domain'
/** Certificates are a few KiB; anything this large is not one and is not worth parsing. */
const MAX_INPUT_BYTES = 1 << 20

const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  certificatePolicies: '2.5.29.32',
  kisaIdentifyData: '1.2.410.200004.10.1.1',
  kisaVid: '1.2.410.200004.10.1.1.1',
} as const

/** RFC 4514 names plus a few common ones; everything else is written as a dotted OID. */
export const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
}

// Bit order of KeyUsage (RFC 5280 4.2.1.3).
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const

function corrupt(message: string, details: Record<string, string | number | boolean> = {}, cause?: unknown): DojangError {
  return new DojangError('CORRUPT_FILE', message, details, cause === undefined ? undefined : { cause })
}

/**
 * Parses a certificate file: DER, or PEM when it starts with `-----BEGIN` (after an optional BOM and whitespace).
 * DER may be followed by whitespace only. Throws CORRUPT_FILE for anything that is not one X.509 certificate.
 */
export function parseCertificate(bytes: Uint8Array): CertificateInfo {
  const der = certificateDer(bytes)
  try {
    return parseDer(der)
  } catch (e) {
    if (isDojangError(e)) throw e
    throw corrupt('The file is not a readable X.509 certificate', {}, e)
  }
}

/**
 * The certificate's DER from a file's bytes: PEM is decoded, DER may be followed by whitespace only. Shared by
 * `parseCertificate` and the fast summary reader (certSummary.ts), so both accept exactly the same files.
 */
export function certificateDer(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new DojangError('INVALID_INPUT', 'Certificate bytes must be a Uint8Array')
  if (bytes.length === 0) throw corrupt('The certificate file is empty')
  if (bytes.length > MAX_INPUT_BYTES) throw corrupt('The file is too large to be a certificate', { bytes: bytes.length })
  try {
    return isPem(bytes) ? pemToDer(bytes) : derOnly(bytes)
  } catch (e) {
    if (isDojangError(e)) throw e
    throw corrupt('The file is not a readable X.509 certificate', {}, e)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Input framing

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d
}

function isPem(bytes: Uint8Array): boolean {
  let i = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3
  while (i < bytes.length && isWhitespace(bytes[i] as number)) i++
  return Buffer.from(bytes.subarray(i, i + 10)).toString('latin1') === '-----BEGIN'
}

const CERT_PEM_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE'])

/**
 * Takes the first CERTIFICATE block; text around blocks is tolerated (openssl often prints a header), but the
 * block body itself must be clean base64. Scans with indexOf so that junk full of BEGIN lines stays linear.
 */
function pemToDer(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1')
  const labels: string[] = []
  let pos = 0
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', pos)
    if (begin === -1) break
    const labelStart = begin + '-----BEGIN '.length
    const labelEnd = text.indexOf('-----', labelStart)
    const label = labelEnd === -1 ? '' : text.slice(labelStart, labelEnd)
    if (!/^[A-Z0-9 ]{1,64}$/.test(label)) break
    const bodyStart = labelEnd + 5
    const endMarker = `-----END ${label}-----`
    const end = text.indexOf(endMarker, bodyStart)
    if (end === -1) break
    labels.push(label)
    pos = end + endMarker.length
    if (!CERT_PEM_LABELS.has(label)) continue
    const body = text.slice(bodyStart, end).replace(/\s+/g, '')
    if (body.length === 0 || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
      throw corrupt('The PEM certificate block is not valid base64')
    }
    return derOnly(new Uint8Array(Buffer.from(body, 'base64')))
  }
  if (labels.length > 0) {
    throw corrupt(`The PEM file holds ${labels.join(', ')}, not a certificate`, { pemLabel: labels[0] as string })
  }
  throw corrupt('The PEM file has no complete BEGIN/END block')
}

/**
 * Checks that the bytes are exactly one definite-length SEQUENCE, optionally followed by whitespace (some tools
 * append a newline). Anything else after the DER means the file is not what it claims to be.
 */
function derOnly(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0x30) throw corrupt('The file does not start with a DER SEQUENCE')
  if (bytes.length < 2) throw corrupt('The certificate is truncated', { bytes: bytes.length })
  const first = bytes[1] as number
  let len: number
  let hdr: number
  if (first < 0x80) {
    len = first
    hdr = 2
  } else {
    const n = first & 0x7f
    // 0x80 = indefinite length (BER only); more than 4 length bytes cannot be a certificate.
    if (n === 0 || n > 4) throw corrupt('The certificate has an invalid DER length')
    if (bytes.length < 2 + n) throw corrupt('The certificate is truncated', { bytes: bytes.length })
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + (bytes[2 + i] as number)
    hdr = 2 + n
  }
  const total = hdr + len
  if (total > bytes.length) {
    throw corrupt('The certificate is truncated', { expectedBytes: total, bytes: bytes.length })
  }
  for (let i = total; i < bytes.length; i++) {
    if (!isWhitespace(bytes[i] as number)) {
      throw corrupt('Unexpected data after the certificate', { trailingBytes: bytes.length - total })
    }
  }
  return new Uint8Array(bytes.subarray(0, total))
}

// ---------------------------------------------------------------------------------------------------------------
// ASN.1 helpers

/** Parses one DER element that must fill `bytes` completely. */
function decodeExact(bytes: Uint8Array, what: string): asn1js.AsnType {
  const r = asn1js.fromBER(bytes)
  if (r.offset === -1 || r.offset !== bytes.length) throw corrupt(`Malformed ${what}`, { field: what })
  return r.result
}

function tagOf(node: asn1js.AsnType): { cls: number; num: number; constructed: boolean } {
  const id = (node as asn1js.BaseBlock).idBlock
  return { cls: id.tagClass, num: id.tagNumber, constructed: id.isConstructed }
}

const UNIVERSAL = 1
const CONTEXT = 3

function isUniversal(node: asn1js.AsnType, num: number): boolean {
  const t = tagOf(node)
  return t.cls === UNIVERSAL && t.num === num
}

function children(node: asn1js.AsnType, what: string): asn1js.AsnType[] {
  const vb = (node as asn1js.BaseBlock).valueBlock as unknown as { value?: unknown }
  if (!tagOf(node).constructed || !Array.isArray(vb.value)) throw corrupt(`Malformed ${what}`, { field: what })
  return vb.value as asn1js.AsnType[]
}

/** Raw value bytes of a primitive element (the part after tag and length). */
function primitiveBytes(node: asn1js.AsnType, what: string): Uint8Array {
  if (tagOf(node).constructed) throw corrupt(`Malformed ${what}`, { field: what })
  const vb = (node as asn1js.BaseBlock).valueBlock as unknown as { valueHexView?: Uint8Array }
  if (!(vb.valueHexView instanceof Uint8Array)) throw corrupt(`Malformed ${what}`, { field: what })
  return vb.valueHexView
}

function oidString(node: asn1js.AsnType, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw corrupt(`Malformed ${what}`, { field: what })
  const s = node.valueBlock.toString()
  if (!/^\d+(\.\d+)+$/.test(s)) throw corrupt(`Malformed ${what}`, { field: what })
  return s
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  return new Uint8Array(bytes.subarray(i))
}

function utf8Lenient(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes)
}

/**
 * Decodes a directory string by its ASN.1 type. TeletexString is in practice either ASCII or, from old Korean
 * software, a local encoding: try UTF-8 strictly, then CP949 (an inference, not seen in a sample).
 */
function decodeString(node: asn1js.AsnType, what: string): string {
  const t = tagOf(node)
  if (t.cls !== UNIVERSAL || t.constructed) return '#' + hex(new Uint8Array(node.toBER(false)))
  const decoded = decodeStringBytes(t.num, primitiveBytes(node, what), what)
  return decoded ?? '#' + hex(new Uint8Array(node.toBER(false)))
}

/**
 * A universal, primitive directory string's value by its tag number; undefined for types that are written as
 * `#hex` of the whole element. Shared with the fast summary reader so that both give the same text.
 */
export function decodeStringBytes(tagNumber: number, raw: Uint8Array, what: string): string | undefined {
  switch (tagNumber) {
    case 12: // UTF8String
      return utf8Lenient(raw)
    case 18: // NumericString
    case 19: // PrintableString
    case 22: // IA5String
    case 26: // VisibleString
      return Buffer.from(raw).toString('latin1')
    case 20: // TeletexString
    case 27: // GeneralString
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(raw)
      } catch {
        return iconv.decode(Buffer.from(raw), 'cp949')
      }
    case 30: {
      // BMPString: UTF-16BE
      if (raw.length % 2 !== 0) throw corrupt(`Malformed ${what}`, { field: what })
      const swapped = Buffer.from(raw)
      swapped.swap16()
      return swapped.toString('utf16le')
    }
    case 28: {
      // UniversalString: UCS-4BE
      if (raw.length % 4 !== 0) throw corrupt(`Malformed ${what}`, { field: what })
      let s = ''
      for (let i = 0; i < raw.length; i += 4) {
        const cp = Buffer.from(raw.subarray(i, i + 4)).readUInt32BE(0)
        s += cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd'
      }
      return s
    }
    default:
      return undefined
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Names

/** Name ::= SEQUENCE OF SET OF AttributeTypeAndValue, decoded from its raw DER to keep the RDN grouping. */
function parseName(raw: ArrayBuffer, what: string): Rdn[][] {
  const node = decodeExact(new Uint8Array(raw), what)
  if (!isUniversal(node, 16)) throw corrupt(`Malformed ${what}`, { field: what })
  return children(node, what).map((set) => {
    if (!isUniversal(set, 17)) throw corrupt(`Malformed ${what}`, { field: what })
    const atvs = children(set, what)
    if (atvs.length === 0) throw corrupt(`Malformed ${what}`, { field: what })
    return atvs.map((atv) => {
      if (!isUniversal(atv, 16)) throw corrupt(`Malformed ${what}`, { field: what })
      const [typeNode, valueNode, extra] = children(atv, what)
      if (!typeNode || !valueNode || extra) throw corrupt(`Malformed ${what}`, { field: what })
      const oid = oidString(typeNode, what)
      return { type: SHORT_NAMES[oid] ?? oid, value: decodeString(valueNode, what).normalize('NFC') }
    })
  })
}

/** RFC 4514 escaping, so that the string form stays unambiguous even for odd values. */
const NEEDS_ESCAPE = /[\\,+"<>;\0]|^[# ]| $/

export function escapeRdnValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v // most values: one test instead of two replacements
  let out = v.replace(/[\\,+"<>;]/g, (c) => '\\' + c).replace(/\0/g, '\\00')
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = out.slice(0, -1) + '\\ '
  return out
}

export function nameToString(rdns: Rdn[][]): string {
  return [...rdns]
    .reverse()
    .map((set) => set.map((a) => `${a.type}=${escapeRdnValue(a.value)}`).join('+'))
    .join(',')
}

export function lastValue(rdns: Rdn[], type: string): string {
  for (let i = rdns.length - 1; i >= 0; i--) {
    const r = rdns[i] as Rdn
    if (r.type === type) return r.value
  }
  return ''
}

/**
 * Display name from an NPKI CN (§3.4): `name(detail)digits` (yessign and most CAs) or `name-digits` (SignKorea).
 * The last parenthesised group is the detail so that company names like `(주)회사(BizBank)…` keep their prefix.
 */
export function splitCommonName(cn: string): { displayName: string; displayDetail?: string } {
  const s = cn.normalize('NFC').trim()
  const paren = /^(.*)\(([^()]*)\)\s*\d*$/.exec(s)
  if (paren) {
    const name = (paren[1] as string).trim()
    const detail = (paren[2] as string).trim()
    if (name) return detail ? { displayName: name, displayDetail: detail } : { displayName: name }
    if (detail) return { displayName: detail }
  }
  const dashed = /^(.+?)[-_]\d{4,}$/.exec(s)
  if (dashed) return { displayName: (dashed[1] as string).trim() }
  return { displayName: s }
}

// ---------------------------------------------------------------------------------------------------------------
// Extensions

interface Extensions {
  keyUsage: string[]
  policyOids: string[]
  ski?: string
  aki?: string
  sanRealName?: string
  vid?: { hashAlgOid: string; value: Uint8Array }
}

function parseExtensions(list: pkijs.Extension[] | undefined): Extensions {
  const out: Extensions = { keyUsage: [], policyOids: [] }
  const seen = new Set<string>()
  for (const ext of list ?? []) {
    const id = ext.extnID
    // RFC 5280 forbids repeating an extension; two SANs would make the VID ambiguous.
    if (seen.has(id)) throw corrupt('The certificate repeats an extension', { extension: id })
    seen.add(id)
    const value = ext.extnValue.valueBlock.valueHexView
    switch (id) {
      case OID.keyUsage:
        out.keyUsage = parseKeyUsage(value)
        break
      case OID.certificatePolicies:
        out.policyOids = parsePolicies(value)
        break
      case OID.subjectKeyIdentifier: {
        const node = decodeExact(value, 'subjectKeyIdentifier')
        if (!isUniversal(node, 4)) throw corrupt('Malformed subjectKeyIdentifier')
        out.ski = hex(primitiveBytes(node, 'subjectKeyIdentifier'))
        break
      }
      case OID.authorityKeyIdentifier: {
        const node = decodeExact(value, 'authorityKeyIdentifier')
        if (!isUniversal(node, 16)) throw corrupt('Malformed authorityKeyIdentifier')
        const keyId = children(node, 'authorityKeyIdentifier').find((c) => {
          const t = tagOf(c)
          return t.cls === CONTEXT && t.num === 0 && !t.constructed
        })
        if (keyId) out.aki = hex(primitiveBytes(keyId, 'authorityKeyIdentifier'))
        break
      }
      case OID.subjectAltName:
        Object.assign(out, parseSan(value))
        break
      default:
        break
    }
  }
  return out
}

function parseKeyUsage(value: Uint8Array): string[] {
  const node = decodeExact(value, 'keyUsage')
  if (!(node instanceof asn1js.BitString) || tagOf(node).constructed) throw corrupt('Malformed keyUsage')
  // asn1js keeps the unused-bits count apart from the bit bytes.
  const unused = node.valueBlock.unusedBits
  const bits = node.valueBlock.valueHexView
  if (unused > 7 || (bits.length === 0 && unused !== 0)) throw corrupt('Malformed keyUsage')
  const names: string[] = []
  KEY_USAGE_NAMES.forEach((name, i) => {
    const byte = bits[i >> 3]
    if (byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0) names.push(name)
  })
  return names
}

function parsePolicies(value: Uint8Array): string[] {
  const node = decodeExact(value, 'certificatePolicies')
  if (!isUniversal(node, 16)) throw corrupt('Malformed certificatePolicies')
  return children(node, 'certificatePolicies').map((pi) => {
    if (!isUniversal(pi, 16)) throw corrupt('Malformed certificatePolicies')
    const first = children(pi, 'certificatePolicies')[0]
    if (!first) throw corrupt('Malformed certificatePolicies')
    return oidString(first, 'certificatePolicies')
  })
}

/**
 * subjectAltName: looks for the KISA identifyData otherName (§9.1). The outer GeneralNames must be well formed;
 * inside identifyData we are lenient (organization certificates carry realName only), but a VID whose structure
 * is broken is an error rather than silently absent.
 */
function parseSan(value: Uint8Array): Pick<Extensions, 'sanRealName' | 'vid'> {
  const node = decodeExact(value, 'subjectAltName')
  if (!isUniversal(node, 16)) throw corrupt('Malformed subjectAltName')
  for (const gn of children(node, 'subjectAltName')) {
    const t = tagOf(gn)
    if (t.cls !== CONTEXT || t.num !== 0 || !t.constructed) continue // not an otherName
    const [typeNode, wrapped] = children(gn, 'subjectAltName otherName')
    if (!typeNode || !wrapped) throw corrupt('Malformed subjectAltName otherName')
    if (oidString(typeNode, 'subjectAltName otherName') !== OID.kisaIdentifyData) continue
    const inner = children(wrapped, 'identifyData')[0]
    if (!inner || !isUniversal(inner, 16)) throw corrupt('Malformed identifyData')
    const [realNameNode, userInfos] = children(inner, 'identifyData')
    if (!realNameNode) throw corrupt('Malformed identifyData')
    const result: Pick<Extensions, 'sanRealName' | 'vid'> = {
      sanRealName: decodeString(realNameNode, 'identifyData realName').normalize('NFC'),
    }
    if (userInfos && isUniversal(userInfos, 16)) {
      for (const info of children(userInfos, 'identifyData userInfos')) {
        const [infoOid, vidNode] = children(info, 'identifyData userInfo')
        if (!infoOid || oidString(infoOid, 'identifyData userInfo') !== OID.kisaVid) continue
        if (!vidNode) throw corrupt('Malformed VID')
        result.vid = parseVid(vidNode)
      }
    }
    return result
  }
  return {}
}

function parseVid(node: asn1js.AsnType): { hashAlgOid: string; value: Uint8Array } {
  if (!isUniversal(node, 16)) throw corrupt('Malformed VID')
  const [alg, wrapped] = children(node, 'VID')
  if (!alg || !wrapped || !isUniversal(alg, 16)) throw corrupt('Malformed VID')
  const algOid = children(alg, 'VID hashAlg')[0]
  if (!algOid) throw corrupt('Malformed VID')
  const wt = tagOf(wrapped)
  if (wt.cls !== CONTEXT || wt.num !== 0 || !wt.constructed) throw corrupt('Malformed VID')
  const octets = children(wrapped, 'VID virtualID')[0]
  if (!octets || !isUniversal(octets, 4)) throw corrupt('Malformed VID')
  const value = primitiveBytes(octets, 'VID virtualID')
  if (value.length === 0) throw corrupt('Malformed VID')
  return { hashAlgOid: oidString(algOid, 'VID hashAlg'), value: new Uint8Array(value) }
}

// ---------------------------------------------------------------------------------------------------------------
// Public key, self-signature, kind

function parsePublicKey(spki: pkijs.PublicKeyInfo): CertificateInfo['publicKey'] {
  const algorithmOid = spki.algorithm.algorithmId
  if (algorithmOid !== OID.rsaEncryption) return { algorithmOid }
  const bits = spki.subjectPublicKey.valueBlock
  if (bits.unusedBits !== 0) throw corrupt('Malformed RSA public key')
  const node = decodeExact(bits.valueHexView, 'RSA public key')
  if (!isUniversal(node, 16)) throw corrupt('Malformed RSA public key')
  const [n, e, extra] = children(node, 'RSA public key')
  if (!n || !e || extra || !isUniversal(n, 2) || !isUniversal(e, 2)) throw corrupt('Malformed RSA public key')
  const nb = primitiveBytes(n, 'RSA modulus')
  const eb = primitiveBytes(e, 'RSA exponent')
  // A negative modulus or exponent (high bit set without a 00 prefix) cannot be an RSA key.
  if (nb.length === 0 || eb.length === 0 || (nb[0] as number) & 0x80 || (eb[0] as number) & 0x80) {
    throw corrupt('Malformed RSA public key')
  }
  return { algorithmOid, modulus: stripLeadingZeros(nb), exponent: stripLeadingZeros(eb) }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/**
 * Self-signed = issuer and subject are the same Name and the signature verifies with the certificate's own key.
 * If OpenSSL cannot check the signature (unusual algorithm), matching key identifiers are taken as the answer.
 */
function selfSigned(der: Uint8Array, cert: pkijs.Certificate, ski?: string, aki?: string): boolean {
  if (!bytesEqual(new Uint8Array(cert.subject.valueBeforeDecode), new Uint8Array(cert.issuer.valueBeforeDecode))) {
    return false
  }
  try {
    const x = new X509Certificate(der)
    return x.verify(x.publicKey)
  } catch {
    return aki === undefined || ski === undefined || aki === ski
  }
}

export function guessKind(keyUsage: string[]): CertificateInfo['kind'] {
  const has = (n: string): boolean => keyUsage.includes(n)
  if (has('keyCertSign') || has('cRLSign')) return 'unknown'
  const signs = has('digitalSignature') || has('nonRepudiation')
  const encrypts = has('keyEncipherment') || has('dataEncipherment') || has('keyAgreement')
  if (signs && !encrypts) return 'sign'
  if (encrypts && !signs) return 'km'
  return 'unknown'
}

function isoTime(t: pkijs.Time, what: string): string {
  const d = t.value
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw corrupt(`Invalid ${what} date`, { field: what })
  return d.toISOString()
}

// ---------------------------------------------------------------------------------------------------------------

function parseDer(der: Uint8Array): CertificateInfo {
  const top = asn1js.fromBER(der)
  if (top.offset === -1 || top.offset !== der.length) throw corrupt('The certificate DER is malformed')
  let cert: pkijs.Certificate
  try {
    cert = new pkijs.Certificate({ schema: top.result })
  } catch (e) {
    throw corrupt('The file is DER but not an X.509 certificate', {}, e)
  }

  const subjectSets = parseName(cert.subject.valueBeforeDecode, 'subject')
  const issuerSets = parseName(cert.issuer.valueBeforeDecode, 'issuer')
  const subjectRdns = subjectSets.flat()
  const issuerRdns = issuerSets.flat()
  const commonName = lastValue(subjectRdns, 'CN')
  const issuerOrganization = lastValue(issuerRdns, 'O')
  const ext = parseExtensions(cert.extensions)
  const serial = cert.serialNumber.valueBlock.valueHexView
  if (serial.length === 0) throw corrupt('The certificate has an empty serial number')
  const notBefore = isoTime(cert.notBefore, 'notBefore')
  const notAfter = isoTime(cert.notAfter, 'notAfter')
  const publicKey = parsePublicKey(cert.subjectPublicKeyInfo)

  const info: CertificateInfo = {
    der,
    subject: nameToString(subjectSets),
    subjectRdns,
    commonName,
    ...splitCommonName(commonName),
    issuer: nameToString(issuerSets),
    issuerRdns,
    issuerCommonName: lastValue(issuerRdns, 'CN'),
    issuerOrganization,
    ca: caFromOrganization(issuerOrganization),
    serialNumberHex: hex(serial.length > 1 && serial[0] === 0 && (serial[1] as number) & 0x80 ? serial.subarray(1) : serial),
    notBefore,
    notAfter,
    policyOids: ext.policyOids,
    policy: classifyPolicies(ext.policyOids),
    keyUsage: ext.keyUsage,
    publicKey,
    sha256FingerprintHex: createHash('sha256').update(der).digest('hex'),
    isSelfSigned: selfSigned(der, cert, ext.ski, ext.aki),
    kind: guessKind(ext.keyUsage),
  }
  if (ext.ski !== undefined) info.subjectKeyIdentifierHex = ext.ski
  if (ext.aki !== undefined) info.authorityKeyIdentifierHex = ext.aki
  if (ext.sanRealName !== undefined) info.sanRealName = ext.sanRealName
  if (ext.vid !== undefined) info.vid = ext.vid
  return info
}

// ---------------------------------------------------------------------------------------------------------------
// Validity helpers

function checkNow(now: Date): number {
  const t = now instanceof Date ? now.getTime() : Number.NaN
  if (Number.isNaN(t)) throw new DojangError('INVALID_INPUT', 'now must be a valid Date')
  return t
}

/** Whole days left until notAfter (common/domain's rule); negative once expired. */
export function daysUntilExpiry(cert: CertificateInfo, now: Date): number {
  return daysLeft(cert.notAfter, checkNow(now))
}

/** notAfter is inclusive (RFC 5280); "expiring" means at most `warnDays` days left. */
export function expiryState(cert: CertificateInfo, now: Date, warnDays = EXPIRING_DAYS): ExpiryState {
  return domainExpiryState(cert, checkNow(now), warnDays)
}
