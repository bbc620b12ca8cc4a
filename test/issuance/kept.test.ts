/**
 * The 보관함 (main/core/app/keptIssued.ts): a certificate the CA has issued is never held only in memory. When its
 * medium refuses the write, the pair stays in Dojang's data folder, is listed with an `issued-kept` finding, opens
 * with its password and can be copied to where it belongs; when the write succeeds, nothing is left behind.
 * Against OpenSSL's CMP mock behind the test CA front; the medium's failure is an injected I/O error (fsx faults).
 */
import { X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { COMMANDS } from '../../main/core/app/commands'
import { openCore, type Core } from '../../main/core/app/core'
import { keptIssuedParent, keptIssuedRoots } from '../../main/core/app/keptIssued'
import { setFaultProbe } from '../../main/core/fsx'
import { checkPassword } from '../../main/core/ops/password'
import { tempDir } from '../support/fixtures'
import { useTestCa } from '../support/testCa'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PASSWORD = 'Dojang!7q9w2'

const ca = useTestCa({ ref: REF, auth: AUTH })

let tmp: { dir: string; cleanup: () => Promise<void> }
let core: Core
let root: string
beforeEach(async () => {
  tmp = await tempDir('dojang-kept-')
  root = join(tmp.dir, 'NPKI')
  mkdirSync(root)
  core = await openCore({ dataDir: join(tmp.dir, 'data'), diskRoots: [root], volumeSource: null, secretStore: null, frontEnd: 'app' })
  await COMMANDS.addCaProfile(core, { profile: { name: 'mock', transport: 'http', url: ca.front.url, caCert: ca.pki.caCertPem } })
})
afterEach(async () => {
  setFaultProbe(null)
  core.close()
  await tmp.cleanup()
})

/** The medium (anything under `root`) fails every write; Dojang's own data folder works. */
function breakMedium(): void {
  setFaultProbe((site) => {
    if (site.file.startsWith(root) && site.phase === 'before') throw Object.assign(new Error('injected: the USB drive was pulled'), { code: 'EIO' })
  })
}

const issue = () => COMMANDS.issueCertificate(core, { ca: 'mock', referenceNumber: REF, authCode: AUTH, newPassword: PASSWORD, to: { target: { medium: 'disk', root } } })

describe('issue', () => {
  it('a write that works leaves nothing in the 보관함', async () => {
    const issued = await issue()
    await checkPassword(issued.ref.location, PASSWORD)
    expect(await keptIssuedRoots(core.dataDir)).toEqual([])
    expect(existsSync(keptIssuedParent(core.dataDir)) ? readdirSync(keptIssuedParent(core.dataDir)) : []).toEqual([])
  }, 60_000)

  it('a medium that fails keeps the pair: the error says where, the list shows it with a finding, and it can be copied out', async () => {
    breakMedium()
    const err = await issue().catch((e: unknown) => e)
    setFaultProbe(null)
    expect(isDojangError(err)).toBe(true)
    const kept = (err as { details: { rescuedTo: string; hint: string } }).details
    expect(kept.hint).toBe('issued-kept')
    expect(kept.rescuedTo.startsWith(keptIssuedParent(core.dataDir))).toBe(true)
    // Whole, and protected by the new password.
    await checkPassword(kept.rescuedTo, PASSWORD)
    // It is the very certificate the CA issued.
    expect(readFileSync(join(kept.rescuedTo, 'signCert.der')).equals(new X509Certificate(readFileSync(ca.front.issued.at(-1)!)).raw)).toBe(true)
    // Listed at once (no scan needed), and the scan words what to do.
    const list = await COMMANDS.listCertificates(core, {})
    expect(list.flatMap((c) => c.copies.map((x) => x.location))).toContain(kept.rescuedTo)
    const scan = await COMMANDS.scan(core)
    expect(scan.findings.filter((f) => f.code === 'issued-kept').map((f) => f.locations)).toEqual([[kept.rescuedTo]])
    // The 보관함 is not offered as a destination.
    expect((await COMMANDS.listMedia(core)).map((m) => m.root)).toEqual([root])
    // Copied to where it belongs, it opens there; then the kept copy can go to the trash.
    const copied = await COMMANDS.copyCertificate(core, { location: kept.rescuedTo, to: { target: { medium: 'disk', root } } })
    await checkPassword(copied.ref.location, PASSWORD)
    await COMMANDS.deleteCopy(core, { location: kept.rescuedTo })
    await COMMANDS.scan(core)
    expect((await COMMANDS.scan(core)).findings.some((f) => f.code === 'issued-kept')).toBe(false)
    // The empty shell of the root is dropped once it is an hour old (a fresh one may be being written).
    const [shell] = await keptIssuedRoots(core.dataDir)
    expect(shell).toBeDefined()
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000)
    utimesSync(shell!, hourAgo, hourAgo)
    expect(await keptIssuedRoots(core.dataDir)).toEqual([])
    expect(existsSync(shell!)).toBe(false)
  }, 60_000)
})

describe('the 보관함 itself fails', () => {
  it('a pair that cannot be kept is never confirmed: the CA hears "rejected", nothing is written anywhere', async () => {
    const kept = keptIssuedParent(core.dataDir)
    setFaultProbe((site) => {
      if (site.file.startsWith(kept) && site.phase === 'before') throw Object.assign(new Error('injected: no space left'), { code: 'ENOSPC' })
    })
    const before = { ...ca.front.confirmations }
    const err = await issue().catch((e: unknown) => e)
    setFaultProbe(null)
    expect(err).toMatchObject({ details: { hint: 'issued-not-kept' } })
    expect((err as Error).message).toMatch(/told the certificate authority/)
    expect(ca.front.confirmations).toEqual({ accepted: before.accepted, rejected: before.rejected + 1 })
    expect(await keptIssuedRoots(core.dataDir)).toEqual([])
    expect(readdirSync(root)).toEqual([])
  }, 60_000)
})

describe('renew', () => {
  it('a copy that cannot take the renewed pair keeps its old pair; the renewed pair is kept with the same password', async () => {
    const issued = await issue()
    await COMMANDS.scan(core)
    const oldCert = readFileSync(join(issued.ref.location, 'signCert.der'))
    const oldKey = readFileSync(join(issued.ref.location, 'signPri.key'))
    breakMedium()
    const err = await COMMANDS.renewCertificate(core, { location: issued.ref.location, ca: 'mock', password: PASSWORD, force: true }).catch((e: unknown) => e)
    setFaultProbe(null)
    const kept = (err as { details: { rescuedTo: string } }).details.rescuedTo
    expect(readFileSync(join(issued.ref.location, 'signCert.der')).equals(oldCert)).toBe(true)
    expect(readFileSync(join(issued.ref.location, 'signPri.key')).equals(oldKey)).toBe(true)
    await checkPassword(kept, PASSWORD)
    expect(readFileSync(join(kept, 'signPri.key')).equals(oldKey)).toBe(false)
    expect(ca.front.requests.at(-1)).toBe('kur')
  }, 60_000)
})
