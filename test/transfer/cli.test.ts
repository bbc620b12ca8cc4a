/**
 * `dojang share` / `dojang receive` with the built CLI as a real process, and a phone simulated in Node over
 * 127.0.0.1 (the session binds 127.0.0.1 and advertises a `.test` name; requests carry that Host header).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../main/cli/exitCodes'
import { importPfx } from '../../main/core/npki/pfx'
import { decodeSharePayload, encodeUpload } from '../../main/core/transfer/payload'
import * as phone from '../../main/core/transfer/phone/crypto'
import { writeZip } from '../../main/core/transfer/zip'
import { CLI, dojang } from '../support/cli'
import { FIXTURE_PASSWORD, FIXTURES, HONG_DIR, tempDir } from '../support/fixtures'
import { parseSessionUrl, post, TEST_HOST } from './support'

const NEW_PASSWORD = 'Dojang#2026pw'

interface Running {
  stdout(): string
  stderr(): string
  write(line: string): void
  exit: Promise<number>
}

/** The built CLI, running while the test plays the phone. */
function start(args: string[], env: NodeJS.ProcessEnv): Running {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx electron-vite build"`)
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')))
  return {
    stdout: () => out,
    stderr: () => err,
    write: (line) => child.stdin.write(`${line}\n`),
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1))),
  }
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)

/** Waits for the URL the command printed, then claims the session as the phone page does. */
async function phoneClaims(run: Running, json: boolean) {
  const urlOf = () => (json ? (jsonLines(run.stdout()).find((l) => l.event === 'waiting')?.url as string | undefined) : run.stdout().split('\n').find((l) => l.startsWith('http://')))
  await expect.poll(urlOf, { timeout: 30_000 }).toBeDefined()
  const url = urlOf()!
  expect(new URL(url).host).toMatch(new RegExp(`^${TEST_HOST.replace(/\./g, '\\.')}:\\d+$`))
  const s = parseSessionUrl(url)
  const nonce = new Uint8Array(randomBytes(16))
  expect((await post(s.port, `${s.path}/claim`, nonce)).status).toBe(200)
  return { ...s, url, nonce, code: phone.confirmationCode(s.key, s.sid, nonce) }
}

let tmp: { dir: string; cleanup: () => Promise<void> }
let env: NodeJS.ProcessEnv
const endpoint = ['--bind', '127.0.0.1', '--advertise', TEST_HOST, '--no-keychain']
beforeEach(async () => {
  tmp = await tempDir()
  env = { DOJANG_DATA_DIR: join(tmp.dir, 'data'), DBUS_SESSION_BUS_ADDRESS: '' }
  // The "USB drive" the received certificate goes to.
  await mkdir(join(tmp.dir, 'usb'))
})
afterEach(() => tmp.cleanup())

async function folderFiles(dir: string): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>()
  for (const name of await readdir(dir)) m.set(name, await readFile(join(dir, name)))
  return m
}

/** Nothing Dojang keeps (inventory, audit log) holds the session key or id. */
async function expectNoSessionSecrets(key: string, sid: string): Promise<void> {
  for (const name of await readdir(join(tmp.dir, 'data'))) {
    const path = join(tmp.dir, 'data', name)
    const bytes = await readFile(path).catch(() => null)
    if (!bytes) continue
    expect(bytes.includes(key), name).toBe(false)
    expect(bytes.includes(sid), name).toBe(false)
  }
}

