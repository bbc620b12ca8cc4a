/**
 * Issue → renew → revoke through the built `dojang` command against OpenSSL's CMP mock (behind the test CA front
 * that issues for whatever key the CLI generated), plus the cases that must leave nothing written: a wrong
 * 인가코드, an expired certificate, a CA that does not answer. Needs `npx electron-vite build` first.
 */
import { spawnSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decryptPrivateKey } from '../../main/core/npki/privateKey'
import { npkiBundle, pkcs8WithRandomNum } from '../../main/core/issuance/npkiKey'
import { dojangAsync } from '../support/cli'
import { closedPort, newRsaKey, type TestPki } from '../support/cmpServer'
import { tempDir } from '../support/fixtures'
import { useTestCa } from '../support/testCa'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PASSWORD = 'Dojang!7q9w2'

const ca = useTestCa({ ref: REF, auth: AUTH })
let tmp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
let npki: string
/** The built CLI as a child process, asynchronously: the CA front answers from this test's event loop. */
const run = (args: string[], input = '') => dojangAsync([...args, '--data-dir', dataDir, '--no-keychain'], { input, env: { DBUS_SESSION_BUS_ADDRESS: '' } })
const der = (pem: string) => new Uint8Array(new X509Certificate(readFileSync(pem)).raw)
const modulus = (certDer: Uint8Array) => new Uint8Array(Buffer.from(new X509Certificate(Buffer.from(certDer)).publicKey.export({ format: 'jwk' }).n!, 'base64url'))
/** Every certificate folder under a root: folders that hold a signCert.der. */
function certFolders(root: string): string[] {
  if (!existsSync(root)) return []
  const out: string[] = []
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name === 'signCert.der') out.push(e.parentPath)
  return out
}

beforeAll(async () => {
  tmp = await tempDir('dojang-cmp-cli-')
  dataDir = join(tmp.dir, 'data')
  npki = join(tmp.dir, 'NPKI')
  mkdirSync(npki)
  const added = (await run(['ca', 'add', 'mock', '--url', ca.front.url, '--ca-cert', ca.pki.caCertPath]))
  expect(added.status, added.stderr).toBe(0)
}, 60_000)
afterAll(async () => {
  await tmp?.cleanup()
})

