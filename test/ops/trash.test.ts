import { lstat, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DojangError } from '../../common/errors'
import { snapshotDir } from '../../main/core/fsx'
import { emptyTrash, listTrash, moveToTrash, restoreFromTrash, trashDir } from '../../main/core/ops/trash'
import { DiskStore } from '../../main/core/stores/diskStore'
import type { Store } from '../../main/core/stores/types'
import { copyHongFolder, tempDir } from '../support/fixtures'
import { codeOf, errorOf, HONG_SERIAL } from '../stores/helpers'

let tmp: { dir: string; cleanup: () => Promise<void> }
let root: string
let dataDir: string
let hong: string
let store: DiskStore
beforeEach(async () => {
  tmp = await tempDir()
  hong = await copyHongFolder(tmp.dir)
  root = join(tmp.dir, 'NPKI')
  dataDir = join(tmp.dir, 'data')
  store = new DiskStore(root, { label: 'Hard disk' })
})
afterEach(() => tmp.cleanup())

const exists = (p: string) => lstat(p).then(() => true, () => false)

describe('moveToTrash', () => {
  it('saves the files and a description privately, then removes the original', async () => {
    const before = await snapshotDir(hong)
    const entry = await moveToTrash(dataDir, store, hong, { now: new Date('2026-03-01T10:00:00Z') })
    expect(await exists(hong)).toBe(false)
    expect(entry).toMatchObject({
      medium: 'disk',
      storeId: root,
      location: hong,
      label: 'Hard disk',
      serial: HONG_SERIAL,
      notAfter: '2044-12-27T00:00:00.000Z',
      deletedAt: '2026-03-01T10:00:00.000Z',
      intact: true,
    })
    expect(entry.subject).toContain('CN=홍길동()0012345678901234')
    expect(entry.issuer).toContain('O=testsign')

    const dir = join(trashDir(dataDir), entry.id)
    const json = JSON.parse(await readFile(join(dir, 'entry.json'), 'utf8')) as { files: Array<{ name: string; stored: string; sha256: string }> }
    expect(json.files.map((f) => f.name).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
    // The saved bytes are the original bytes (compare with the snapshot taken before).
    for (const f of json.files) {
      expect(before.get(f.name)).toBe(f.sha256)
      const saved = join(dir, 'files', f.stored)
      expect((await stat(saved)).mode & 0o777).toBe(0o600)
    }
    expect((await stat(join(dir, 'entry.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    expect((await stat(trashDir(dataDir))).mode & 0o777).toBe(0o700)
    expect((await readdir(trashDir(dataDir))).filter((n) => n.startsWith('.'))).toEqual([])

    const listed = await listTrash(dataDir)
    expect(listed.map((e) => e.id)).toEqual([entry.id])
    expect(listed[0]!.intact).toBe(true)
  })

  it('a missing certificate is NOT_FOUND and puts nothing in the trash', async () => {
    expect(await codeOf(moveToTrash(dataDir, store, join(root, 'testsign', 'USER', 'cn=gone')))).toBe('NOT_FOUND')
    expect(await listTrash(dataDir)).toEqual([])
  })

  it('if removing the original fails with the original intact, the trash entry is dropped again', async () => {
    const failing: Store = {
      medium: store.medium,
      id: store.id,
      capabilities: store.capabilities,
      owns: (l) => store.owns(l),
      list: (o) => store.list(o),
      read: (l) => store.read(l),
      write: (b, o) => store.write(b, o),
      remove: async () => {
        throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' })
      },
    }
    const before = await snapshotDir(hong)
    const err = await errorOf(moveToTrash(dataDir, failing, hong))
    expect(err.code).toBe('IO_ERROR')
    expect(await snapshotDir(hong)).toEqual(before)
    expect(await listTrash(dataDir)).toEqual([])
  })

  it('if removing failed halfway, the trash entry stays so nothing is lost', async () => {
    const halfway: Store = {
      medium: store.medium,
      id: store.id,
      capabilities: store.capabilities,
      owns: (l) => store.owns(l),
      list: (o) => store.list(o),
      read: (l) => store.read(l),
      write: (b, o) => store.write(b, o),
      remove: async (l) => {
        await rm(join(l, 'signPri.key'))
        throw new DojangError('IO_ERROR', 'drive went away')
      },
    }
    const err = await errorOf(moveToTrash(dataDir, halfway, hong))
    expect(err.code).toBe('IO_ERROR')
    const [entry] = await listTrash(dataDir)
    expect(err.details.trashId).toBe(entry!.id)
    // The lost key can be brought back from the trash.
    await rm(hong, { recursive: true })
    await restoreFromTrash(dataDir, entry!.id, store)
    expect((await readdir(hong)).sort()).toEqual(['kmCert.der', 'kmPri.key', 'signCert.der', 'signPri.key'])
  })
})

describe('restoreFromTrash', () => {
  it('puts the certificate back byte for byte and then removes the entry', async () => {
    const before = await snapshotDir(hong)
    const entry = await moveToTrash(dataDir, store, hong)
    const ref = await restoreFromTrash(dataDir, entry.id, store)
    expect(ref.location).toBe(hong)
    expect(await snapshotDir(hong)).toEqual(before)
    expect(await listTrash(dataDir)).toEqual([])
    expect(await readdir(trashDir(dataDir))).toEqual([])
  })

  it('CONFLICT when a copy is back in place, the entry stays; overwrite replaces it', async () => {
    const entry = await moveToTrash(dataDir, store, hong)
    await copyHongFolder(tmp.dir)
    await writeFile(join(hong, 'signPri.key'), 'a newer key')
    const err = await errorOf(restoreFromTrash(dataDir, entry.id, store))
    expect(err.code).toBe('CONFLICT')
    expect(err.details.existingSerial).toBe(HONG_SERIAL)
    expect(await readFile(join(hong, 'signPri.key'), 'utf8')).toBe('a newer key')
    expect((await listTrash(dataDir)).map((e) => e.id)).toEqual([entry.id])

    await restoreFromTrash(dataDir, entry.id, store, { overwrite: true })
    expect(await readFile(join(hong, 'signPri.key'), 'utf8')).not.toBe('a newer key')
    expect(await listTrash(dataDir)).toEqual([])
  })

  it('a damaged entry is listed as not intact and is not restored', async () => {
    const entry = await moveToTrash(dataDir, store, hong)
    const filesDir = join(trashDir(dataDir), entry.id, 'files')
    const [first] = (await readdir(filesDir)).sort()
    await writeFile(join(filesDir, first!), 'bit rot')
    expect((await listTrash(dataDir))[0]!.intact).toBe(false)
    expect(await codeOf(restoreFromTrash(dataDir, entry.id, store))).toBe('CORRUPT_FILE')
    expect(await exists(hong)).toBe(false)

    await writeFile(join(trashDir(dataDir), entry.id, 'entry.json'), '{not json')
    const [broken] = await listTrash(dataDir)
    expect(broken).toMatchObject({ id: entry.id, intact: false, files: [] })
    expect(await codeOf(restoreFromTrash(dataDir, entry.id, store))).toBe('CORRUPT_FILE')
  })

  it('refuses names that are not trash ids and reports unknown ones', async () => {
    expect(await codeOf(restoreFromTrash(dataDir, '../../etc', store))).toBe('INVALID_INPUT')
    expect(await codeOf(restoreFromTrash(dataDir, '20260101T000000000Z-deadbeef', store))).toBe('NOT_FOUND')
  })
})

describe('emptyTrash', () => {
  it('removes entries older than a date, then all, and sweeps leftovers', async () => {
    const old = await moveToTrash(dataDir, store, hong, { now: new Date('2025-01-01T00:00:00Z') })
    await copyHongFolder(tmp.dir)
    const recent = await moveToTrash(dataDir, store, hong, { now: new Date('2026-06-01T00:00:00Z') })
    await writeFile(join(trashDir(dataDir), `.${old.id}.deleting`), '')
    await mkdir(join(trashDir(dataDir), '.20240101T000000000Z-0badf00d.deleting', 'files'), { recursive: true })
    expect((await listTrash(dataDir)).map((e) => e.id)).toEqual([recent.id, old.id].sort().reverse())

    expect(await emptyTrash(dataDir, { olderThan: new Date('2026-01-01T00:00:00Z') })).toBe(1)
    expect((await listTrash(dataDir)).map((e) => e.id)).toEqual([recent.id])
    expect(await readdir(trashDir(dataDir))).toEqual([recent.id])

    expect(await emptyTrash(dataDir)).toBe(1)
    expect(await listTrash(dataDir)).toEqual([])
    expect(await emptyTrash(join(tmp.dir, 'no-data-yet'))).toBe(0)
  })
})
