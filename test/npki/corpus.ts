/**
 * A generated corpus of certificates for the differential test of the fast summary reader (certSummary.ts)
 * against parseCertificate (pkijs):
 * - OpenSSL-made certificates (`openssl req -x509 -CA …` from one shell script): three CAs, several string masks
 *   (PrintableString/UTF8String/BMPString/T61String), policies, key usages, the KISA identifyData SAN, negative and
 *   long serials, GeneralizedTime after 2049. Cached under the OS temp folder, keyed by CORPUS_VERSION, because a
 *   few dozen OpenSSL runs take seconds on a busy machine.
 * - Certificates built here with the project's DER writer and signed with node:crypto, from a seeded generator:
 *   every directory string type, multi-valued RDNs, RFC 4514 specials, NFD Hangul, CP949 in a TeletexString,
 *   serials of 1–20 bytes with and without the sign byte, UTCTime and GeneralizedTime from 1990 to 2200, v1
 *   certificates without extensions, VIDs, unknown attribute types and policies.
 */
import { execFileSync } from 'node:child_process'
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { concat, encodeOid, encodeTlv } from '../../main/core/asn1/der'
import { POLICY_TABLE } from '../../main/core/npki/policies'

/** Bump when the OpenSSL recipes change, so that a stale cache is rebuilt. */
const CORPUS_VERSION = 1

export interface CorpusCert {
  name: string
  der: Uint8Array
}

// ---- OpenSSL ----------------------------------------------------------------------------------------------------

