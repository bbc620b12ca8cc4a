/**
 * Issue 11, "Paths": names built from certificate fields never leave their medium's root. Real certificates made by
 * OpenSSL with hostile issuer O and subject CN values go through DiskStore.write; each lands exactly at
 * <root>/<one plain component>/USER/<one plain component>.
 */
import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDojangError } from '../../common/errors'
import { DiskStore } from '../../main/core/stores/diskStore'
import { makeCert, scratchDir } from '../npki/helpers'

/** OpenSSL -subj syntax: '/' and '=' and '+' inside a value are escaped with a backslash. */
const esc = (v: string) => v.replace(/[\\/=+]/g, (c) => `\\${c}`)

const HOSTILE = [
  '..',
  '.',
  '../../../../tmp/escaped',
  '/etc',
  'C:\\Windows\\System32',
  '\\\\server\\share',
  'CON',
  'nul.txt',
  'COM1',
  'LPT9',
  'trailing. . ',
  'tab\there',
  'esc\u001b[31mred',
  'del\u007fc1\u0085',
  'bidi\u202eexe.txt',
  'a:b*c?d"e<f>g|h',
]

let tmp: { dir: string; cleanup: () => void }
beforeAll(() => {
  tmp = scratchDir()
})
afterAll(() => tmp.cleanup())

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

describe('names from certificate fields stay inside the root', () => {
  it.each(HOSTILE.map((v, i) => [i, v] as const))('value #%i %j as issuer O and subject CN', async (i, value) => {
    const root = path.join(tmp.dir, `root${i}`, 'NPKI')
    const cert = makeCert(tmp.dir, `c${i}`, `/C=kr/O=${esc(value)}/CN=${esc(value)}`)
    await mkdir(path.dirname(root), { recursive: true })
    const ref = await new DiskStore(root).write({ files: [{ name: 'signCert.der', data: cert }] }, { dataDir: path.join(tmp.dir, `data${i}`) })
    expect(inside(root, ref.location)).toBe(true)
    const rel = path.relative(root, ref.location).split(path.sep)
    expect(rel).toHaveLength(3)
    expect(rel[1]).toBe('USER')
    for (const part of rel) {
      expect(part).not.toMatch(/^\./)
      // eslint-disable-next-line no-control-regex -- control characters must never reach a folder name
      expect(part).not.toMatch(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/)
      expect(part).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i)
      expect(part).not.toMatch(/[. ]$/)
    }
    // Nothing was created beside the root.
    expect(await readdir(path.dirname(root))).toEqual(['NPKI'])
  })
})

describe('names that are too long (defect 8)', () => {
  it('a DN over 255 bytes is refused before anything is written, with a message about its length', async () => {
    const root = path.join(tmp.dir, 'long', 'NPKI')
    await mkdir(path.dirname(root))
    const cert = makeCert(tmp.dir, 'long', `/C=kr/O=yessign/OU=${'가'.repeat(60)}/OU=${'나'.repeat(60)}/CN=홍길동()0012345678901234`)
    const err = await new DiskStore(root).write({ files: [{ name: 'signCert.der', data: cert }] }, { dataDir: path.join(tmp.dir, 'data-long') }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isDojangError(err, 'IO_ERROR'), String(err)).toBe(true)
    expect((err as Error).message).toMatch(/bytes long, more than the 255 a folder name may have/)
    expect((err as Error).message).not.toMatch(/connected/)
    expect(await readdir(path.dirname(root))).toEqual([])
  })

  it('ENAMETOOLONG from the file system says the name is too long, not that the drive may be gone', async () => {
    const { mapFsError } = await import('../../main/core/fsx/errors')
    const e = mapFsError(Object.assign(new Error('x'), { code: 'ENAMETOOLONG' }), '/a/b', 'create the folder')
    expect(e.code).toBe('IO_ERROR')
    expect(e.message).toMatch(/longer than this drive allows/)
    expect(e.message).not.toMatch(/connected/)
  })
})
