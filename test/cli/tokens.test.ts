// `dojang tokens`, `--to token:<label>`, `delete --permanent` and `token change-pin`, run as the built CLI against a
// real SoftHSM2 token made for each test (npm test builds out/main first).
import { createVerify, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../main/cli/exitCodes'
import { forkWorker, TokenStore, TokenWorkerClient } from '../../main/core/stores/token'
import { dojang } from '../support/cli'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'
import { createSoftHsm, type SoftHsm } from '../support/softhsm'

const PIN = '582913'
const NEW_PIN = '604417'

let tmp: { dir: string; cleanup: () => Promise<void> }
let hsm: SoftHsm
let folder: string
let env: NodeJS.ProcessEnv
beforeEach(async () => {
  tmp = await tempDir()
  hsm = await createSoftHsm('cli-token', PIN)
  folder = await copyHongFolder(tmp.dir)
  // HOME: no npki_pkcs11.cnf of this machine; SOFTHSM2_CONF: the CLI's token worker inherits it.
  env = { DOJANG_DATA_DIR: join(tmp.dir, 'data'), DBUS_SESSION_BUS_ADDRESS: '', HOME: tmp.dir, SOFTHSM2_CONF: hsm.conf }
})
afterEach(async () => {
  await hsm.cleanup()
  await tmp.cleanup()
})

const run = (args: string[], input?: string) => dojang([...args, '--module', hsm.module, '--no-keychain'], { env, ...(input !== undefined ? { input } : {}) })

interface ListedToken {
  serial: string
  label: string
  pinState: string
  slotId: string
  certificates: { location: string; hasKey?: boolean; hasKmPair: boolean }[]
}
function tokensJson(input?: string): ListedToken[] {
  const r = run(['tokens', '--json', ...(input !== undefined ? ['--pin-stdin'] : [])], input)
  expect(r.status, r.stderr).toBe(0)
  const modules = JSON.parse(r.stdout) as { module: string; tokens: ListedToken[] }[]
  return modules.find((m) => m.module === hsm.module)!.tokens
}

function copyIn(): string {
  const r = run(['copy', folder, '--to', 'token:cli-token', '--pin-stdin', '--json'], `${PIN}\n${FIXTURE_PASSWORD}\n`)
  expect(r.status, r.stderr).toBe(0)
  expect(r.stdout + r.stderr).not.toContain(PIN)
  expect(r.stdout + r.stderr).not.toContain(FIXTURE_PASSWORD)
  return (JSON.parse(r.stdout) as { location: string }).location
}

describe('dojang tokens', () => {
  it('lists the module, the slot, label and PIN state, and certificates with whether the key is there', () => {
    const [tok] = tokensJson()
    expect(tok).toMatchObject({ serial: hsm.serial, label: 'cli-token', pinState: 'ok', certificates: [] })
    const location = copyIn()
    expect(tokensJson()[0]!.certificates).toEqual([expect.objectContaining({ location, hasKmPair: true })])
    expect(tokensJson(`${PIN}\n`)[0]!.certificates[0]!.hasKey).toBe(true)
    const text = run(['tokens'])
    expect(text.stdout).toContain('token:cli-token')
    expect(text.stdout).toContain(`serial ${hsm.serial}`)
  })

  it('a module path that does not exist, or is not a PKCS#11 module, is a clear error (exit 17 when none works)', async () => {
    const missing = dojang(['tokens', '--module', join(tmp.dir, 'nope.so'), '--no-keychain'], { env })
    expect(missing.status).toBe(EXIT.TOKEN)
    expect(missing.stdout).toMatch(/NOT_FOUND/)
    const junk = join(tmp.dir, 'junk.so')
    await writeFile(junk, 'not a library')
    const bad = dojang(['tokens', '--module', junk, '--json', '--no-keychain'], { env })
    expect(bad.status).toBe(EXIT.TOKEN)
    expect(JSON.parse(bad.stdout)[0].error.code).toBe('TOKEN_MODULE_INVALID')
  })
})

describe('copy into a token', () => {
  it('stores the certificate and key; the key signs on the token and the certificate verifies it', async () => {
    const location = copyIn()
    const client = new TokenWorkerClient({ spawn: forkWorker({ env: hsm.env }) })
    try {
      const store = new TokenStore({ client, module: hsm.module, serial: hsm.serial })
      const session = await store.login(PIN)
      try {
        const data = Buffer.from('도장 서명 시험')
        const signature = await session.sign(location.split('/').pop()!, data)
        const cert = new X509Certificate(readFileSync(join(folder, 'signCert.der')))
        expect(createVerify('sha256').update(data).verify(cert.publicKey, Buffer.from(signature))).toBe(true)
        // A key pair left without its certificate (an interrupted 발급) shows in `dojang tokens` with the PIN.
        await session.generateKeyPair()
      } finally {
        session.close()
      }
    } finally {
      client.close()
    }
    const text = run(['tokens', '--pin-stdin'], `${PIN}\n`)
    expect(text.status, text.stderr).toBe(EXIT.OK)
    expect(text.stdout).toContain('1 private key(s) without a certificate')
  })

  it('a wrong PIN exits 3 and stores nothing; copy out of the token exits 19', () => {
    const wrong = run(['copy', folder, '--to', 'token:cli-token', '--pin-stdin'], `000000\n${FIXTURE_PASSWORD}\n`)
    expect(wrong.status).toBe(EXIT.WRONG_PASSWORD)
    expect(tokensJson()[0]!.certificates).toEqual([])
    const location = copyIn()
    const out = run(['copy', location, '--to', join(tmp.dir, 'elsewhere'), '--create'])
    expect(out.status).toBe(EXIT.KEY_NOT_EXPORTABLE)
    expect(out.stderr).toMatch(/never leaves/)
    expect(existsSync(join(tmp.dir, 'elsewhere'))).toBe(false)
  })

  it('an unknown token label is an error naming the connected tokens', () => {
    const r = run(['copy', folder, '--to', 'token:other', '--pin-stdin'], `${PIN}\n${FIXTURE_PASSWORD}\n`)
    expect(r.status).toBe(EXIT.NOT_FOUND)
    expect(r.stderr).toContain('token:cli-token')
  })
})

describe('delete and PIN change', () => {
  it('delete needs --permanent, then deletes the certificate and its key for good', () => {
    const location = copyIn()
    const refused = run(['delete', location])
    expect(refused.status).toBe(EXIT.USAGE)
    expect(refused.stderr).toMatch(/--permanent/)
    expect(run(['delete', location, '--permanent', '--pin-stdin'], '000000\n').status).toBe(EXIT.WRONG_PASSWORD)
    const done = run(['delete', location, '--permanent', '--pin-stdin'], `${PIN}\n`)
    expect(done.status, done.stderr).toBe(0)
    expect(tokensJson()[0]!.certificates).toEqual([])
  })

  it('token change-pin: a wrong current PIN exits 3; then the new PIN works and the old one does not', () => {
    expect(run(['token', 'change-pin', 'token:cli-token', '--pin-stdin'], `000000\n${NEW_PIN}\n`).status).toBe(EXIT.WRONG_PASSWORD)
    const r = run(['token', 'change-pin', '--pin-stdin'], `${PIN}\n${NEW_PIN}\n`)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).not.toContain(NEW_PIN)
    expect(run(['copy', folder, '--to', 'token:cli-token', '--pin-stdin'], `${PIN}\n${FIXTURE_PASSWORD}\n`).status).toBe(EXIT.WRONG_PASSWORD)
    expect(run(['copy', folder, '--to', 'token:cli-token', '--pin-stdin'], `${NEW_PIN}\n${FIXTURE_PASSWORD}\n`).status).toBe(0)
  })
})
