/** Shared material for the PFX tests: fixture pairs, OpenSSL-made keys and PFX files, and error capture. */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DojangError } from '../../common/errors'
import { fixture, HONG_DIR } from '../support/fixtures'
import { openssl } from '../support/openssl'

export const RANDOM_NUM_OID = '1.2.410.200004.10.1.1.3'
export const FIXTURE_RANDOM_NUM_OPENSSL = '6E D5 31 18 6D 75 FA 61 0C E2 FF FA 66 E4 38 B0 A9 11 E1 C8'

export const hong = {
  signCert: () => new Uint8Array(readFileSync(join(HONG_DIR, 'signCert.der'))),
  kmCert: () => new Uint8Array(readFileSync(join(HONG_DIR, 'kmCert.der'))),
  signPkcs8: () => fixture('plain', 'signPri.pkcs8.der'),
  kmPkcs8: () => fixture('plain', 'kmPri.pkcs8.der'),
}

export const pypinksign = {
  cert: () => fixture('public-samples', 'pypinksign', 'signCert.der'),
  pkcs8: () => fixture('public-samples', 'pypinksign', 'signPri.plain.pkcs8.der'),
}

/** A password that differs on every run (OpenSSL-made files must not depend on one fixed secret). */
export function randomPassword(): string {
  return `P${randomBytes(9).toString('base64url')}!7`
}

export { codeOfSync as codeOf } from '../support/errors'

export function errorOf(fn: () => unknown): DojangError {
  try {
    fn()
  } catch (e) {
    if (e instanceof DojangError) return e
    throw e
  }
  throw new Error('expected a DojangError')
}

export interface Scratch {
  dir: string
  path: (name: string) => string
  write: (name: string, data: Uint8Array | string) => string
  read: (name: string) => Uint8Array
  cleanup: () => void
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'dojang-pfx-'))
  const p = (name: string) => join(dir, name)
  return {
    dir,
    path: p,
    write: (name, data) => {
      writeFileSync(p(name), data)
      return p(name)
    },
    read: (name) => new Uint8Array(readFileSync(p(name))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** PEM files of a certificate DER and a PKCS#8 DER, as `openssl pkcs12 -export` wants them. */
export function pemPair(s: Scratch, prefix: string, certDer: Uint8Array, pkcs8Der: Uint8Array): { cert: string; key: string } {
  const cert = s.path(`${prefix}-cert.pem`)
  const key = s.path(`${prefix}-key.pem`)
  openssl(['x509', '-inform', 'DER', '-out', cert], { input: certDer })
  openssl(['pkey', '-inform', 'DER', '-out', key], { input: pkcs8Der })
  return { cert, key }
}

/** A fresh RSA key and self-signed certificate (DER), with an optional keyUsage. */
export function newSelfSigned(s: Scratch, prefix: string, subject: string, keyUsage?: string): { cert: Uint8Array; pkcs8: Uint8Array; certPem: string; keyPem: string } {
  const keyPem = s.path(`${prefix}-key.pem`)
  const certPem = s.path(`${prefix}-cert.pem`)
  const ext = keyUsage ? ['-addext', `keyUsage=critical,${keyUsage}`] : []
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPem, '-out', certPem, '-subj', subject, '-days', '30', ...ext])
  return {
    cert: new Uint8Array(openssl(['x509', '-in', certPem, '-outform', 'DER'])),
    pkcs8: new Uint8Array(openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPem, '-outform', 'DER'])),
    certPem,
    keyPem,
  }
}

/** `openssl pkcs12 -export` with extra options; returns the PFX bytes. */
export function opensslPfx(s: Scratch, name: string, password: string, args: string[], legacy = false): Uint8Array {
  const out = s.path(name)
  openssl(['pkcs12', '-export', '-out', out, '-passout', `pass:${password}`, ...args], { legacy })
  return s.read(name)
}

/**
 * `openssl pkcs12 -info -nodes` output: the structure lines (MAC, bags, algorithms) that OpenSSL prints on stderr
 * followed by the certificates, keys and bag attributes from stdout. Throws when OpenSSL fails.
 */
export function opensslInfo(pfx: Uint8Array, password: string, legacy: boolean): string {
  const args = ['pkcs12', '-info', '-nodes', '-passin', `pass:${password}`, ...(legacy ? ['-provider', 'legacy', '-provider', 'default'] : [])]
  const r = spawnSync('openssl', args, { input: pfx, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl pkcs12 -info failed: ${r.stderr}`)
  return `${r.stderr}\n${r.stdout}`
}

/** Byte ranges [start, end) of every OBJECT IDENTIFIER in a DER tree (for judging bit-flip outcomes). */
export function oidRanges(der: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = []
  const walk = (start: number, end: number, depth: number): void => {
    let pos = start
    while (pos < end && depth < 30) {
      const tag = der[pos]!
      const first = der[pos + 1]!
      let len = first
      let hdr = 2
      if (first & 0x80) {
        const n = first & 0x7f
        len = 0
        for (let i = 0; i < n; i++) len = len * 256 + der[pos + 2 + i]!
        hdr = 2 + n
      }
      const valueStart = pos + hdr
      const valueEnd = valueStart + len
      if (valueEnd > end) return
      if (tag === 0x06) out.push([pos, valueEnd])
      else if (tag & 0x20) walk(valueStart, valueEnd, depth + 1)
      else if (tag === 0x04 && der[valueStart] === 0x30) walk(valueStart, valueEnd, depth + 1) // DER wrapped in OCTET STRING
      pos = valueEnd
    }
  }
  walk(0, der.length, 0)
  return out
}
