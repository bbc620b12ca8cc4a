/**
 * `dojang issue --to token:<label>` and `dojang renew token:…` through the built CLI, against a SoftHSM2 token and
 * OpenSSL's CMP mock behind the test CA front: the PIN comes from stdin (--pin-stdin) and never shows in the output;
 * a wrong PIN exits 3 and leaves the token empty. Needs `npx electron-vite build` first.
 */
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../main/cli/exitCodes'
import { forkWorker, TokenStore, TokenWorkerClient } from '../../main/core/stores/token'
import { dojangAsync } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { useTestCa } from '../support/testCa'
import { createSoftHsm, type SoftHsm } from '../support/softhsm'

const REF = '12345678'
const AUTH = 'ABCD-EFGH-1234'
const PIN = '640271'

const ca = useTestCa({ ref: REF, auth: AUTH })

let tmp: { dir: string; cleanup: () => Promise<void> }
let hsm: SoftHsm
beforeEach(async () => {
  tmp = await tempDir('dojang-token-cli-')
  hsm = await createSoftHsm('cli-keygen', PIN)
  const added = await run(['ca', 'add', 'mock', '--url', ca.front.url, '--ca-cert', ca.pki.caCertPath])
  expect(added.status, added.stderr).toBe(0)
})
afterEach(async () => {
  await hsm.cleanup()
  await tmp.cleanup()
})

/** The built CLI as a child process, asynchronously: the CA front answers from this test's event loop. */
function run(args: string[], input = '') {
  // HOME: no npki_pkcs11.cnf of this machine; SOFTHSM2_CONF: the CLI's token worker inherits it.
  const env = { DBUS_SESSION_BUS_ADDRESS: '', HOME: tmp.dir, SOFTHSM2_CONF: hsm.conf }
  return dojangAsync([...args, '--data-dir', join(tmp.dir, 'data'), '--no-keychain', '--module', hsm.module], { input, env })
}

/** The certificates on the token, with whether each key is there (read through Dojang's own worker). */
async function onToken(): Promise<{ location: string; hasKey?: boolean }[]> {
  const client = new TokenWorkerClient({ spawn: forkWorker({ env: hsm.env }) })
  try {
    const store = new TokenStore({ client, module: hsm.module, serial: hsm.serial })
    const session = await store.login(PIN)
    try {
      return await store.list({ session })
    } finally {
      session.close()
    }
  } finally {
    client.close()
  }
}

describe('dojang issue / renew / revoke with a security token', () => {
  it('issues onto the token with the PIN from stdin, then renews the token copy', async () => {
    const issued = await run(['issue', '--ca', 'mock', '--ref', REF, '--to', 'token:cli-keygen', '--pin-stdin', '--json'], `${AUTH}\n${PIN}\n`)
    expect(issued.status, issued.stderr).toBe(EXIT.OK)
    for (const secret of [PIN, AUTH]) expect(issued.stdout + issued.stderr).not.toContain(secret)
    const r = JSON.parse(issued.stdout) as { location: string; keyOnToken: boolean }
    expect(r.keyOnToken).toBe(true)
    expect(await onToken()).toEqual([expect.objectContaining({ location: r.location, hasKey: true })])

    const renewed = await run(['renew', r.location, '--ca', 'mock', '--pin-stdin'], `${PIN}\n`)
    expect(renewed.status, renewed.stderr).toBe(EXIT.OK)
    expect(renewed.stdout).toContain(`kept    ${r.location}`)
    expect(renewed.stdout + renewed.stderr).not.toContain(PIN)
    const after = await onToken()
    expect(after).toHaveLength(2)
    expect(after.every((c) => c.hasKey)).toBe(true)
    expect(ca.front.requests.slice(-2)).toEqual(['ir', 'kur'])

    // 폐지 signed on the token: the PIN from stdin; the token's copies stay and the output says how to delete them.
    const revoked = await run(['revoke', r.location, '--ca', 'mock', '--reason', 'superseded', '--pin-stdin', '--json'], `${PIN}\n`)
    expect(revoked.status, revoked.stderr).toBe(EXIT.OK)
    expect(revoked.stdout + revoked.stderr).not.toContain(PIN)
    expect(ca.front.requests.at(-1)).toBe('rr')
    expect((JSON.parse(revoked.stdout) as { left: string[] }).left).toContain(r.location)
    expect(await onToken()).toHaveLength(2)
  }, 120_000)

  it('a wrong PIN exits 3, asks no CA and leaves the token empty', async () => {
    const before = ca.front.requests.length
    const r = await run(['issue', '--ca', 'mock', '--ref', REF, '--to', 'token:cli-keygen', '--pin-stdin'], `${AUTH}\n000000\n`)
    expect(r.status, r.stderr).toBe(EXIT.WRONG_PASSWORD)
    expect(r.stderr).not.toContain('000000')
    expect(ca.front.requests.length).toBe(before)
    expect(await onToken()).toEqual([])
  }, 60_000)
})
