/**
 * The session server against every attack of issue 9, over real HTTP on 127.0.0.1 with the Host header a phone
 * would send for the advertised test name. Time never passes on its own: the 120 s expiry fires by hand.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { decodeSharePayload, encodeUpload, type ShareItem } from '../../main/core/transfer/payload'
import * as phone from '../../main/core/transfer/phone/crypto'
import { startReceive, type ReceiveSession } from '../../main/core/transfer/receive'
import { startShare, type ShareSession } from '../../main/core/transfer/share'
import { SECURITY_HEADERS } from '../../main/core/transfer/http'
import { connectError, manualScheduler, parseSessionUrl, post, progressLog, raw, TEST_HOST } from './support'

const ITEMS: ShareItem[] = [
  { label: '홍길동', folder: 'NPKI/testsign/USER/cn=홍길동', files: [{ name: 'signCert.der', data: new Uint8Array(randomBytes(900)) }, { name: 'signPri.key', data: new Uint8Array(randomBytes(1200)) }] },
]

const np = () => new Uint8Array(randomBytes(16))
const json = (b: Buffer) => JSON.parse(b.toString('utf8')) as Record<string, unknown>

let open: (ShareSession | ReceiveSession<unknown>)[] = []
afterEach(async () => {
  for (const s of open) s.cancel()
  await Promise.all(open.map((s) => s.result.catch(() => undefined)))
  open = []
})

async function share(extra: Partial<Parameters<typeof startShare>[0]> = {}, ctx: Parameters<typeof startShare>[1] = {}) {
  const clock = manualScheduler()
  const log = progressLog()
  const session = await startShare({ bindHost: '127.0.0.1', advertiseHost: TEST_HOST, items: ITEMS, scheduler: clock.scheduler, ...extra }, { progress: log.progress, ...ctx })
  open.push(session)
  return { session, clock, log, ...parseSessionUrl(session.url) }
}

async function receive<T>(onReceived?: (f: { name: string; data: Uint8Array }) => T) {
  const clock = manualScheduler()
  const log = progressLog()
  const session = await startReceive<T>({ bindHost: '127.0.0.1', advertiseHost: TEST_HOST, scheduler: clock.scheduler, ...(onReceived ? { onReceived } : {}) }, { progress: log.progress })
  open.push(session)
  return { session, clock, log, ...parseSessionUrl(session.url) }
}

describe('a share session', () => {
  it('advertises the test host in its URL, key only in the fragment, and reports waiting-for-phone', async () => {
    const { session, log, port, sid, keyText } = await share()
    expect(session.url).toBe(`http://${TEST_HOST}:${port}/c/${sid}#k=${keyText}`)
    expect(session.expiresAt).toBeGreaterThan(Date.now())
    expect(log.steps[0]).toMatchObject({ step: 'waiting-for-phone', detail: { address: `${TEST_HOST}:${port}`, mode: 'share' } })
  })

  it('serves the page, script and style from memory with the strict headers and no CORS', async () => {
    const { port, path } = await share()
    for (const [p, type] of [[path, 'text/html'], [`${path}/app.js`, 'text/javascript'], [`${path}/app.css`, 'text/css']] as const) {
      const res = await raw(port, { path: p })
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toContain(type)
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name.toLowerCase()]).toBe(value)
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
    }
    // A cross-origin preflight gets no CORS permission either.
    const preflight = await raw(port, { method: 'OPTIONS', path: `${path}/claim`, origin: `http://${TEST_HOST}:${port}`, headers: { 'access-control-request-method': 'POST' } })
    expect(preflight.status).toBe(405)
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  it('goes claim → code → confirm → payload, once, and the phone opens what it gets', async () => {
    const { session, clock, log, port, path, sid, key } = await share()
    const nonce = np()
    const claim = await post(port, `${path}/claim`, nonce, { headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14; SM-S918N)' } })
    expect(claim.status).toBe(200)
    expect(json(claim.body)).toEqual({ mode: 'share' })
    const claimed = log.step('claimed')
    expect(claimed?.detail).toEqual({ code: phone.confirmationCode(key, sid, nonce), address: '127.0.0.1', userAgent: 'Mozilla/5.0 (Linux; Android 14; SM-S918N)' })

    // Before the person confirms: the status long-poll waits, the payload is refused.
    const status = post(port, `${path}/status`, nonce)
    expect((await post(port, `${path}/payload`, nonce)).status).toBe(409)
    await expect.poll(() => clock.live('long-poll')).toBe(1)
    expect(session.confirm()).toBe(true)
    expect(session.confirm()).toBe(false)
    const answered = await status
    expect(answered.status).toBe(200)
    expect(json(answered.body)).toEqual({ state: 'confirmed' })

    const payload = await post(port, `${path}/payload`, nonce)
    expect(payload.status).toBe(200)
    expect(payload.headers['content-type']).toBe('application/octet-stream')
    expect(decodeSharePayload(phone.openEnvelope(key, sid, 'down', new Uint8Array(payload.body)))).toEqual(ITEMS)

    await expect(session.result).resolves.toEqual({ status: 'sent' })
    expect(log.steps.map((s) => s.step)).toEqual(['waiting-for-phone', 'claimed', 'confirmed', 'sent'])
    // Replay after success: the server is gone.
    expect(await connectError(port, `${path}/payload`)).toBe('ECONNREFUSED')
    // Nothing reported to the caller carries the key or the URL with it.
    expect(JSON.stringify(log.steps)).not.toContain(Buffer.from(key).toString('base64url'))
    expect(session.url).toBe('')
  })

  it('answers an unknown session id with 404, and a burst of guesses ends the session', async () => {
    const { session, log, port, sid } = await share({ maxBadRequests: 5 })
    const guess = () => raw(port, { path: `/c/${randomBytes(16).toString('base64url')}` })
    for (let i = 0; i < 5; i++) expect((await guess()).status).toBe(404)
    // Still alive after five: the real phone may yet come.
    expect((await raw(port, { path: `/c/${sid}` })).status).toBe(200)
    expect((await guess()).status).toBe(404)
    await expect(session.result).resolves.toEqual({ status: 'aborted' })
    expect(log.steps.at(-1)?.step).toBe('aborted')
    expect(await connectError(port, `/c/${sid}`)).toBe('ECONNREFUSED')
  })

  it('does not count what browsers ask for by themselves (favicon)', async () => {
    const { session, port } = await share({ maxBadRequests: 1 })
    for (let i = 0; i < 5; i++) expect((await raw(port, { path: '/favicon.ico' })).status).toBe(404)
    expect((await raw(port, { path: '/nope' })).status).toBe(404)
    expect(session.confirm()).toBe(false) // still waiting, not aborted
    expect((await raw(port, { path: '/nope' })).status).toBe(404)
    await expect(session.result).resolves.toEqual({ status: 'aborted' })
  })

  it('refuses a second claim with 409', async () => {
    const { session, port, path } = await share()
    expect((await post(port, `${path}/claim`, np())).status).toBe(200)
    const second = await post(port, `${path}/claim`, np())
    expect(second.status).toBe(409)
    // The second device cannot get the payload with its own nonce, even after confirmation.
    session.confirm()
    expect((await post(port, `${path}/payload`, np())).status).toBe(403)
  })

  it('refuses a claim after expiry (the server is closed) and answers a waiting phone 410', async () => {
    const { session, clock, log, port, path } = await share()
    const nonce = np()
    expect((await post(port, `${path}/claim`, nonce)).status).toBe(200)
    const waiting = post(port, `${path}/status`, nonce)
    await expect.poll(() => clock.live('long-poll')).toBe(1)
    expect(clock.fire('expiry')).toBe(1)
    const answer = await waiting
    expect(answer.status).toBe(410)
    expect(json(answer.body)).toEqual({ state: 'expired' })
    await expect(session.result).resolves.toEqual({ status: 'expired' })
    expect(log.steps.at(-1)?.step).toBe('expired')
    expect(await connectError(port, `${path}/claim`)).toBe('ECONNREFUSED')
  })

  it('refuses a wrong Host (DNS rebinding), even this machine\'s own address, with 421', async () => {
    const { port, path } = await share()
    expect((await raw(port, { path, host: `127.0.0.1:${port}` })).status).toBe(421)
    expect((await raw(port, { path, host: `evil.example:${port}` })).status).toBe(421)
    expect((await raw(port, { path, host: TEST_HOST })).status).toBe(421)
    expect((await raw(port, { path })).status).toBe(200)
  })

  it('refuses a foreign Origin with 403 and accepts its own', async () => {
    const { port, path } = await share()
    expect((await post(port, `${path}/claim`, np(), { origin: 'http://evil.example' })).status).toBe(403)
    expect((await post(port, `${path}/claim`, np(), { origin: `http://${TEST_HOST}:${port + 1}` })).status).toBe(403)
    expect((await post(port, `${path}/claim`, np(), { origin: 'null' })).status).toBe(403)
    expect((await post(port, `${path}/claim`, np(), { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
    expect((await post(port, `${path}/claim`, np())).status).toBe(200)
  })

  it('refuses a wrong content type with 415 and a wrong method with 405', async () => {
    const { port, path } = await share({ maxBadRequests: 10 })
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json']) {
      expect((await post(port, `${path}/claim`, np(), { contentType: type })).status).toBe(415)
    }
    expect((await raw(port, { method: 'GET', path: `${path}/claim` })).status).toBe(405)
    expect((await raw(port, { method: 'POST', path, contentType: 'application/octet-stream', body: np() })).status).toBe(405)
  })

  it('refuses bodies of the wrong size', async () => {
    const { port, path } = await share({ maxBadRequests: 10 })
    expect((await post(port, `${path}/claim`, new Uint8Array(15))).status).toBe(400)
    expect((await post(port, `${path}/claim`, new Uint8Array(100_000))).status).toBe(413)
  })

  it('ends with declined when the person does not recognise the phone', async () => {
    const { session, clock, port, path } = await share()
    const nonce = np()
    await post(port, `${path}/claim`, nonce)
    const status = post(port, `${path}/status`, nonce)
    await expect.poll(() => clock.live('long-poll')).toBe(1)
    expect(session.reject()).toBe(true)
    const answer = await status
    expect(answer.status).toBe(403)
    expect(json(answer.body)).toEqual({ state: 'declined' })
    await expect(session.result).resolves.toEqual({ status: 'declined' })
    expect(await connectError(port, path)).toBe('ECONNREFUSED')
  })

  it('ends with cancelled when the operation is aborted, and refuses to start when already aborted', async () => {
    const controller = new AbortController()
    const { session, log, port, path } = await share({}, { signal: controller.signal })
    controller.abort()
    await expect(session.result).resolves.toEqual({ status: 'cancelled' })
    expect(log.steps.at(-1)?.step).toBe('cancelled')
    expect(await connectError(port, path)).toBe('ECONNREFUSED')
    const err = await startShare({ bindHost: '127.0.0.1', items: ITEMS }, { signal: controller.signal }).catch((e: unknown) => e)
    expect(isDojangError(err, 'CANCELLED')).toBe(true)
  })

  it('explains an address this computer does not have', async () => {
    // 192.0.2.10 is a documentation address (RFC 5737): binding to it fails locally, nothing is sent.
    const err = await startShare({ bindHost: '192.0.2.10', items: ITEMS }).catch((e: unknown) => e)
    expect(isDojangError(err, 'INVALID_INPUT')).toBe(true)
  })
})

describe('a receive session (phone → PC)', () => {
  async function claimAndConfirm(s: Awaited<ReturnType<typeof receive>>) {
    const nonce = np()
    const claim = await post(s.port, `${s.path}/claim`, nonce)
    expect(json(claim.body)).toEqual({ mode: 'receive' })
    expect(s.session.confirm()).toBe(true)
    return nonce
  }

  function sealedUpload(key: Uint8Array, sid: string, nonce: Uint8Array, data: Uint8Array, name = '인증서.p12'): Uint8Array {
    const sealed = phone.sealEnvelope(key, sid, 'up', encodeUpload({ name, kind: 'pfx', data }), new Uint8Array(randomBytes(12)))
    return new Uint8Array(Buffer.concat([nonce, sealed]))
  }

  it('refuses an upload before confirmation, then takes the sealed file and hands it to onReceived', async () => {
    const received: { name: string; data: Uint8Array }[] = []
    const s = await receive((f) => {
      received.push(f)
      return 'imported'
    })
    const data = new Uint8Array(randomBytes(3000))
    const nonce = np()
    await post(s.port, `${s.path}/claim`, nonce)
    expect((await post(s.port, `${s.path}/upload`, sealedUpload(s.key, s.sid, nonce, data))).status).toBe(409)
    s.session.confirm()
    const res = await post(s.port, `${s.path}/upload`, sealedUpload(s.key, s.sid, nonce, data))
    expect(res.status).toBe(200)
    const outcome = await s.session.result
    expect(outcome).toMatchObject({ status: 'received', imported: 'imported', file: { name: '인증서.p12', kind: 'pfx' } })
    expect(received[0]?.data).toEqual(data)
    expect(s.log.steps.map((p) => p.step)).toEqual(['waiting-for-phone', 'claimed', 'confirmed', 'received'])
    expect(await connectError(s.port, `${s.path}/upload`)).toBe('ECONNREFUSED')
  })

  it('refuses a tampered ciphertext with 400 and keeps the session for a good one', async () => {
    const s = await receive()
    const nonce = await claimAndConfirm(s)
    const good = sealedUpload(s.key, s.sid, nonce, new Uint8Array([1, 2, 3]))
    const tampered = new Uint8Array(good)
    tampered[40] = (tampered[40] as number) ^ 0x80
    expect((await post(s.port, `${s.path}/upload`, tampered)).status).toBe(400)
    // Sealed for the other direction or under another key: refused the same way.
    const wrongDirection = new Uint8Array(Buffer.concat([nonce, phone.sealEnvelope(s.key, s.sid, 'down', encodeUpload({ name: 'a.p12', kind: 'pfx', data: new Uint8Array(1) }), new Uint8Array(12))]))
    expect((await post(s.port, `${s.path}/upload`, wrongDirection)).status).toBe(400)
    expect((await post(s.port, `${s.path}/upload`, sealedUpload(new Uint8Array(randomBytes(32)), s.sid, nonce, new Uint8Array(1)))).status).toBe(400)
    expect((await post(s.port, `${s.path}/upload`, good)).status).toBe(200)
    await expect(s.session.result).resolves.toMatchObject({ status: 'received', file: { data: new Uint8Array([1, 2, 3]) } })
  })

  it('refuses an upload from a device that did not claim', async () => {
    const s = await receive()
    const nonce = await claimAndConfirm(s)
    const other = np()
    expect((await post(s.port, `${s.path}/upload`, sealedUpload(s.key, s.sid, other, new Uint8Array(1)))).status).toBe(403)
    expect((await post(s.port, `${s.path}/upload`, sealedUpload(s.key, s.sid, nonce, new Uint8Array(1)))).status).toBe(200)
  })

  it('has no payload route, and share sessions have no upload route', async () => {
    const s = await receive()
    const nonce = await claimAndConfirm(s)
    expect((await post(s.port, `${s.path}/payload`, nonce)).status).toBe(404)
    const sh = await share()
    expect((await post(sh.port, `${sh.path}/upload`, np())).status).toBe(404)
  })

  it('passes onReceived\'s error (e.g. a wrong password) to the caller', async () => {
    const s = await receive(() => {
      throw new Error('wrong password')
    })
    const nonce = await claimAndConfirm(s)
    expect((await post(s.port, `${s.path}/upload`, sealedUpload(s.key, s.sid, nonce, new Uint8Array(5)))).status).toBe(200)
    await expect(s.session.result).rejects.toThrow('wrong password')
  })
})