describe('dojang ca / issue / renew / revoke against openssl cmp', () => {
  it('lists, refuses a duplicate and removes CA profiles (http and tcp)', async () => {
    const list = (await run(['ca', 'list', '--json']))
    expect(list.status).toBe(0)
    const profiles = JSON.parse(list.stdout) as { name: string; endpoint: string; caSubject: string }[]
    expect(profiles).toEqual([expect.objectContaining({ name: 'mock', endpoint: ca.front.url, transport: 'http' })])
    expect(profiles[0]!.caSubject).toContain('Dojang Test Root CA')
    expect((await run(['ca', 'add', 'mock', '--url', ca.front.url, '--ca-cert', ca.pki.caCertPath])).status).toBe(11)
    expect((await run(['ca', 'add', 'raw', '--tcp', '127.0.0.1:4502', '--framing', 'raw-der', '--ca-cert', ca.pki.caCertPath])).status).toBe(0)
    expect((await run(['ca', 'add', 'bad', '--tcp', '127.0.0.1:4502', '--framing', 'sideways', '--ca-cert', ca.pki.caCertPath])).status).toBe(2)
    expect(JSON.parse((await run(['ca', 'list', '--json'])).stdout).map((p: { endpoint: string }) => p.endpoint)).toContain('tcp 127.0.0.1:4502 (raw-der)')
    expect((await run(['ca', 'remove', 'raw'])).status).toBe(0)
    expect((await run(['ca', 'remove', 'raw'])).status).toBe(7)
    expect(JSON.parse((await run(['ca', 'list', '--json'])).stdout)).toHaveLength(1)
  })

  it('a wrong 인가코드 is refused (exit 14) and writes nothing', async () => {
    const r = (await run(['issue', '--ca', 'mock', '--ref', REF, '--to', npki, '--password-stdin'], `WRONG-CODE-99\n${PASSWORD}\n`))
    expect(r.status, r.stderr).toBe(14)
    expect(r.stderr).not.toContain('WRONG-CODE-99')
    expect(r.stderr).not.toContain(PASSWORD)
    expect(certFolders(npki)).toEqual([])
  }, 60_000)

  it('a weak new password stops before the CA is asked (exit 8)', async () => {
    const before = ca.front.requests.length
    const r = (await run(['issue', '--ca', 'mock', '--ref', REF, '--to', npki, '--password-stdin'], `${AUTH}\nshort\n`))
    expect(r.status).toBe(8)
    expect(ca.front.requests.length).toBe(before)
  })

  it('issues, the stored pair opens with its password; renews keeping a restorable backup; revokes into the trash', async () => {
    // ---- issue ----
    const issued = (await run(['issue', '--ca', 'mock', '--ref', REF, '--to', npki, '--password-stdin', '--json'], `${AUTH}\n${PASSWORD}\n`))
    expect(issued.status, issued.stderr).toBe(0)
    for (const step of ['generating the key pair', 'contacting the CA', 'checking the certificate', 'confirming with the CA', 'encrypting the new key', 'saving']) {
      expect(issued.stderr).toContain(step)
    }
    expect(issued.stderr).not.toContain(AUTH)
    const out = JSON.parse(issued.stdout) as { location: string; certificate: { subject: string; policyOid: string | null } }
    expect(out.certificate.subject).toContain('홍길동')
    expect(out.certificate.policyOid).toBe('1.2.410.200005.1.1.1')
    expect(certFolders(npki)).toEqual([out.location])
    const cert1 = new Uint8Array(readFileSync(join(out.location, 'signCert.der')))
    expect(cert1).toEqual(der(ca.front.issued.at(-1)!))
    const key1 = new Uint8Array(readFileSync(join(out.location, 'signPri.key')))
    const opened = decryptPrivateKey(key1, PASSWORD, { publicKey: { modulus: modulus(cert1) } })
    expect(opened.info.randomNum).toHaveLength(20)
    // The system's OpenSSL agrees the key matches the certificate.
    writeFileSync(join(tmp.dir, 'k1.der'), opened.pkcs8)
    const pub = spawnSync('openssl', ['pkey', '-inform', 'DER', '-in', join(tmp.dir, 'k1.der'), '-pubout'], { encoding: 'utf8' }).stdout
    expect(pub).toBe(new X509Certificate(Buffer.from(cert1)).publicKey.export({ type: 'spki', format: 'pem' }))

    // ---- renew (the test CA issues for 20 days: inside D-30) ----
    const renewed = (await run(['renew', out.location, '--ca', 'mock', '--password-stdin', '--json'], `${PASSWORD}\n`))
    expect(renewed.status, renewed.stderr).toBe(0)
    expect(ca.front.requests.at(-1)).toBe('kur')
    const r = JSON.parse(renewed.stdout) as { renewed: { location: string; backupId: string }[] }
    expect(r.renewed).toHaveLength(1)
    const cert2 = new Uint8Array(readFileSync(join(out.location, 'signCert.der')))
    expect(cert2).toEqual(der(ca.front.issued.at(-1)!))
    expect(cert2).not.toEqual(cert1)
    const reopened = decryptPrivateKey(new Uint8Array(readFileSync(join(out.location, 'signPri.key'))), PASSWORD, { publicKey: { modulus: modulus(cert2) } })
    expect(reopened.info.randomNum).toEqual(opened.info.randomNum)
    const backups = JSON.parse((await run(['backups', 'list', '--json'])).stdout) as { id: string; reason: string }[]
    expect(backups.map((b) => b.id)).toContain(r.renewed[0]!.backupId)
    expect(backups.find((b) => b.id === r.renewed[0]!.backupId)!.reason).toBe('renew')
    // The old pair is restorable, byte for byte; then the new one goes back in.
    const restored = (await run(['backups', 'restore', r.renewed[0]!.backupId, '--json']))
    expect(restored.status, restored.stderr).toBe(0)
    expect(new Uint8Array(readFileSync(join(out.location, 'signCert.der')))).toEqual(cert1)
    expect(new Uint8Array(readFileSync(join(out.location, 'signPri.key')))).toEqual(key1)
    expect((await run(['backups', 'restore', JSON.parse(restored.stdout).backupId])).status).toBe(0)
    expect(new Uint8Array(readFileSync(join(out.location, 'signCert.der')))).toEqual(cert2)

    // ---- revoke ----
    const revoked = (await run(['revoke', out.location, '--ca', 'mock', '--reason', 'superseded', '--password-stdin', '--json'], `${PASSWORD}\n`))
    expect(revoked.status, revoked.stderr).toBe(0)
    expect(ca.front.requests.at(-1)).toBe('rr')
    expect(certFolders(npki)).toEqual([])
    const trash = JSON.parse((await run(['trash', '--json'])).stdout) as { location: string; serial: string }[]
    expect(trash.map((e) => e.location)).toContain(out.location)
  }, 120_000)

  it('an expired certificate cannot be renewed (exit 20, says to ask for new codes) and nothing is sent', async () => {
    const folder = join(tmp.dir, 'expired', 'NPKI', 'TestCA', 'USER', 'cn=expired')
    mkdirSync(folder, { recursive: true })
    const key = newRsaKey()
    writeFileSync(join(folder, 'signCert.der'), expiredCertificate(ca.pki, key.privateKey))
    const bundle = npkiBundle(new Uint8Array(), pkcs8WithRandomNum(key.privateKey), PASSWORD)
    writeFileSync(join(folder, 'signPri.key'), bundle.files.find((f) => f.name === 'signPri.key')!.data)
    const before = ca.front.requests.length
    const r = (await run(['renew', folder, '--ca', 'mock', '--password-stdin'], `${PASSWORD}\n`))
    expect(r.status, r.stderr).toBe(20)
    expect(r.stderr).toMatch(/new 참조번호 and 인가코드|new reference number/)
    expect(ca.front.requests.length).toBe(before)
  }, 60_000)

  it('a CA that does not answer: exit 12, nothing written', async () => {
    const port = await closedPort()
    expect((await run(['ca', 'add', 'dead', '--url', `http://127.0.0.1:${port}/pkix/`, '--ca-cert', ca.pki.caCertPath])).status).toBe(0)
    const to = join(tmp.dir, 'NPKI-dead')
    mkdirSync(to)
    const r = (await run(['issue', '--ca', 'dead', '--ref', REF, '--to', to, '--password-stdin'], `${AUTH}\n${PASSWORD}\n`))
    expect(r.status, r.stderr).toBe(12)
    expect(certFolders(to)).toEqual([])
  }, 60_000)
})