describe('dojang share', () => {
  it('--json --yes: one JSON line per event; the phone gets the folder byte for byte; exit 0; no key kept', async () => {
    const run = start(['share', HONG_DIR, ...endpoint, '--json', '--yes'], env)
    const p = await phoneClaims(run, true)
    expect(JSON.parse((await post(p.port, `${p.path}/status`, p.nonce)).body.toString())).toEqual({ state: 'confirmed' })
    const payload = await post(p.port, `${p.path}/payload`, p.nonce)
    expect(payload.status).toBe(200)
    const [item] = decodeSharePayload(phone.openEnvelope(p.key, p.sid, 'down', new Uint8Array(payload.body)))
    const source = await folderFiles(HONG_DIR)
    expect(item!.files.map((f) => f.name).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    for (const f of item!.files) expect(Buffer.from(f.data).equals(source.get(f.name)!), f.name).toBe(true)
    expect(await run.exit).toBe(EXIT.OK)
    const lines = jsonLines(run.stdout())
    expect(lines[0]).toMatchObject({ event: 'waiting', url: p.url, sessionId: p.sid })
    expect(lines.find((l) => l.event === 'claimed')).toMatchObject({ code: p.code, address: '127.0.0.1' })
    expect(lines.map((l) => l.event)).toEqual(['waiting', 'claimed', 'confirmed', 'sent'])
    await expectNoSessionSecrets(p.keyText, p.sid)
  })

  it('prints the URL, a terminal QR code and the code, and releases only after "y" on stdin', async () => {
    const run = start(['share', HONG_DIR, ...endpoint], env)
    const p = await phoneClaims(run, false)
    await expect.poll(() => run.stderr()).toContain(`${p.code.slice(0, 3)} ${p.code.slice(3)}`)
    expect(run.stderr()).toMatch(/[▀▄█]/)
    expect(run.stderr()).toContain('[y/N]')
    run.write('y')
    expect(JSON.parse((await post(p.port, `${p.path}/status`, p.nonce)).body.toString())).toEqual({ state: 'confirmed' })
    expect((await post(p.port, `${p.path}/payload`, p.nonce)).status).toBe(200)
    expect(await run.exit).toBe(EXIT.OK)
  })

  it('declines on "n": the phone gets 403, nothing is sent, exit 1', async () => {
    const run = start(['share', HONG_DIR, ...endpoint], env)
    const p = await phoneClaims(run, false)
    await expect.poll(() => run.stderr()).toContain('[y/N]')
    run.write('n')
    await expect.poll(async () => (await post(p.port, `${p.path}/status`, p.nonce).catch(() => ({ status: -1 }))).status).not.toBe(200)
    expect(await run.exit).toBe(EXIT.FAILURE)
    expect(run.stderr()).toContain('Declined')
  })

  it('--format p12 --password-stdin: the transfer password is in the waiting line; the .p12 opens with it; no NPKI key is sent', async () => {
    const run = start(['share', HONG_DIR, ...endpoint, '--format', 'p12', '--password-stdin', '--json', '--yes'], env)
    run.write(FIXTURE_PASSWORD)
    const p = await phoneClaims(run, true)
    const transfer = jsonLines(run.stdout()).find((l) => l.event === 'waiting')?.transferPassword as string
    expect(transfer).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    await expect.poll(async () => JSON.parse((await post(p.port, `${p.path}/status`, p.nonce)).body.toString())).toEqual({ state: 'confirmed' })
    const payload = await post(p.port, `${p.path}/payload`, p.nonce)
    const [item] = decodeSharePayload(phone.openEnvelope(p.key, p.sid, 'down', new Uint8Array(payload.body)))
    expect(item!.files).toEqual([])
    expect(Buffer.from(importPfx(item!.pfx!.data, transfer).pairs[0]!.cert).equals(await readFile(join(HONG_DIR, 'signCert.der')))).toBe(true)
    expect(await run.exit).toBe(EXIT.OK)
    // Neither password is kept by Dojang.
    for (const name of await readdir(join(tmp.dir, 'data'))) {
      const bytes = await readFile(join(tmp.dir, 'data', name)).catch(() => null)
      if (bytes) expect(bytes.includes(transfer) || bytes.includes(FIXTURE_PASSWORD), name).toBe(false)
    }
  })

  it('--format both with a wrong password: exit 3 (wrong password), no URL, no server', async () => {
    const r = dojang(['share', HONG_DIR, ...endpoint, '--format', 'both', '--password-stdin'], { env, input: 'wrong-password-9!\n' })
    expect(r.status).toBe(EXIT.WRONG_PASSWORD)
    expect(r.stdout).not.toContain('http://')
    const bad = dojang(['share', HONG_DIR, ...endpoint, '--format', 'pdf'], { env })
    expect(bad.status).toBe(EXIT.USAGE)
  })

  it('a folder that is not a certificate is refused before any server starts', async () => {
    const r = dojang(['share', tmp.dir, ...endpoint], { env })
    expect(r.status).not.toBe(EXIT.OK)
    expect(r.stdout).not.toContain('http://')
  })
})

describe('dojang receive', () => {
  it('imports a .p12 the phone uploads into the chosen folder with the new password', async () => {
    const dest = join(tmp.dir, 'usb', 'NPKI')
    const run = start(['receive', '--to', dest, '--create', ...endpoint, '--yes', '--json', '--password-stdin'], env)
    const p = await phoneClaims(run, true)
    expect(JSON.parse((await post(p.port, `${p.path}/status`, p.nonce)).body.toString())).toEqual({ state: 'confirmed' })
    const data = new Uint8Array(await readFile(join(FIXTURES, 'pfx', 'bankstyle_3des_randomnum.pfx')))
    const sealed = phone.sealEnvelope(p.key, p.sid, 'up', encodeUpload({ name: '홍길동.p12', kind: 'pfx', data }), new Uint8Array(randomBytes(12)))
    expect((await post(p.port, `${p.path}/upload`, new Uint8Array(Buffer.concat([p.nonce, sealed])))).status).toBe(200)
    await expect.poll(() => jsonLines(run.stdout()).some((l) => l.event === 'file-arrived')).toBe(true)
    run.write(FIXTURE_PASSWORD)
    run.write(NEW_PASSWORD)
    expect(await run.exit, run.stderr()).toBe(EXIT.OK)
    const last = jsonLines(run.stdout()).at(-1) as { event: string; locations: string[] }
    expect(last.event).toBe('imported')
    expect(last.locations).toHaveLength(1)
    expect(last.locations[0]!.startsWith(dest)).toBe(true)
    expect(dojang(['check-password', last.locations[0]!, '--password-stdin'], { input: `${NEW_PASSWORD}\n`, env }).status).toBe(EXIT.OK)
    expect(run.stdout()).not.toContain(FIXTURE_PASSWORD)
    expect(run.stderr()).not.toContain(NEW_PASSWORD)
    await expectNoSessionSecrets(p.keyText, p.sid)
  })

  it('imports an NPKI folder ZIP byte for byte when the password stays; a wrong password writes nothing (exit 3)', async () => {
    const source = await folderFiles(HONG_DIR)
    const folder = 'NPKI/testsign/USER/cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr'
    const zip = writeZip([...source].map(([name, data]) => ({ path: `${folder}/${name}`, data: new Uint8Array(data) })))
    const upload = async (run: Running) => {
      const p = await phoneClaims(run, true)
      await post(p.port, `${p.path}/status`, p.nonce)
      const sealed = phone.sealEnvelope(p.key, p.sid, 'up', encodeUpload({ name: 'npki.zip', kind: 'zip', data: zip }), new Uint8Array(randomBytes(12)))
      expect((await post(p.port, `${p.path}/upload`, new Uint8Array(Buffer.concat([p.nonce, sealed])))).status).toBe(200)
      await expect.poll(() => jsonLines(run.stdout()).find((l) => l.event === 'file-arrived')).toMatchObject({ event: 'file-arrived' })
    }
    const dest = join(tmp.dir, 'usb', 'NPKI')

    const wrong = start(['receive', '--to', dest, '--create', ...endpoint, '--yes', '--json', '--password-stdin'], env)
    await upload(wrong)
    wrong.write('not-the-password')
    wrong.write('not-the-password')
    expect(await wrong.exit).toBe(EXIT.WRONG_PASSWORD)
    expect(existsSync(join(dest, 'testsign'))).toBe(false)

    const run = start(['receive', '--to', dest, '--create', ...endpoint, '--yes', '--json', '--password-stdin'], env)
    await upload(run)
    run.write(FIXTURE_PASSWORD)
    run.write(FIXTURE_PASSWORD)
    expect(await run.exit, run.stderr()).toBe(EXIT.OK)
    const { locations } = jsonLines(run.stdout()).at(-1) as { locations: string[] }
    const written = await folderFiles(locations[0]!)
    for (const [name, data] of source) expect(written.get(name)?.equals(data), name).toBe(true)
  })
})
