import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import { openInventory, type CertificateInput, type CopyInput, type Inventory, type OpenOptions } from '../../main/core/inventory'

const dirs: string[] = []
const open: Inventory[] = []

afterEach(() => {
  for (const inv of open.splice(0)) inv.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dojang-inv-'))
  dirs.push(d)
  return d
}

/** Opens an inventory that is closed automatically after the test. */
export function openTracked(dataDir: string, opts?: OpenOptions): Inventory {
  const inv = openInventory(dataDir, opts)
  open.push(inv)
  return inv
}

/** A clock the test moves by hand, so "seen since" logic does not depend on the machine's speed. */
export function manualClock(start = '2025-06-01T00:00:00.000Z'): { now: () => Date; advance: (ms: number) => void; set: (iso: string) => void } {
  let t = Date.parse(start)
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms
    },
    set: (iso) => {
      t = Date.parse(iso)
    },
  }
}

export const YESSIGN = 'CN=yessignCA Class 2,OU=AccreditedCA,O=yessign,C=kr'
export const SIGNKOREA = 'CN=SignKorea CA4,OU=AccreditedCA,O=SignKorea,C=KR'

export function cert(over: Partial<CertificateInput> = {}): CertificateInput {
  return {
    issuer: YESSIGN,
    serial: '1a2b3c',
    subject: 'CN=홍길동()0088046201806111880000,OU=SHB,OU=personal4IB,O=yessign,C=kr',
    displayName: '홍길동',
    ca: 'yessign',
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2026-01-01T00:00:00.000Z',
    policyOid: '1.2.410.200005.1.1.4',
    purpose: '은행·보험·카드용',
    fingerprintSha256: 'ab'.repeat(32),
    ...over,
  }
}

export function copy(over: Partial<CopyInput> = {}): CopyInput {
  return {
    issuer: YESSIGN,
    serial: '1a2b3c',
    medium: 'disk',
    location: '/home/u/NPKI/yessign/USER/cn=홍길동',
    root: '/home/u/NPKI',
    files: { signCert: true, signPri: true },
    keyScheme: 'seed-cbc/pbkdf1',
    contentHash: 'cd'.repeat(32),
    ...over,
  }
}

export const DAY = 86_400_000

/** What a synchronous call throws (any value); fails the test when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected an error')
}
