/**
 * Differential test: the fast summary reader (certSummary.ts, strict DER, no pkijs) against parseCertificate
 * (pkijs) on every certificate fixture and on a generated corpus (corpus.ts). Both must give the same strings
 * for every field the scan keeps, and damaged input must be a CORRUPT_FILE DojangError, never a raw exception.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { parseCertificate, type CertificateInfo } from '../../main/core/npki/certificate'
import { readCertSummary, type CertSummary } from '../../main/core/npki/certSummary'
import { certFacts } from '../../main/core/scan/folderScan'
import { builtCorpus, opensslCorpus, type CorpusCert } from './corpus'
import { FIXTURES } from './helpers'

/** The fields both readers have, as parseCertificate gives them. */
function expected(info: CertificateInfo): CertSummary {
  const e: CertSummary = {
    subject: info.subject,
    issuer: info.issuer,
    commonName: info.commonName,
    displayName: info.displayName,
    issuerCommonName: info.issuerCommonName,
    issuerOrganization: info.issuerOrganization,
    ca: info.ca,
    serialNumberHex: info.serialNumberHex,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    policyOids: info.policyOids,
    policy: info.policy,
    keyUsage: info.keyUsage,
    hasVid: info.vid !== undefined,
    sha256FingerprintHex: info.sha256FingerprintHex,
    kind: info.kind,
  }
  if (info.displayDetail !== undefined) e.displayDetail = info.displayDetail
  if (info.sanRealName !== undefined) e.sanRealName = info.sanRealName
  return e
}

function agree(c: CorpusCert): void {
  const slow = parseCertificate(c.der)
  const fast = readCertSummary(c.der)
  expect(fast, c.name).toEqual(expected(slow))
  expect(certFacts(fast), c.name).toEqual(certFacts(slow))
}

/** Either a summary or a CORRUPT_FILE DojangError; anything else fails. */
function fastOrCorrupt(bytes: Uint8Array): CertSummary | 'corrupt' {
  try {
    return readCertSummary(bytes)
  } catch (e) {
    if (isDojangError(e, 'CORRUPT_FILE')) return 'corrupt'
    throw new Error(`raw exception escaped readCertSummary: ${String(e)}`, { cause: e })
  }
}

function slowOrCorrupt(bytes: Uint8Array): CertificateInfo | 'corrupt' {
  try {
    return parseCertificate(bytes)
  } catch (e) {
    if (isDojangError(e, 'CORRUPT_FILE')) return 'corrupt'
    throw e
  }
}

function fixtureCerts(): CorpusCert[] {
  const out: CorpusCert[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (/\.(der|cer|crt|pem)$/i.test(name)) {
        const der = new Uint8Array(readFileSync(p))
        if (slowOrCorrupt(der) !== 'corrupt') out.push({ name: p.slice(FIXTURES.length + 1), der })
      }
    }
  }
  walk(FIXTURES)
  return out
}

