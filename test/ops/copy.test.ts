import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listBackups, snapshotDir } from '../../main/core/fsx'
import { copyCertificate, moveCertificate, undoMove } from '../../main/core/ops/copy'
import { listTrash, restoreFromTrash } from '../../main/core/ops/trash'
import { DiskStore } from '../../main/core/stores/diskStore'
import { listRemovableStores } from '../../main/core/stores/removable'
import type { Store } from '../../main/core/stores/types'
import { copyHongFolder, tempDir } from '../support/fixtures'
import { codeOf, errorOf, HONG_DN } from '../stores/helpers'

let tmp: { dir: string; cleanup: () => Promise<void> }
let disk: DiskStore
let hong: string
let dataDir: string
let usbRoot: string
beforeEach(async () => {
  tmp = await tempDir()
  hong = await copyHongFolder(tmp.dir)
  disk = new DiskStore(join(tmp.dir, 'NPKI'), { label: '하드디스크' })
  dataDir = join(tmp.dir, 'data')
  usbRoot = join(tmp.dir, 'usb')
  await mkdir(usbRoot)
})
afterEach(() => tmp.cleanup())

const exists = (p: string) => lstat(p).then(() => true, () => false)

/** The removable store of the fake stick, found the way the app finds it (an empty lowercase npki folder). */
async function usbStore(): Promise<DiskStore> {
  await mkdir(join(usbRoot, 'npki'), { recursive: true })
  const [store] = await listRemovableStores({ listVolumes: async () => [{ root: usbRoot, name: 'STICK', removable: true }] })
  return store!
}

describe('copyCertificate', () => {
  it('copies disk → removable and back, byte for byte, leaving the source alone', async () => {
    const before = await snapshotDir(hong)
    const usb = await usbStore()
    const ref = await copyCertificate(dataDir, disk, hong, usb)
    const onUsb = join(usbRoot, 'npki', 'testsign', 'USER', HONG_DN)
    expect(ref).toEqual({ medium: 'removable', storeId: usb.id, location: onUsb, label: usb.label })
    expect(await snapshotDir(onUsb)).toEqual(before)
    expect(await snapshotDir(hong)).toEqual(before)

    // Back onto a second, empty disk root.
    const other = new DiskStore(join(tmp.dir, 'other', 'NPKI'))
    await mkdir(join(tmp.dir, 'other'))
    const back = await copyCertificate(dataDir, usb, onUsb, other)
    expect(await snapshotDir(back.location)).toEqual(before)
    // Onto the original disk: the same certificate is there already.
    expect(await codeOf(copyCertificate(dataDir, usb, onUsb, disk))).toBe('CONFLICT')
    expect(await snapshotDir(hong)).toEqual(before)
  })

  it('a conflict changes nothing; overwrite replaces and keeps a backup', async () => {
    const usb = await usbStore()
    const onUsb = (await copyCertificate(dataDir, disk, hong, usb)).location
    await writeFile(join(onUsb, 'signPri.key'), 'stick key')
    const usbBefore = await snapshotDir(onUsb)

    const err = await errorOf(copyCertificate(dataDir, disk, hong, usb))
    expect(err.code).toBe('CONFLICT')
    expect(err.details.location).toBe(onUsb)
    expect(await snapshotDir(onUsb)).toEqual(usbBefore)

    await copyCertificate(dataDir, disk, hong, usb, { overwrite: true })
    expect(await snapshotDir(onUsb)).toEqual(await snapshotDir(hong))
    const backups = await listBackups(dataDir)
    expect(backups).toHaveLength(1)
    expect(backups[0]!.files.find((f) => f.path.endsWith('signPri.key'))!.oldSha256).toBe(usbBefore.get('signPri.key'))
  })

  it('a destination that does not give back the same bytes is an IO_ERROR; the source stays', async () => {
    const target = new DiskStore(join(tmp.dir, 'target'))
    const lying: Store = {
      medium: 'removable',
      id: 'lying',
      capabilities: target.capabilities,
      owns: (l) => target.owns(l),
      list: (o) => target.list(o),
      write: (b, o) => target.write(b, o),
      remove: (l, o) => target.remove(l, o),
      read: async (l) => {
        const b = await target.read(l)
        return { files: b.files.map((f) => (f.name === 'signPri.key' ? { ...f, data: new Uint8Array([1, 2, 3]) } : f)) }
      },
    }
    await mkdir(join(tmp.dir, 'target'))
    const before = await snapshotDir(hong)
    const err = await errorOf(moveCertificate(dataDir, disk, hong, lying))
    expect(err.code).toBe('IO_ERROR')
    expect(String(err.details.problems)).toContain('signPri.key')
    expect(await snapshotDir(hong)).toEqual(before)
    expect(await listTrash(dataDir)).toEqual([])
  })

  it('source and destination being one store is INVALID_INPUT', async () => {
    expect(await codeOf(copyCertificate(dataDir, disk, hong, disk))).toBe('INVALID_INPUT')
    expect(await codeOf(moveCertificate(dataDir, disk, hong, new DiskStore(disk.root)))).toBe('INVALID_INPUT')
    expect(await exists(hong)).toBe(true)
  })
})