const CAS = [
  { id: 'yessign', subj: '/C=kr/O=yessign/OU=AccreditedCA/CN=yessignCA Class 2' },
  { id: 'SignKorea', subj: '/C=KR/O=SignKorea/OU=AccreditedCA/CN=SignKorea CA4' },
  { id: 'KICA', subj: '/C=KR/O=KICA/OU=AccreditedCA/CN=signGATE CA5' },
]
const MASKS = ['default', 'utf8only', 'pkix', 'default']
const POLICIES = ['1.2.410.200005.1.1.1', '1.2.410.200005.1.1.4', '1.2.410.200004.5.1.1.5', '1.2.410.200004.5.2.1.2', '1.2.410.200004.2.1, 1.2.410.200012.1.1.3', '1.2.3.4.5']
const USAGES = ['critical,digitalSignature,nonRepudiation', 'critical,keyEncipherment', 'digitalSignature,keyEncipherment', 'keyCertSign,cRLSign']
const NAMES = ['홍길동', '김민준', '(주)도장상사', 'KILDONG.HONG', '이서연', 'O\'Brien, Jr', '박 지훈']
const SERIALS = ['1', '0x7f', '0x80', '0xff01', '-0x8f01', '-1', '0x00ab', '0x0123456789abcdef0123456789abcdef01234567', '-0x7fffffffffffffffffffffffffffffffffffffff', '1000000']

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/** Builds the OpenSSL part once per CORPUS_VERSION under the temp folder; returns its DER files. */
export function opensslCorpus(count = 48): CorpusCert[] {
  const dir = join(tmpdir(), `dojang-certsummary-corpus-v${CORPUS_VERSION}-${count}`)
  const marker = join(dir, 'complete')
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const lines: string[] = ['set -e', `cd ${shq(dir)}`]
    // One RSA key per CA and two end-entity keys (RSA and EC): key generation is the slow part.
    CAS.forEach((_, i) => lines.push(`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca${i}.key 2>/dev/null`))
    lines.push('openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ee-rsa.key 2>/dev/null')
    lines.push('openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ee-ec.key 2>/dev/null')
    CAS.forEach((ca, i) => {
      lines.push(`printf '[req]\\ndistinguished_name=dn\\nprompt=no\\n[dn]\\n[ext]\\nbasicConstraints=critical,CA:true\\nkeyUsage=critical,keyCertSign,cRLSign\\nsubjectKeyIdentifier=hash\\n' > ca${i}.cnf`)
      lines.push(`openssl req -x509 -new -key ca${i}.key -subj ${shq(ca.subj)} -config ca${i}.cnf -extensions ext -set_serial ${i + 1} -days 7300 -out ca${i}.pem`)
      lines.push(`openssl x509 -in ca${i}.pem -outform DER -out ca-${ca.id}.der`)
    })
    for (let n = 0; n < count; n++) {
      const ca = n % CAS.length
      const mask = MASKS[n % MASKS.length] as string
      const holder = NAMES[n % NAMES.length] as string
      const vid = n % 3 === 0
      const cnf = [
        '[req]', 'distinguished_name=dn', `string_mask=${mask}`, 'prompt=no', '[dn]', '[ext]',
        `keyUsage=${USAGES[n % USAGES.length]}`,
        `certificatePolicies=${POLICIES[n % POLICIES.length]}`,
        'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid',
        ...(n % 2 === 0 ? [`subjectAltName=otherName:1.2.410.200004.10.1.1;SEQUENCE:idd`, '[idd]', `realName=UTF8:${holder}`, ...(vid ? ['infos=SEQUENCE:infos', '[infos]', 'info=SEQUENCE:info', '[info]', 'type=OID:1.2.410.200004.10.1.1.1', 'vid=SEQUENCE:vid', '[vid]', 'alg=SEQUENCE:alg', 'value=EXPLICIT:0,OCTETSTRING:' + 'ab'.repeat(32), '[alg]', 'oid=OID:2.16.840.1.101.3.4.2.1'] : [])] : []),
      ].join('\\n')
      const subj = `/C=kr/O=${CAS[ca]?.id}/OU=personal4IB/OU=${n % 2 ? 'TESTBANK' : '은행'}/CN=${holder}()00${String(n).padStart(20, '0')}`
      // Days: mostly ordinary validity, some that end after 2049 (GeneralizedTime).
      const days = n % 4 === 0 ? 9000 + n : 365 + n
      lines.push(`printf '${cnf.replace(/'/g, `'\\''`)}\\n' > ee${n}.cnf`)
      lines.push(
        `openssl req -x509 -new -key ee-${n % 5 === 4 ? 'ec' : 'rsa'}.key -CA ca${ca}.pem -CAkey ca${ca}.key -subj ${shq(subj)} -utf8 ` +
          `-config ee${n}.cnf -extensions ext -set_serial ${SERIALS[n % SERIALS.length]} -days ${days} -outform DER -out ee-${n}.der`,
      )
    }
    execFileSync('sh', ['-c', lines.join('\n')], { stdio: ['ignore', 'pipe', 'pipe'] })
    writeFileSync(marker, new Date().toISOString())
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.der'))
    .sort()
    .map((f) => ({ name: `openssl/${f}`, der: new Uint8Array(readFileSync(join(dir, f))) }))
}

// ---- built here ---------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const seq = (...parts: Uint8Array[]) => encodeTlv(0x30, ...parts)
const set = (...parts: Uint8Array[]) => encodeTlv(0x31, ...parts)
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'))
const bmp = (s: string) => {
  const b = Buffer.from(s, 'utf16le')
  b.swap16()
  return new Uint8Array(b)
}
const ucs4 = (s: string) => {
  const cps = [...s].map((c) => c.codePointAt(0) as number)
  const b = Buffer.alloc(cps.length * 4)
  cps.forEach((cp, i) => b.writeUInt32BE(cp, i * 4))
  return new Uint8Array(b)
}

type Pick = <T>(xs: readonly T[]) => T

function directoryString(r: () => number, pick: Pick, text: string, ascii: boolean): Uint8Array {
  const kinds = ascii ? ['printable', 'utf8', 'bmp', 'ia5', 'teletex', 'universal', 'visible'] : ['utf8', 'bmp', 'teletex-cp949', 'universal', 'utf8-nfd']
  switch (pick(kinds)) {
    case 'printable':
      return encodeTlv(0x13, utf8(text.replace(/[^A-Za-z0-9 '()+,\-./:=?]/g, 'x')))
    case 'ia5':
      return encodeTlv(0x16, utf8(text))
    case 'visible':
      return encodeTlv(0x1a, utf8(text))
    case 'teletex':
      return encodeTlv(0x14, utf8(text))
    case 'teletex-cp949':
      return encodeTlv(0x14, new Uint8Array(iconv.encode(text, 'cp949')))
    case 'bmp':
      return encodeTlv(0x1e, bmp(text))
    case 'universal':
      return encodeTlv(0x1c, ucs4(text))
    case 'utf8-nfd':
      return encodeTlv(0x0c, utf8(text.normalize('NFD')))
    default:
      return r() < 0.1 ? encodeTlv(0x0c, utf8(`\ufeff${text}`)) : encodeTlv(0x0c, utf8(text))
  }
}

const HANGUL = ['홍길동', '김민준', '이서연', '박지훈', '최예은', '(주)도장상사', '정우성(WOOSUNG)', '한국정보인증']
const ASCII = ['HONG.GILDONG', 'TESTBANK', 'personal4IB', 'AccreditedCA', 'a,b+c"d\\e<f>g;h', '#lead', ' spaced ', 'x=y', 'SignKorea', 'yessign']
const ATTRS = ['2.5.4.6', '2.5.4.10', '2.5.4.11', '2.5.4.3', '2.5.4.7', '2.5.4.8', '2.5.4.5', '2.5.4.97', '0.9.2342.19200300.100.1.1', '0.9.2342.19200300.100.1.25', '1.2.840.113549.1.9.1', '1.2.410.200004.99.1']

function atv(r: () => number, pick: Pick, type: string, value: string, ascii: boolean): Uint8Array {
  // emailAddress and DC are IA5String by definition; C is PrintableString.
  if (type === '1.2.840.113549.1.9.1' || type === '0.9.2342.19200300.100.1.25') return seq(encodeOid(type), encodeTlv(0x16, utf8(value.replace(/[^\x20-\x7e]/g, 'x'))))
  if (type === '2.5.4.6') return seq(encodeOid(type), encodeTlv(0x13, utf8(pick(['KR', 'kr']))))
  return seq(encodeOid(type), directoryString(r, pick, value, ascii))
}

function randomName(r: () => number, pick: Pick, cn: string): Uint8Array {
  const rdns: Uint8Array[] = []
  const n = 1 + Math.floor(r() * 4)
  for (let i = 0; i < n; i++) {
    const members = r() < 0.15 ? 2 : 1 // a multi-valued RDN now and then
    const atvs: Uint8Array[] = []
    for (let k = 0; k < members; k++) {
      const ascii = r() < 0.6
      atvs.push(atv(r, pick, pick(ATTRS), ascii ? pick(ASCII) : pick(HANGUL), ascii))
    }
    rdns.push(set(...atvs))
  }
  rdns.push(set(atv(r, pick, '2.5.4.3', cn, !/[^\x20-\x7e]/.test(cn))))
  return seq(...rdns)
}

function randomSerial(r: () => number): Uint8Array {
  const len = 1 + Math.floor(r() * 20)
  const b = new Uint8Array(len).map(() => Math.floor(r() * 256))
  const mode = r()
  if (mode < 0.25) b[0] = (b[0] as number) | 0x80 // negative-looking (no sign byte)
  else if (mode < 0.5 && len > 1) {
    b[0] = 0 // DER sign byte before a high bit
    b[1] = (b[1] as number) | 0x80
  } else if (len > 1) b[0] = ((b[0] as number) & 0x7f) || 1
  return encodeTlv(0x02, b)
}

function time(at: Date, generalized: boolean): Uint8Array {
  const iso = at.toISOString()
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '')
  return generalized ? encodeTlv(0x18, utf8(`${digits}Z`)) : encodeTlv(0x17, utf8(`${digits.slice(2)}Z`))
}

function randomTime(r: () => number, minYear: number, maxYear: number): Uint8Array {
  const y = minYear + Math.floor(r() * (maxYear - minYear + 1))
  const at = new Date(Date.UTC(y, Math.floor(r() * 12), 1 + Math.floor(r() * 28), Math.floor(r() * 24), Math.floor(r() * 60), Math.floor(r() * 60)))
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050; GeneralizedTime before 2050 is read too.
  return time(at, y >= 2050 || y < 1950 || r() < 0.1)
}

function ext(oid: string, value: Uint8Array, critical: boolean): Uint8Array {
  return seq(encodeOid(oid), ...(critical ? [encodeTlv(0x01, Uint8Array.of(0xff))] : []), encodeTlv(0x04, value))
}

function keyUsage(r: () => number): Uint8Array {
  const bits = Math.floor(r() * 512)
  const bytes = [(bits >> 1) & 0xff, (bits & 1) << 7]
  const used = bits & 1 ? 2 : 1
  const body = bytes.slice(0, used)
  const last = body[used - 1] as number
  let unused = 0
  if (last !== 0) while (((last >> unused) & 1) === 0) unused++
  return encodeTlv(0x03, Uint8Array.of(unused, ...body))
}

function identifyData(r: () => number, pick: Pick, holder: string): Uint8Array {
  const infos = r() < 0.6
    ? [seq(seq(encodeOid('1.2.410.200004.10.1.1.1'), seq(seq(encodeOid('2.16.840.1.101.3.4.2.1')), encodeTlv(0xa0, encodeTlv(0x04, new Uint8Array(32).fill(7))))))]
    : []
  const realName = directoryString(r, pick, holder, false)
  const other = encodeTlv(0xa0, encodeOid('1.2.410.200004.10.1.1'), encodeTlv(0xa0, seq(realName, ...infos)))
  const email = encodeTlv(0x81, utf8('user@example.com'))
  return seq(...(r() < 0.3 ? [email] : []), other)
}

interface Keys {
  rsa: KeyObject
  rsaSpki: Uint8Array
  ecSpki: Uint8Array
}

function keys(): Keys {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return {
    rsa: createPrivateKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' })),
    rsaSpki: new Uint8Array(rsa.publicKey.export({ format: 'der', type: 'spki' })),
    ecSpki: new Uint8Array(ec.publicKey.export({ format: 'der', type: 'spki' })),
  }
}

/** `count` certificates made from `seed`. */
export function builtCorpus(count: number, seed = 12): CorpusCert[] {
  const r = rng(seed)
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)] as (typeof xs)[number]
  const k = keys()
  const sigAlg = seq(encodeOid('1.2.840.113549.1.1.11'), encodeTlv(0x05))
  const policyOids = [...POLICY_TABLE.map((p) => p.oid as string), '1.2.410.200004.2.1', '1.2.410.200005.1.1.99', '1.3.6.1.4.1.99999.1']
  const out: CorpusCert[] = []
  for (let n = 0; n < count; n++) {
    const holder = pick(HANGUL)
    const cn = pick([`${holder}()00${String(n).padStart(20, '0')}`, `${holder}-${String(n).padStart(8, '0')}`, `${holder}(${pick(ASCII)})${n}`, pick(ASCII), holder])
    const issuerCa = pick(['yessign', 'SignKorea', 'KICA', 'CrossCert', 'NCASIGN', 'TradeSign', 'INIPASS', 'Unknown CA 한국'])
    const issuer = seq(
      set(atv(r, pick, '2.5.4.6', 'KR', true)),
      set(seq(encodeOid('2.5.4.10'), directoryString(r, pick, issuerCa, !/[^\x20-\x7e]/.test(issuerCa)))),
      set(atv(r, pick, '2.5.4.11', 'AccreditedCA', true)),
      set(atv(r, pick, '2.5.4.3', `${issuerCa} CA${n % 5}`, !/[^\x20-\x7e]/.test(issuerCa))),
    )
    const v1 = r() < 0.08
    const exts: Uint8Array[] = []
    if (!v1) {
      if (r() < 0.9) exts.push(ext('2.5.29.15', keyUsage(r), r() < 0.7))
      if (r() < 0.9) {
        const pol = r() < 0.2 ? ['1.2.410.200004.2.1', pick(policyOids)] : [pick(policyOids)]
        exts.push(ext('2.5.29.32', seq(...pol.map((o) => seq(encodeOid(o)))), false))
      }
      if (r() < 0.7) exts.push(ext('2.5.29.14', encodeTlv(0x04, new Uint8Array(20).fill(n & 0xff)), false))
      if (r() < 0.7) exts.push(ext('2.5.29.35', seq(encodeTlv(0x80, new Uint8Array(20).fill(3))), false))
      if (r() < 0.5) exts.push(ext('2.5.29.17', identifyData(r, pick, holder), false))
      if (r() < 0.3) exts.push(ext('2.5.29.19', seq(), true))
    }
    const tbs = seq(
      ...(v1 ? [] : [encodeTlv(0xa0, encodeTlv(0x02, Uint8Array.of(2)))]),
      randomSerial(r),
      sigAlg,
      issuer,
      seq(randomTime(r, 1990, 2049), r() < 0.35 ? randomTime(r, 2050, 2200) : randomTime(r, 2000, 2049)),
      randomName(r, pick, cn),
      r() < 0.85 ? k.rsaSpki : k.ecSpki,
      ...(exts.length > 0 ? [encodeTlv(0xa3, seq(...exts))] : []),
    )
    const signature = sign('sha256', tbs, k.rsa)
    out.push({ name: `built/${n}`, der: seq(tbs, sigAlg, encodeTlv(0x03, concat(Uint8Array.of(0), new Uint8Array(signature)))) })
  }
  return out
}