/** A deterministic byte stream for the damage tests. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 4294967296
  }
}

describe('readCertSummary agrees with parseCertificate', () => {
  const fixtures = fixtureCerts()

  it('finds the certificate fixtures', () => {
    // signCert, kmCert, the test CA and the PyPinkSign sample at least.
    expect(fixtures.length).toBeGreaterThanOrEqual(4)
  })

  it.each(fixtures.map((f) => [f.name, f] as const))('fixture %s', (_name, c) => {
    agree(c)
  })

  it('fixture as PEM, with a BOM and trailing whitespace', () => {
    for (const f of fixtures) {
      const pem = `\ufeff  -----BEGIN CERTIFICATE-----\r\n${Buffer.from(f.der).toString('base64').replace(/.{64}/g, '$&\r\n')}\r\n-----END CERTIFICATE-----\n`
      agree({ name: `${f.name} (PEM)`, der: new Uint8Array(Buffer.from(pem)) })
      agree({ name: `${f.name} (+newline)`, der: new Uint8Array([...f.der, 0x0a]) })
    }
  })

  describe('an OpenSSL-made corpus (three CAs, string masks, policies, VIDs, negative serials, after 2049)', () => {
    let corpus: CorpusCert[] = []
    beforeAll(() => {
      corpus = opensslCorpus()
    }, 120_000)

    it('agrees on every certificate', () => {
      expect(corpus.length).toBeGreaterThanOrEqual(48)
      for (const c of corpus) agree(c)
      const facts = corpus.map((c) => readCertSummary(c.der))
      // The corpus really has what it claims: BMPString and T61String Hangul, negative serials, GeneralizedTime.
      expect(facts.some((f) => f.notAfter > '2050')).toBe(true)
      expect(facts.some((f) => f.hasVid)).toBe(true)
      expect(facts.some((f) => f.displayName === '홍길동')).toBe(true)
      expect(new Set(facts.map((f) => f.ca.id))).toEqual(new Set(['yessign', 'SignKorea', 'KICA']))
      // The string type of each CN value (the byte after the OID 2.5.4.3).
      const cnTags = new Set(corpus.map((c) => {
        const b = Buffer.from(c.der)
        const at = b.lastIndexOf(Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]))
        return b[at + 5]
      }))
      expect([...cnTags].sort()).toEqual(expect.arrayContaining([0x0c, 0x13, 0x1e]))
      expect(facts.some((f) => f.serialNumberHex.startsWith('ff'))).toBe(true) // negative serials
      expect(facts.some((f) => f.serialNumberHex.length === 40)).toBe(true)
    })
  })

  describe('a built corpus of 400 certificates (every string type, odd serials, 1990–2200)', () => {
    const corpus = builtCorpus(400)

    it('agrees on every certificate', () => {
      for (const c of corpus) agree(c)
    })

    it('covers what it should', () => {
      const facts = corpus.map((c) => readCertSummary(c.der))
      expect(facts.filter((f) => f.notAfter >= '2050').length).toBeGreaterThan(50)
      expect(facts.filter((f) => f.notBefore < '2000').length).toBeGreaterThan(20)
      expect(facts.filter((f) => f.hasVid).length).toBeGreaterThan(20)
      expect(facts.filter((f) => f.serialNumberHex.length >= 32).length).toBeGreaterThan(20)
      // Negative-looking serials keep their digits (no sign byte to drop).
      expect(facts.filter((f) => /^[89a-f]/.test(f.serialNumberHex)).length).toBeGreaterThan(50)
      expect(facts.filter((f) => /[가-힣]/.test(f.subject)).length).toBeGreaterThan(100)
      expect(facts.filter((f) => f.subject.includes('\\')).length).toBeGreaterThan(10)
      expect(facts.filter((f) => f.subject.includes('+')).length).toBeGreaterThan(10)
      expect(facts.filter((f) => f.policy.known).length).toBeGreaterThan(100)
      expect(new Set(facts.map((f) => f.kind))).toEqual(new Set(['sign', 'km', 'unknown']))
    })
  })
})

describe('readCertSummary on damaged input', () => {
  const corpus = builtCorpus(40, 99)

  it('rejects empty, junk and non-certificates as CORRUPT_FILE', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([0x30]), new Uint8Array([0x30, 0x80, 0, 0]), new Uint8Array(100).fill(0x30), new Uint8Array(Buffer.from('hello'))]) {
      expect(fastOrCorrupt(bytes)).toBe('corrupt')
    }
    const key = new Uint8Array(readFileSync(join(FIXTURES, 'plain', 'signPri.pkcs8.der')))
    expect(fastOrCorrupt(key)).toBe('corrupt')
  })

  it('rejects every truncation', () => {
    for (const c of corpus.slice(0, 8)) {
      for (let n = 0; n < c.der.length; n++) expect(fastOrCorrupt(c.der.subarray(0, n)), `${c.name} cut at ${n}`).toBe('corrupt')
    }
  })

  it('never throws a raw exception for bit flips, and what it reads pkijs reads the same way', () => {
    const rand = lcg(7)
    let read = 0
    let refused = 0
    for (const c of corpus) {
      for (let k = 0; k < 60; k++) {
        const bytes = new Uint8Array(c.der)
        const at = Math.floor(rand() * bytes.length)
        bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(rand() * 8))
        const fast = fastOrCorrupt(bytes)
        if (fast === 'corrupt') {
          refused++
          continue
        }
        read++
        // Stricter, never looser: whatever the fast reader accepts, pkijs accepts with the same facts.
        const slow = slowOrCorrupt(bytes)
        expect(slow, `${c.name} flip at ${at}`).not.toBe('corrupt')
        expect(certFacts(fast), `${c.name} flip at ${at}`).toEqual(certFacts(slow as CertificateInfo))
      }
    }
    expect(read).toBeGreaterThan(100)
    expect(refused).toBeGreaterThan(100)
  })

  it('rejects a malformed keyUsage, a repeated extension and a broken VID', () => {
    const good = corpus.find((c) => readCertSummary(c.der).hasVid)
    expect(good).toBeDefined()
    const der = Buffer.from((good as CorpusCert).der)
    // The VID's OCTET STRING of 32 × 0x07, made empty-length: the structure no longer fits.
    const vidAt = der.indexOf(Buffer.from([0x04, 0x20, 7, 7, 7, 7]))
    expect(vidAt).toBeGreaterThan(0)
    const broken = new Uint8Array(der)
    broken[vidAt] = 0x05
    expect(fastOrCorrupt(broken)).toBe('corrupt')
    expect(slowOrCorrupt(broken)).toBe('corrupt')
  })
})
