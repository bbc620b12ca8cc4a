import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import iconv from 'iconv-lite'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { hostPort, lanAddresses, sessionUrl } from '../../main/core/transfer/address'
import { decodeFrame, encodeFrame, FrameError } from '../../main/core/transfer/framing'
import { decodeSharePayload, decodeUpload, encodeSharePayload, encodeUpload, uploadKindOf, type ShareItem } from '../../main/core/transfer/payload'
import { qrPng, qrPngDataUrl, qrTerminalText } from '../../main/core/transfer/qr'
import { shareItemFromFolder } from '../../main/core/transfer/share'
import { certFoldersInZip, readZip } from '../../main/core/transfer/unzip'
import { crc32, writeZip } from '../../main/core/transfer/zip'
import { fixture, HONG_DIR, tempDir } from '../support/fixtures'

const te = new TextEncoder()

describe('frames and payloads', () => {
  it('round-trip a header and raw blobs', () => {
    const blobs = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(1000).fill(7)]
    const { header, blobs: back } = decodeFrame(encodeFrame({ hello: '세계' }, blobs))
    expect(header).toEqual({ hello: '세계' })
    expect(back).toEqual(blobs)
  })

  it.each([
    ['too short', new Uint8Array([0, 0])],
    ['a header longer than the frame', new Uint8Array([0, 0, 1, 0, 123])],
    ['a header that is not JSON', new Uint8Array([0, 0, 0, 2, 0x7b, 0x7b])],
    ['sizes beyond the end', encodeFrame({}, [new Uint8Array(4)]).subarray(0, 20)],
  ])('refuse %s', (_what, bytes) => {
    expect(() => decodeFrame(bytes)).toThrow(FrameError)
  })

  it('refuse trailing bytes after the listed blobs', () => {
    const f = encodeFrame({}, [new Uint8Array(2)])
    const longer = new Uint8Array(f.length + 1)
    longer.set(f)
    expect(() => decodeFrame(longer)).toThrow(FrameError)
  })

  it('carry several certificates byte for byte, with and without a PFX', () => {
    const items: ShareItem[] = [
      { label: '홍길동 · 은행·보험용', folder: 'NPKI/yessign/USER/cn=홍길동()001', files: [{ name: 'signCert.der', data: fixture('NPKI', 'testsign', 'USER', 'cn=홍길동()0012345678901234,ou=TESTBANK,ou=personal4IB,o=testsign,c=kr', 'signCert.der') }, { name: 'signPri.key', data: new Uint8Array([9, 8, 7]) }], pfx: { name: 'a.p12', password: 'transfer', data: new Uint8Array([5]) } },
      { label: 'second', folder: 'NPKI/x/USER/y', files: [{ name: 'SignCert.der', data: new Uint8Array([1]) }] },
    ]
    expect(decodeSharePayload(encodeSharePayload(items))).toEqual(items)
  })

  it('refuse names that could escape a folder, both when sealing and when opening', () => {
    const bad: ShareItem = { label: 'x', folder: 'NPKI/../../etc', files: [{ name: 'a', data: new Uint8Array(1) }] }
    expect(() => encodeSharePayload([bad])).toThrow(RangeError)
    expect(() => encodeSharePayload([{ ...bad, folder: 'ok', files: [{ name: '../a', data: new Uint8Array(1) }] }])).toThrow(RangeError)
    const forged = encodeFrame({ v: 1, kind: 'share', items: [{ label: 'x', folder: 'a/../b', files: ['f'] }] }, [new Uint8Array(1)])
    expect(() => decodeSharePayload(forged)).toThrow(FrameError)
    const backslash = encodeFrame({ v: 1, kind: 'share', items: [{ label: 'x', folder: 'a', files: ['..\\f'] }] }, [new Uint8Array(1)])
    expect(() => decodeSharePayload(backslash)).toThrow(FrameError)
  })

  it('carry a PFX alone (no NPKI files) but refuse an empty certificate entry', () => {
    const pfxOnly: ShareItem = { label: 'x', folder: 'NPKI/x', files: [], pfx: { name: 'x.p12', password: 'transfer', data: new Uint8Array([1, 2]) } }
    expect(decodeSharePayload(encodeSharePayload([pfxOnly]))).toEqual([pfxOnly])
    expect(() => encodeSharePayload([{ label: 'x', folder: 'NPKI/x', files: [] }])).toThrow(RangeError)
  })

  it('refuse a share whose file count does not match its blobs', () => {
    const forged = encodeFrame({ v: 1, kind: 'share', items: [{ label: 'x', folder: 'a', files: ['f', 'g'] }] }, [new Uint8Array(1)])
    expect(() => decodeSharePayload(forged)).toThrow(FrameError)
  })

  it('carry an upload and tell its kind by name', () => {
    const file = { name: '인증서.p12', kind: 'pfx' as const, data: new Uint8Array([1, 2]) }
    expect(decodeUpload(encodeUpload(file))).toEqual(file)
    expect(() => decodeUpload(encodeSharePayload([{ label: 'x', folder: 'a', files: [{ name: 'f', data: new Uint8Array(1) }] }]))).toThrow(FrameError)
    expect(uploadKindOf('A.PFX')).toBe('pfx')
    expect(uploadKindOf('npki.zip')).toBe('zip')
    expect(uploadKindOf('notes.txt')).toBeUndefined()
  })
})

