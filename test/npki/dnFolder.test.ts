import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { parseCertificate, type CertificateInfo, type Rdn } from '../../main/core/npki/certificate'
import { caFolderName, dnFolderName } from '../../main/core/npki/dnFolder'
import { DN_FOLDER, FIXTURES, PATHS, readFixture } from './helpers'

const sign = parseCertificate(readFixture(PATHS.sign))

function withSubject(rdns: Rdn[]): CertificateInfo {
  return { ...sign, subjectRdns: rdns }
}

function withIssuer(o: string, cn = ''): CertificateInfo {
  return { ...sign, issuerOrganization: o, issuerCommonName: cn }
}

function expectRefused(fn: () => unknown, code: 'CORRUPT_FILE' | 'IO_ERROR' = 'CORRUPT_FILE'): void {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  // Never INVALID_INPUT: that is the CLI's usage exit code, and the certificate is not a usage mistake.
  expect(isDojangError(caught, code), String(caught)).toBe(true)
}

describe('dnFolderName', () => {
  it('reproduces the fixture folder name', () => {
    expect(dnFolderName(sign)).toBe(DN_FOLDER)
    expect(dnFolderName(sign)).toBe('cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr')
    // …and the name actually on disk.
    expect(readdirSync(join(FIXTURES, 'NPKI', 'testsign', 'USER')).map((n) => n.normalize('NFC'))).toContain(
      dnFolderName(sign),
    )
    expect(dnFolderName(parseCertificate(readFixture(PATHS.km)))).toBe(DN_FOLDER)
  })

  it('matches the PyPinkSign layout', () => {
    const pink = parseCertificate(readFixture(PATHS.pypinksign))
    expect(dnFolderName(pink)).toBe('cn=HKD(KILDONG.HONG)009104120200225191000030,ou=INITECH,ou=personal4IB,o=yessign,c=kr')
    expect(caFolderName(pink)).toBe('yessign')
  })

  it('keeps values verbatim, lowercases types and writes dotted OIDs', () => {
    const name = dnFolderName(
      withSubject([
        { type: 'C', value: 'KR' },
        { type: 'O', value: 'SignKorea' },
        { type: 'OU', value: '증권' },
        { type: 'OU', value: 'test RA' },
        { type: '2.5.4.15', value: 'x' },
        { type: 'CN', value: '이상만-274795' },
      ]),
    )
    expect(name).toBe('cn=이상만-274795,2.5.4.15=x,ou=test RA,ou=증권,o=SignKorea,c=KR')
  })

  it('replaces characters that are illegal in file names', () => {
    const name = dnFolderName(
      withSubject([
        { type: 'C', value: 'KR' },
        { type: 'CN', value: 'a\\b/c:d*e?f"g<h>i|j\u0001k\u007fl\u0085m' },
      ]),
    )
    expect(name).toBe('cn=a_b_c_d_e_f_g_h_i_j_k_l_m,c=KR')
  })

  it('strips trailing dots and spaces', () => {
    expect(dnFolderName(withSubject([{ type: 'C', value: 'KR. . ' }]))).toBe('c=KR')
  })

  it('normalizes to NFC', () => {
    const nfd = '홍길동'.normalize('NFD')
    expect(dnFolderName(withSubject([{ type: 'CN', value: `${nfd}()001` }]))).toBe('cn=홍길동()001')
  })

  it('rejects an empty subject with its own message', () => {
    expectRefused(() => dnFolderName(withSubject([])))
  })

  it('refuses a DN longer than 255 bytes with a message about the length, not about the drive (defect 8)', () => {
    const long = withSubject([{ type: 'CN', value: '홍'.repeat(90) }]) // 3 + 270 bytes
    let caught: unknown
    try {
      dnFolderName(long)
    } catch (e) {
      caught = e
    }
    expect(isDojangError(caught, 'IO_ERROR'), String(caught)).toBe(true)
    const err = caught as { message: string; details: Record<string, unknown> }
    expect(err.message).toMatch(/273 bytes long, more than the 255/)
    expect(err.message).not.toMatch(/connected/)
    expect(err.details.reason).toBe('name-too-long')
    // 255 bytes exactly still fits.
    expect(dnFolderName(withSubject([{ type: 'CN', value: 'a'.repeat(252) }]))).toHaveLength(255)
  })
})

describe('caFolderName', () => {
  it('uses the issuer O', () => {
    expect(caFolderName(sign)).toBe('testsign')
    expect(caFolderName(withIssuer('SignKorea'))).toBe('SignKorea')
  })

  it('sanitizes it', () => {
    expect(caFolderName(withIssuer('Foo/Bar: CA. '))).toBe('Foo_Bar_ CA')
    expect(caFolderName(withIssuer('한국정보인증'.normalize('NFD')))).toBe('한국정보인증')
    expect(caFolderName(withIssuer('con'))).toBe('con_')
    expect(caFolderName(withIssuer('LPT1.x'))).toBe('LPT1_.x')
  })

  it('falls back to the issuer CN', () => {
    expect(caFolderName(withIssuer('', 'Some CA'))).toBe('Some CA')
  })

  it('turns dot names into plain folder names inside the root (defect 8)', () => {
    expect(caFolderName(withIssuer('.'))).toBe('_')
    expect(caFolderName(withIssuer('..'))).toBe('__')
    expect(caFolderName(withIssuer(' . '))).toBe('_')
    expect(caFolderName(withIssuer('...  ..'))).toBe('_______')
    expect(caFolderName(withIssuer('.hidden'))).toBe('_hidden')
    expect(caFolderName(withIssuer('../../etc'))).toBe('_._.._etc')
    expect(caFolderName(withIssuer('NUL'))).toBe('NUL_')
    expect(caFolderName(withIssuer('COM1.txt'))).toBe('COM1_.txt')
    expect(caFolderName(withIssuer('a\u0000b'))).toBe('a_b')
  })

  it('refuses an issuer with neither O nor CN with its own message', () => {
    expectRefused(() => caFolderName(withIssuer('', '')))
  })
})
