/** The terminal flows of `dojang share` / `dojang receive` (main/cli/transferCommands.ts), in-process, with a scripted phone. */
import { randomBytes } from 'node:crypto'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { receiveInTerminal, shareInTerminal } from '../../main/cli/transferCommands'
import type { CliIo } from '../../main/cli/io'
import { decodeSharePayload, encodeUpload } from '../../main/core/transfer/payload'
import * as phone from '../../main/core/transfer/phone/crypto'
import { HONG_DIR } from '../support/fixtures'
import { manualScheduler, parseSessionUrl, post, TEST_HOST } from './support'

function testIo(): { io: CliIo; stdout: () => string; stderr: () => string; stdin: PassThrough } {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')))
  return { io: { stdin, stdout, stderr, env: {} }, stdout: () => out, stderr: () => err, stdin }
}

const jsonLines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
const base = { bind: '127.0.0.1', advertise: TEST_HOST }

/** Waits for the session URL the command printed, then plays the phone up to the claim. */
async function phoneClaims(stdout: () => string, json: boolean) {
  await expect.poll(() => (json ? jsonLines(stdout()).find((l) => l.event === 'waiting') : stdout().split('\n')[0]?.startsWith('http') ? stdout() : undefined)).toBeDefined()
  const url = json ? String(jsonLines(stdout()).find((l) => l.event === 'waiting')!.url) : stdout().split('\n')[0]!
  const s = parseSessionUrl(url)
  const nonce = new Uint8Array(randomBytes(16))
  expect((await post(s.port, `${s.path}/claim`, nonce)).status).toBe(200)
  return { ...s, url, nonce }
}

describe('dojang share (terminal flow)', () => {
  it('--json --yes: one JSON line per event, releases at once, exit 0; the phone gets the folder byte for byte', async () => {
    const t = testIo()
    const done = shareInTerminal([HONG_DIR], { ...base, json: true, yes: true }, t.io)
    const p = await phoneClaims(t.stdout, true)
    const status = await post(p.port, `${p.path}/status`, p.nonce)
    expect(JSON.parse(status.body.toString())).toEqual({ state: 'confirmed' })
    const payload = await post(p.port, `${p.path}/payload`, p.nonce)
    const [item] = decodeSharePayload(phone.openEnvelope(p.key, p.sid, 'down', new Uint8Array(payload.body)))
    expect(item?.files.map((f) => f.name).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    expect(await done).toBe(0)
    const lines = jsonLines(t.stdout())
    expect(lines[0]).toMatchObject({ event: 'waiting', url: p.url, sessionId: p.sid })
    expect(lines.find((l) => l.event === 'claimed')).toMatchObject({ code: phone.confirmationCode(p.key, p.sid, p.nonce), address: '127.0.0.1' })
    expect(lines.map((l) => l.event)).toEqual(['waiting', 'claimed', 'confirmed', 'sent'])
  })

  it('prints the URL, a terminal QR code and the code, and asks y/n on stdin before releasing', async () => {
    const t = testIo()
    const done = shareInTerminal([HONG_DIR], { ...base, json: false, yes: false }, t.io)
    const p = await phoneClaims(t.stdout, false)
    const code = phone.confirmationCode(p.key, p.sid, p.nonce)
    await expect.poll(() => t.stderr()).toContain(`${code.slice(0, 3)} ${code.slice(3)}`)
    expect(t.stderr()).toMatch(/[▀▄█]/)
    expect(t.stderr()).toContain('[y/N]')
    t.stdin.write('y\n')
    const status = await post(p.port, `${p.path}/status`, p.nonce)
    expect(JSON.parse(status.body.toString())).toEqual({ state: 'confirmed' })
    expect((await post(p.port, `${p.path}/payload`, p.nonce)).status).toBe(200)
    expect(await done).toBe(0)
  })

  it('declines on anything but yes, and exits 1', async () => {
    const t = testIo()
    const clock = manualScheduler()
    // The person answers once the phone is waiting for the answer (its status request is held).
    const ask = async () => {
      await expect.poll(() => clock.live('long-poll')).toBe(1)
      return 'n'
    }
    const done = shareInTerminal([HONG_DIR], { ...base, json: false, yes: false, ask, limits: { scheduler: clock.scheduler } }, t.io)
    const p = await phoneClaims(t.stdout, false)
    const status = await post(p.port, `${p.path}/status`, p.nonce)
    expect(status.status).toBe(403)
    expect(await done).toBe(1)
    expect(t.stderr()).toContain('Declined')
  })
})

describe('dojang receive (terminal flow)', () => {
  it('hands the uploaded file to the import and prints where it went', async () => {
    const t = testIo()
    const got: Uint8Array[] = []
    const done = receiveInTerminal(
      async (file) => {
        got.push(file.data)
        return `keychain:${file.name}`
      },
      { ...base, json: true, yes: true },
      t.io,
    )
    const p = await phoneClaims(t.stdout, true)
    await post(p.port, `${p.path}/status`, p.nonce)
    const data = new Uint8Array(randomBytes(2000))
    const sealed = phone.sealEnvelope(p.key, p.sid, 'up', encodeUpload({ name: 'a.p12', kind: 'pfx', data }), new Uint8Array(randomBytes(12)))
    expect((await post(p.port, `${p.path}/upload`, new Uint8Array(Buffer.concat([p.nonce, sealed])))).status).toBe(200)
    expect(await done).toBe(0)
    expect(got[0]).toEqual(data)
    expect(jsonLines(t.stdout()).at(-1)).toEqual({ event: 'imported', name: 'a.p12', kind: 'pfx', location: 'keychain:a.p12' })
  })
})