describe('ZIP writer and reader', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  beforeAll(async () => {
    tmp = await tempDir('dojang-zip-')
  })
  afterAll(() => tmp.cleanup())

  const entries = [
    { path: 'NPKI/testsign/USER/cn=홍길동()0012345678901234,ou=TESTBANK,o=testsign,c=kr/signCert.der', data: new Uint8Array([0x30, 0x82, 1, 2, 3]) },
    { path: 'NPKI/testsign/USER/cn=홍길동()0012345678901234,ou=TESTBANK,o=testsign,c=kr/signPri.key', data: new Uint8Array(1500).map((_, i) => i % 251) },
    { path: 'empty.txt', data: new Uint8Array(0) },
  ]

  it('computes the standard CRC-32', () => {
    expect(crc32(te.encode('123456789'))).toBe(0xcbf43926)
  })

  it('writes archives its own reader reads back exactly, UTF-8 names included', () => {
    expect(readZip(writeZip(entries))).toEqual(entries)
  })

  it('writes the same bytes for the same input and date (reproducible)', () => {
    const d = new Date(Date.UTC(2026, 11, 3, 6, 30, 0))
    expect(Buffer.from(writeZip(entries, d)).equals(Buffer.from(writeZip(entries, d)))).toBe(true)
  })

  it.runIf(existsSync('/usr/bin/unzip'))('writes archives Info-ZIP unzip tests clean and extracts with Hangul names', async () => {
    const file = join(tmp.dir, 'npki.zip')
    await writeFile(file, writeZip(entries))
    const test = execFileSync('unzip', ['-t', file], { encoding: 'utf8' })
    expect(test).toContain('No errors detected')
    const out = join(tmp.dir, 'x')
    execFileSync('unzip', ['-q', file, '-d', out])
    const back = fixtureFrom(join(out, entries[1]!.path))
    expect(Buffer.from(back).equals(Buffer.from(entries[1]!.data))).toBe(true)
  })

  it('reads deflated archives written by Info-ZIP (what a phone or PC makes)', async () => {
    if (!existsSync('/usr/bin/zip')) {
      // Without zip(1), build a deflated entry by hand: same code path.
      const zipped = handZip('NPKI/a/USER/cn=x/signCert.der', te.encode('deflate me '.repeat(50)), true)
      expect(readZip(zipped)[0]!.data).toEqual(te.encode('deflate me '.repeat(50)))
      return
    }
    const src = join(tmp.dir, 'src')
    execFileSync('mkdir', ['-p', join(src, 'NPKI/testsign/USER/cn=홍길동')])
    await writeFile(join(src, 'NPKI/testsign/USER/cn=홍길동/signCert.der'), 'certificate '.repeat(100))
    await writeFile(join(src, 'NPKI/testsign/USER/cn=홍길동/signPri.key'), new Uint8Array(300).fill(3))
    const file = join(tmp.dir, 'deflated.zip')
    execFileSync('zip', ['-q', '-r', file, 'NPKI'], { cwd: src })
    const read = readZip(new Uint8Array(readFileSync(file)))
    const folders = certFoldersInZip(read)
    expect(folders).toHaveLength(1)
    expect(folders[0]!.folder).toBe('NPKI/testsign/USER/cn=홍길동')
    expect(folders[0]!.files.map((f) => f.name).sort()).toEqual(['signCert.der', 'signPri.key'])
    expect(new TextDecoder().decode(folders[0]!.files.find((f) => f.name === 'signCert.der')!.data)).toBe('certificate '.repeat(100))
  })

  it('reads CP949 names (Korean Windows archivers, no UTF-8 flag)', () => {
    const name = iconv.encode('NPKI/yessign/USER/cn=홍길동/signCert.der', 'cp949')
    const zipped = handZip(name, new Uint8Array([1, 2, 3]), false)
    expect(readZip(zipped)[0]!.path).toBe('NPKI/yessign/USER/cn=홍길동/signCert.der')
  })

  it.each([
    ['a path outside the archive', () => handZip('../evil/signCert.der', new Uint8Array(1), false)],
    ['an absolute path', () => handZip('/etc/passwd', new Uint8Array(1), false)],
    ['a bad CRC', () => corruptCrc(writeZip([{ path: 'a', data: new Uint8Array([1]) }]))],
    ['random bytes', () => new Uint8Array(100).fill(0x41)],
  ])('refuses %s with CORRUPT_FILE', (_what, make) => {
    let caught: unknown
    try {
      readZip(make())
    } catch (e) {
      caught = e
    }
    expect(isDojangError(caught, 'CORRUPT_FILE')).toBe(true)
  })

  it('stops a ZIP bomb at the size cap', () => {
    const bomb = handZip('big/signCert.der', new Uint8Array(4 * 1024 * 1024), true)
    expect(bomb.length).toBeLessThan(10_000)
    expect(() => readZip(bomb, { maxEntries: 10, maxEntryBytes: 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024 })).toThrow(/too large|inflate/)
  })

  it('finds certificate folders by signCert.der in any letter case', () => {
    const found = certFoldersInZip([
      { path: 'A/SIGNCERT.DER', data: new Uint8Array(1) },
      { path: 'A/SignPri.key', data: new Uint8Array(1) },
      { path: 'B/readme.txt', data: new Uint8Array(1) },
      { path: 'signCert.der', data: new Uint8Array(1) },
    ])
    expect(found.map((f) => f.folder).sort()).toEqual(['', 'A'])
  })
})

