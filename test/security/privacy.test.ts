/**
 * Issue 11 defect 7: Dojang's data folder is private. inventory.db and its -wal/-shm, backups, trash and the journal
 * are 0600 files in 0700 folders, also when an older run (or another tool) left them wider.
 */
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openInventory } from '../../main/core/inventory'
import { makeDataDirPrivate } from '../../main/core/fsx/privacy'
import { dojang } from '../support/cli'
import { copyHongFolder, tempDir } from '../support/fixtures'

let tmp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  tmp = await tempDir()
})
afterEach(() => tmp.cleanup())

/** Every entry below `dir` (itself included) with its permission bits. */
async function modes(dir: string): Promise<{ path: string; dir: boolean; mode: number }[]> {
  const st = await stat(dir)
  const out = [{ path: dir, dir: st.isDirectory(), mode: st.mode & 0o777 }]
  if (st.isDirectory()) for (const name of await readdir(dir)) out.push(...(await modes(join(dir, name))))
  return out
}

function expectPrivate(entries: { path: string; dir: boolean; mode: number }[]): void {
  const wrong = entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600)).map((e) => `${e.path} ${e.mode.toString(8)}`)
  expect(wrong).toEqual([])
}

describe.skipIf(process.platform === 'win32')('the data folder is private', () => {
  it('openInventory narrows an existing data folder with wider bits and creates inventory.db, -wal, -shm 0600', async () => {
    const data = join(tmp.dir, 'data')
    await mkdir(join(data, 'backups', '20250101T000000000Z-aaaaaaaa'), { recursive: true })
    await writeFile(join(data, 'backups', '20250101T000000000Z-aaaaaaaa', '0-signPri.key'), 'old key')
    await writeFile(join(data, 'reminders.json'), '[]')
    await chmod(join(data, 'backups', '20250101T000000000Z-aaaaaaaa', '0-signPri.key'), 0o644)
    await chmod(join(data, 'reminders.json'), 0o666)
    for (const d of [data, join(data, 'backups'), join(data, 'backups', '20250101T000000000Z-aaaaaaaa')]) await chmod(d, 0o755)

    const inv = openInventory(data)
    try {
      inv.getSettings()
      const entries = await modes(data)
      expect(entries.map((e) => e.path)).toEqual(expect.arrayContaining([join(data, 'inventory.db'), join(data, 'inventory.db-wal'), join(data, 'inventory.db-shm')]))
      expectPrivate(entries)
    } finally {
      inv.close()
    }
  })

  it('an existing inventory.db 0644 (as before the fix) becomes 0600 with its -wal and -shm', async () => {
    const data = join(tmp.dir, 'data')
    openInventory(data).close()
    await chmod(join(data, 'inventory.db'), 0o644)
    await chmod(data, 0o755)
    const inv = openInventory(data)
    try {
      expectPrivate(await modes(data))
    } finally {
      inv.close()
    }
  })

  it('after the CLI deleted a certificate, trash, backups, journal and inventory are all 0600/0700', async () => {
    const folder = await copyHongFolder(tmp.dir)
    const env = { DOJANG_DATA_DIR: join(tmp.dir, 'data'), DBUS_SESSION_BUS_ADDRESS: '' }
    expect(dojang(['list', '--root', join(tmp.dir, 'NPKI')], { env }).status).toBe(0)
    const del = dojang(['delete', folder], { env })
    expect(del.status, del.stderr).toBe(0)
    const entries = await modes(join(tmp.dir, 'data'))
    expect(entries.some((e) => e.path.includes(`${join('data', 'trash')}`))).toBe(true)
    expect(entries.some((e) => e.path.includes(`${join('data', 'backups')}`))).toBe(true)
    expectPrivate(entries)
  })

  it('the sweep leaves symbolic links and what they point to alone', async () => {
    const data = join(tmp.dir, 'data')
    const outside = join(tmp.dir, 'outside.txt')
    await mkdir(data)
    await writeFile(outside, 'not Dojang’s')
    await chmod(outside, 0o644)
    const { symlink } = await import('node:fs/promises')
    await symlink(outside, join(data, 'link'))
    makeDataDirPrivate(data)
    expect((await stat(outside)).mode & 0o777).toBe(0o644)
  })
})