/** A certificate of the test CA that expired in 2020 (`openssl ca` can set both dates). */
function expiredCertificate(p: TestPki, key: import('node:crypto').KeyObject): Uint8Array {
  const d = join(p.dir, 'expired-ca')
  mkdirSync(d, { recursive: true })
  writeFileSync(join(d, 'index.txt'), '')
  writeFileSync(join(d, 'serial'), '1000\n')
  writeFileSync(join(d, 'ca.cnf'), `[ca]\ndefault_ca=d\n[d]\ndatabase=${d}/index.txt\nnew_certs_dir=${d}\nserial=${d}/serial\npolicy=p\ndefault_md=sha256\nunique_subject=no\n[p]\ncommonName=supplied\n`)
  writeFileSync(join(d, 'k.pem'), key.export({ type: 'pkcs8', format: 'pem' }))
  const sh = (args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(r.stderr)
  }
  sh(['req', '-new', '-key', join(d, 'k.pem'), '-out', join(d, 'k.csr'), '-subj', '/C=KR/O=Dojang Test CA/CN=expired'])
  sh(['ca', '-batch', '-config', join(d, 'ca.cnf'), '-cert', p.caCertPath, '-keyfile', p.caKeyPath, '-in', join(d, 'k.csr'), '-out', join(d, 'k.crt'), '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-notext'])
  return new Uint8Array(new X509Certificate(readFileSync(join(d, 'k.crt'))).raw)
}
