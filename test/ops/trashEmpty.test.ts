/**
 * Issue 11 defect 3: emptying the trash removes every byte of the trashed keys, including the backups that the
 * deletion (and earlier password changes of the same folder) left in Dojang's data folder.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listBackups, replaceFiles } from '../../main/core/fsx'
import { changePassword } from '../../main/core/ops/password'
import { emptyTrash, moveToTrash } from '../../main/core/ops/trash'
import { DiskStore } from '../../main/core/stores/diskStore'
import { copyHongFolder, FIXTURE_PASSWORD, tempDir } from '../support/fixtures'

let tmp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
let hong: string
let store: DiskStore
beforeEach(async () => {
  tmp = await tempDir()
  hong = await copyHongFolder(tmp.dir)
  dataDir = join(tmp.dir, 'data')
  store = new DiskStore(join(tmp.dir, 'NPKI'))
})
afterEach(() => tmp.cleanup())

/** Every regular file below `dir`. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await files(p)))
    else if (e.isFile()) out.push(p)
  }
  return out
}

/** Files under the data folder whose content contains `needle`. */
async function holding(needle: Uint8Array): Promise<string[]> {
  const hits: string[] = []
  for (const f of await files(dataDir)) if (Buffer.from(await readFile(f)).includes(Buffer.from(needle))) hits.push(f)
  return hits
}

describe('emptyTrash removes the key bytes for good', () => {
  it('the deletion backup with signPri.key and kmPri.key goes with the trash entry', async () => {
    const signPri = new Uint8Array(await readFile(join(hong, 'signPri.key')))
    const kmPri = new Uint8Array(await readFile(join(hong, 'kmPri.key')))
    await moveToTrash(dataDir, store, hong)
    // Before: the trash entry and the store's removal backup both hold the keys.
    expect((await holding(signPri)).length).toBeGreaterThanOrEqual(2)
    expect((await listBackups(dataDir)).some((b) => b.files.some((f) => f.path.endsWith('signPri.key')))).toBe(true)

    expect(await emptyTrash(dataDir)).toBe(1)
    expect(await holding(signPri)).toEqual([])
    expect(await holding(kmPri)).toEqual([])
    expect(await listBackups(dataDir)).toEqual([])
  })

  it('earlier password-change backups of the same folder go too; backups of other folders stay', async () => {
    const original = new Uint8Array(await readFile(join(hong, 'signPri.key')))
    await changePassword(hong, FIXTURE_PASSWORD, 'Another!pass9word', { dataDir, allowWeak: true })
    // Someone else's backup, unrelated to the trashed certificate.
    const other = join(tmp.dir, 'other.txt')
    await writeFile(other, 'before')
    const keep = await replaceFiles(dataDir, [{ path: other, data: new TextEncoder().encode('after') }], { reason: 'test' })

    await moveToTrash(dataDir, store, hong)
    expect((await holding(original)).length).toBeGreaterThanOrEqual(1) // the old-password key in the change backup
    await emptyTrash(dataDir)
    expect(await holding(original)).toEqual([])
    expect((await listBackups(dataDir)).map((b) => b.backupId)).toEqual([keep.backupId])
    expect((await stat(join(dataDir, 'trash'))).isDirectory()).toBe(true)
  })

  it('emptying only older entries keeps the backups of the entries that stay', async () => {
    const signPri = new Uint8Array(await readFile(join(hong, 'signPri.key')))
    await moveToTrash(dataDir, store, hong, { now: new Date() })
    expect(await emptyTrash(dataDir, { olderThan: new Date(Date.now() - 86_400_000) })).toBe(0)
    expect((await holding(signPri)).length).toBeGreaterThanOrEqual(2)
  })
})