describe('addresses and URLs', () => {
  it('lists non-internal IPv4 addresses with interface names, private ranges first', () => {
    const table = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: null }],
      docker0: [{ address: '203.0.113.5', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null }],
      'Wi-Fi': [
        { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 1 },
        { address: '192.168.0.23', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
      ],
      eth1: [{ address: '169.254.10.2', family: 'IPv4', internal: false, netmask: '255.255.0.0', mac: '', cidr: null }],
      vpn: [{ address: '10.8.0.2', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null }],
      office: [{ address: '172.20.1.9', family: 'IPv4', internal: false, netmask: '255.255.0.0', mac: '', cidr: null }],
    } as unknown as Parameters<typeof lanAddresses>[0]
    expect(lanAddresses(table)).toEqual([
      { interface: 'Wi-Fi', address: '192.168.0.23', private: true },
      { interface: 'vpn', address: '10.8.0.2', private: true },
      { interface: 'office', address: '172.20.1.9', private: true },
      { interface: 'docker0', address: '203.0.113.5', private: false },
    ])
    expect(lanAddresses({})).toEqual([])
  })

  it('builds the session URL with the key only in the fragment', () => {
    const url = sessionUrl('192.168.0.23', 50123, 'SID', 'KEY')
    expect(url).toBe('http://192.168.0.23:50123/c/SID#k=KEY')
    expect(new URL(url).pathname).toBe('/c/SID')
    expect(hostPort('fd00::1', 8)).toBe('[fd00::1]:8')
  })
})

describe('QR codes', () => {
  const url = 'http://192.168.0.23:50123/c/AAAAAAAAAAAAAAAAAAAAAA#k=' + 'B'.repeat(43)

  it('render to a PNG that decodes back to the exact URL', async () => {
    const png = PNG.sync.read(await qrPng(url))
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(url)
    const dataUrl = await qrPngDataUrl(url)
    expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true)
    const fromDataUrl = PNG.sync.read(Buffer.from(dataUrl.split(',')[1]!, 'base64'))
    expect(jsQR(new Uint8ClampedArray(fromDataUrl.data), fromDataUrl.width, fromDataUrl.height)?.data).toBe(url)
  })

  it('render as terminal text of block characters', async () => {
    const text = await qrTerminalText(url)
    expect(text).toMatch(/[▀▄█]/)
    expect(text.split('\n').length).toBeLessThan(40)
  })
})

describe('share items from a folder', () => {
  it('take every NPKI file byte for byte and place it under NPKI/<CA>/USER/<DN>', async () => {
    const item = await shareItemFromFolder(HONG_DIR)
    expect(item.folder).toMatch(/^NPKI\/[^/]+\/USER\/cn=홍길동\(\)0012345678901234,/)
    expect(item.files.map((f) => f.name).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    for (const f of item.files) expect(Buffer.from(f.data).equals(Buffer.from(fixtureFrom(join(HONG_DIR, f.name))))).toBe(true)
    expect(item.label).toContain('홍길동')
  })
})

function fixtureFrom(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path))
}

/** A one-entry archive built by hand (for names and methods the writer never produces). */
function handZip(name: string | Uint8Array, data: Uint8Array, deflate: boolean): Uint8Array {
  const nameBytes = typeof name === 'string' ? te.encode(name) : name
  const body = deflate ? new Uint8Array(deflateRawSync(data)) : data
  const flags = typeof name === 'string' ? 0x0800 : 0
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(flags, 6)
  local.writeUInt16LE(deflate ? 8 : 0, 8)
  local.writeUInt32LE(crc32(data), 14)
  local.writeUInt32LE(body.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(nameBytes.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(flags, 8)
  central.writeUInt16LE(deflate ? 8 : 0, 10)
  central.writeUInt32LE(crc32(data), 16)
  central.writeUInt32LE(body.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(nameBytes.length, 28)
  const cdOffset = local.length + nameBytes.length + body.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + nameBytes.length, 12)
  end.writeUInt32LE(cdOffset, 16)
  return new Uint8Array(Buffer.concat([local, nameBytes, body, central, nameBytes, end]))
}

function corruptCrc(zip: Uint8Array): Uint8Array {
  const c = new Uint8Array(zip)
  // The data byte of the single entry 'a' sits right after its 30-byte local header and 1-byte name.
  c[31] = (c[31] as number) ^ 0xff
  return c
}