describe('moveCertificate', () => {
  it('moves to the stick, and the source can be restored from the trash', async () => {
    const before = await snapshotDir(hong)
    const usb = await usbStore()
    const moved = await moveCertificate(dataDir, disk, hong, usb)
    expect(await exists(hong)).toBe(false)
    expect(await snapshotDir(moved.copy.location)).toEqual(before)
    expect(moved.trash).toMatchObject({ medium: 'disk', storeId: disk.id, location: hong, label: '하드디스크' })
    expect((await listTrash(dataDir)).map((e) => e.id)).toEqual([moved.trash.id])

    await restoreFromTrash(dataDir, moved.trash.id, disk)
    expect(await snapshotDir(hong)).toEqual(before)
    expect(await listTrash(dataDir)).toEqual([])
  })

  it('undoMove brings the source back and sends the destination copy to the trash', async () => {
    const before = await snapshotDir(hong)
    const usb = await usbStore()
    const moved = await moveCertificate(dataDir, disk, hong, usb)
    const result = await undoMove(dataDir, moved, disk, usb)
    expect(result.destinationTrashed).toBe(true)
    expect(result.restored.location).toBe(hong)
    expect(await snapshotDir(hong)).toEqual(before)
    expect(await exists(moved.copy.location)).toBe(false)
    const trash = await listTrash(dataDir)
    expect(trash.map((e) => e.medium)).toEqual(['removable'])
  })

  it('undoMove keeps a destination copy that was changed since the move', async () => {
    const usb = await usbStore()
    const moved = await moveCertificate(dataDir, disk, hong, usb)
    await writeFile(join(moved.copy.location, 'signPri.key'), 'changed on the stick')
    const result = await undoMove(dataDir, moved, disk, usb)
    expect(result.destinationTrashed).toBe(false)
    expect(await readFile(join(moved.copy.location, 'signPri.key'), 'utf8')).toBe('changed on the stick')
    expect(await exists(hong)).toBe(true)
  })

  it('never trashes the source when the destination turns out to be the same folder', async () => {
    const alias = join(tmp.dir, 'alias')
    await symlink(disk.root, alias)
    const aliasStore = new DiskStore(alias)
    const before = await snapshotDir(hong)
    const err = await errorOf(moveCertificate(dataDir, disk, hong, aliasStore, { overwrite: true }))
    expect(err.code).toBe('INVALID_INPUT')
    expect(err.message).toMatch(/same folder/)
    expect(await snapshotDir(hong)).toEqual(before)
    expect(await listTrash(dataDir)).toEqual([])
    expect(await readdir(join(disk.root, 'testsign', 'USER'))).toEqual([HONG_DN])
  })
})
