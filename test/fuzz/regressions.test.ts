/**
 * What the fuzzer found, each kept as a regression test.
 *
 * 1. inventory-db (seed 20261203, inputs #937, #1004, #3693 of a 4000-input run): a byte change inside the schema
 *    text of inventory.db renamed a column (`action` → something else). The file passed quick_check and carried
 *    Dojang's application_id, so it opened, and the first query failed with a raw SqliteError ("no such column")
 *    instead of a typed error or the usual "damaged inventory: kept aside, new one created". Fixed in
 *    inventory/open.ts: after migrations every table and column of this Dojang's schema must be present.
 * 2. inventory-db (seed 7, input #3212): a changed header field (the schema format number at offset 44) made SQLite
 *    answer "unsupported file format" (SQLITE_ERROR), which was reported as IO_ERROR "could not open its inventory"
 *    at every start, instead of keeping the damaged file aside and starting a fresh inventory.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openInventory } from '../../main/core/inventory'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

function damagedInventory(sql: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dojang-fuzz-reg-'))
  dirs.push(dir)
  const inv = openInventory(dir)
  inv.audit({ action: 'copy', locations: ['/x'], outcome: 'ok' })
  inv.close()
  const db = new Database(path.join(dir, 'inventory.db'))
  db.exec(sql)
  db.close()
  return dir
}

describe('fuzz finding 1: a schema that lost a column', () => {
  it.each([
    ['a renamed column', 'ALTER TABLE audit_log RENAME COLUMN action TO actiox'],
    ['a dropped table', 'DROP TABLE audit_log'],
  ])('%s: the file is kept aside and a fresh inventory works (no raw SQL error)', (_what, sql) => {
    const dir = damagedInventory(sql)
    const inv = openInventory(dir)
    try {
      expect(inv.notices.map((n) => n.code)).toContain('RECREATED_CORRUPT')
      expect(() => inv.audit({ action: 'copy', locations: [], outcome: 'ok' })).not.toThrow()
      expect(inv.auditLog()).toHaveLength(1)
      expect(inv.listCertificates()).toEqual([])
    } finally {
      inv.close()
    }
    expect(fs.readdirSync(dir).some((n) => n.startsWith('inventory.db.corrupt-'))).toBe(true)
  })

  it('read-only opening reports it as a damaged inventory (typed), not a SqliteError', () => {
    const dir = damagedInventory('ALTER TABLE certificates RENAME COLUMN purpose TO purposx')
    let caught: unknown
    try {
      openInventory(dir, { readonly: true }).close()
    } catch (e) {
      caught = e
    }
    expect(caught).toMatchObject({ name: 'DojangError', code: 'CORRUPT_FILE' })
  })
})

describe('fuzz finding 2: a header that names an unknown file format', () => {
  it('is treated as a damaged inventory: kept aside, a fresh one works', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dojang-fuzz-reg-'))
    dirs.push(dir)
    openInventory(dir).close()
    const file = path.join(dir, 'inventory.db')
    const bytes = fs.readFileSync(file)
    bytes.writeUInt32BE(9, 44) // schema format number: SQLite knows 1 to 4
    fs.writeFileSync(file, bytes)
    const inv = openInventory(dir)
    try {
      expect(inv.notices.map((n) => n.code)).toContain('RECREATED_CORRUPT')
      expect(inv.listCertificates()).toEqual([])
    } finally {
      inv.close()
    }
  })
})

describe('QR session server fuzz finding', () => {
  it('answers a CONNECT request with 405 (Node used to drop it without an answer) and counts it as a bad request', async () => {
    const { startShare } = await import('../../main/core/transfer/share')
    const { manualScheduler, parseSessionUrl, TEST_HOST } = await import('../transfer/support')
    const { connect } = await import('node:net')
    const session = await startShare({
      bindHost: '127.0.0.1',
      advertiseHost: TEST_HOST,
      maxBadRequests: 1,
      scheduler: manualScheduler().scheduler,
      items: [{ label: 'x', folder: 'NPKI/x', files: [{ name: 'signCert.der', data: new Uint8Array(8) }] }],
    })
    const { port, sid } = parseSessionUrl(session.url)
    const ask = () =>
      new Promise<string>((resolve) => {
        let text = ''
        const s = connect({ host: '127.0.0.1', port })
        s.on('data', (d: Buffer) => (text += d.toString('latin1')))
        s.on('error', () => undefined)
        s.on('close', () => resolve(text))
        s.end(`CONNECT /c/${sid} HTTP/1.1\r\nHost: ${TEST_HOST}:${port}\r\n\r\n`)
      })
    expect(await ask()).toMatch(/^HTTP\/1\.1 405 /)
    expect(await ask()).toMatch(/^HTTP\/1\.1 405 /)
    // Over the budget of 1: the session ended as after any other run of bad requests.
    expect((await session.result).status).toBe('aborted')
  })
})
