import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  blockDeviceCandidates,
  defaultVolumeSource,
  isDesktopMediaMount,
  linuxVolumeSource,
  listRemovableStores,
  macVolumeSource,
  parseMountTable,
  PROBED_DRIVE_LETTERS,
  windowsVolumeSource,
  type DriveInfo,
  type VolumeSource,
} from '../../main/core/stores/removable'
import { fixture, tempDir } from '../support/fixtures'
import { writeFolder, YESSIGN_DN } from './helpers'

let tmp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  tmp = await tempDir()
})
afterEach(() => tmp.cleanup())

/** A fake sysfs: `<root>/block/<disk>/removable` holding 0 or 1. */
async function fakeSysfs(flags: Record<string, 0 | 1>): Promise<string> {
  const sys = join(tmp.dir, 'sys')
  for (const [disk, flag] of Object.entries(flags)) await writeFolder(join(sys, 'block', disk), { removable: `${flag}\n` })
  return sys
}

describe('mount table parsing', () => {
  it('reads fields and undoes the kernel escapes', () => {
    const text = ['/dev/sdb1 /media/u/MY\\040STICK vfat rw,nosuid 0 0', '', 'garbage', 'proc /proc proc rw 0 0', '/dev/sdc1 /mnt/back\\134slash ext4 rw 0 0'].join('\n')
    expect(parseMountTable(text)).toEqual([
      { device: '/dev/sdb1', mountPoint: '/media/u/MY STICK', fsType: 'vfat' },
      { device: 'proc', mountPoint: '/proc', fsType: 'proc' },
      { device: '/dev/sdc1', mountPoint: '/mnt/back\\slash', fsType: 'ext4' },
    ])
  })

  it('maps partitions to their disk and recognises desktop media mounts', () => {
    expect(blockDeviceCandidates('sdb1')).toEqual(['sdb1', 'sdb'])
    expect(blockDeviceCandidates('nvme0n1p2')).toEqual(['nvme0n1p2', 'nvme0n1'])
    expect(blockDeviceCandidates('mmcblk0p1')).toEqual(['mmcblk0p1', 'mmcblk0'])
    expect(blockDeviceCandidates('sdb')).toEqual(['sdb'])
    expect(isDesktopMediaMount('/media/STICK')).toBe(true)
    expect(isDesktopMediaMount('/media/alice/STICK')).toBe(true)
    expect(isDesktopMediaMount('/run/media/bob/CARD')).toBe(true)
    expect(isDesktopMediaMount('/run/media/bob')).toBe(false)
    expect(isDesktopMediaMount('/media/a/b/c')).toBe(false)
    expect(isDesktopMediaMount('/mnt/usb')).toBe(false)
  })
})

describe('Linux volumes', () => {
  it('keeps removable devices (sysfs flag) and anything under /media or /run/media, nothing else', async () => {
    const sysfsRoot = await fakeSysfs({ sda: 0, sdb: 1, sdc: 0, sdd: 0, mmcblk0: 1 })
    const mounts = [
      '/dev/sda2 / ext4 rw 0 0',
      'proc /proc proc rw 0 0',
      '/dev/sdb1 /mnt/KINGSTON\\040STICK vfat rw 0 0',
      '/dev/sdc1 /mnt/backup ext4 rw 0 0',
      '/dev/sdd1 /media/alice/PHOTOS exfat rw 0 0',
      '/dev/sde1 /run/media/bob/CARD vfat rw 0 0',
      '/dev/mmcblk0p1 /mnt/sd vfat rw 0 0',
      'tmpfs /media/ram tmpfs rw 0 0',
      '/dev/sdb1 /mnt/KINGSTON\\040STICK vfat rw 0 0',
    ].join('\n')
    const source = linuxVolumeSource({ readMounts: async () => mounts, sysfsRoot })
    expect(await source.listVolumes()).toEqual([
      { root: '/mnt/KINGSTON STICK', name: 'KINGSTON STICK', removable: true },
      { root: '/media/alice/PHOTOS', name: 'PHOTOS', removable: false },
      { root: '/run/media/bob/CARD', name: 'CARD', removable: undefined },
      { root: '/mnt/sd', name: 'sd', removable: true },
    ])
  })

  it('an unreadable mount table yields no volumes rather than an error', async () => {
    const source = linuxVolumeSource({
      readMounts: async () => {
        throw Object.assign(new Error('no'), { code: 'EACCES' })
      },
    })
    expect(await source.listVolumes()).toEqual([])
  })

  it('finds <volume>/NPKI in any case on real folders and lists its certificates', async () => {
    const stick = join(tmp.dir, 'mnt', 'KINGSTON STICK')
    const card = join(tmp.dir, 'mnt', 'sd')
    const linked = join(tmp.dir, 'mnt', 'linked')
    const cert = join(stick, 'npki', 'yessign', 'user', YESSIGN_DN)
    await writeFolder(cert, { 'signcert.der': fixture('public-samples', 'pypinksign', 'signCert.der'), 'signpri.key': 'k' })
    await mkdir(join(card, 'DCIM'), { recursive: true })
    await mkdir(linked, { recursive: true })
    await symlink(join(stick, 'npki'), join(linked, 'NPKI')) // a link is not followed
    const sysfsRoot = await fakeSysfs({ sdb: 1, sdc: 1, sdd: 1 })
    const esc = (p: string) => p.replace(/ /g, '\\040')
    const mounts = [
      `/dev/sdb1 ${esc(stick)} vfat rw 0 0`,
      `/dev/sdc1 ${card} vfat rw 0 0`,
      `/dev/sdd1 ${linked} vfat rw 0 0`,
      `/dev/sdf1 /media/someone/NOT-THERE vfat rw 0 0`,
    ].join('\n')
    const stores = await listRemovableStores(linuxVolumeSource({ readMounts: async () => mounts, sysfsRoot }))
    expect(stores.map((s) => [s.id, s.medium, s.label])).toEqual([[join(stick, 'npki'), 'removable', `USB (KINGSTON STICK) ${join(stick, 'npki')}`]])
    const copies = await stores[0]!.list()
    expect(copies.map((c) => [c.location, c.medium, c.label])).toEqual([[cert, 'removable', stores[0]!.label]])
  })

  it('one volume mounted twice gives one store; a fixed volume gives a disk store', async () => {
    const vol = join(tmp.dir, 'vol')
    await mkdir(join(vol, 'NPKI'), { recursive: true })
    const source: VolumeSource = {
      listVolumes: async () => [
        { root: vol, name: 'A', removable: true },
        { root: vol, name: 'B', removable: true },
      ],
    }
    expect((await listRemovableStores(source)).map((s) => s.label)).toEqual([`USB (A) ${join(vol, 'NPKI')}`])
    const fixed: VolumeSource = { listVolumes: async () => [{ root: vol, name: 'DATA', removable: false }] }
    expect((await listRemovableStores(fixed)).map((s) => s.medium)).toEqual(['disk'])
    const broken: VolumeSource = {
      listVolumes: async () => {
        throw new Error('boom')
      },
    }
    expect(await listRemovableStores(broken)).toEqual([])
  })
})

describe('macOS volumes', () => {
  it('lists /Volumes entries except the boot volume link and folders that are not mounts', async () => {
    const volumes = join(tmp.dir, 'Volumes')
    const boot = join(tmp.dir, 'bootroot')
    await mkdir(boot)
    await mkdir(join(volumes, 'STICK'), { recursive: true })
    await mkdir(join(volumes, 'leftover'))
    await mkdir(join(volumes, '.Trashes'))
    await symlink(boot, join(volumes, 'Macintosh HD'))
    const isMountPoint = async (dir: string) => !dir.endsWith('leftover')
    expect(await macVolumeSource({ volumesDir: volumes, bootRoot: boot, isMountPoint }).listVolumes()).toEqual([
      { root: join(volumes, 'STICK'), name: 'STICK', removable: undefined },
    ])
    // The default mount check compares devices: folders on the same file system as /Volumes are not volumes.
    expect(await macVolumeSource({ volumesDir: volumes, bootRoot: boot }).listVolumes()).toEqual([])
    expect(await macVolumeSource({ volumesDir: join(tmp.dir, 'missing') }).listVolumes()).toEqual([])
  })
})

describe('Windows volumes', () => {
  it('probes D: to Z: and uses the drive types: removable, fixed, unknown; never network', async () => {
    const probed: string[] = []
    const present = new Set(['D:\\', 'E:\\', 'F:\\', 'Z:\\'])
    const prober = {
      exists: async (root: string) => {
        probed.push(root)
        if (root === 'Q:\\') throw new Error('device not ready')
        return present.has(root)
      },
      describeDrives: async () =>
        new Map<string, DriveInfo>([
          ['C:', { driveType: 3, volumeName: 'Windows' }],
          ['D:', { driveType: 3, volumeName: 'DATA' }],
          ['E:', { driveType: 2, volumeName: 'KINGSTON' }],
          ['F:', { driveType: 4, volumeName: 'share' }],
        ]),
    }
    expect(await windowsVolumeSource({ prober }).listVolumes()).toEqual([
      { root: 'D:\\', name: 'DATA', removable: false },
      { root: 'E:\\', name: 'KINGSTON', removable: true },
      { root: 'Z:\\', name: 'Z:', removable: undefined },
    ])
    expect(probed.sort()).toEqual(PROBED_DRIVE_LETTERS.map((l) => `${l}:\\`))
    expect(probed).not.toContain('C:\\')
  })

  it('asks for drive types again only when the drive letters change', async () => {
    let present = new Set(['E:\\'])
    let queries = 0
    const prober = {
      exists: async (root: string) => present.has(root),
      describeDrives: async () => {
        queries++
        return new Map<string, DriveInfo>([['E:', { driveType: 2, volumeName: 'STICK' }], ['F:', { driveType: 2, volumeName: 'CARD' }]])
      },
    }
    const source = windowsVolumeSource({ prober })
    await source.listVolumes()
    await source.listVolumes()
    expect(queries).toBe(1)
    present = new Set(['E:\\', 'F:\\'])
    expect((await source.listVolumes()).map((v) => v.name)).toEqual(['STICK', 'CARD'])
    expect(queries).toBe(2)
  })

  it('works without drive types when the WMI query fails', async () => {
    const prober = {
      exists: async (root: string) => root === 'G:\\',
      describeDrives: async (): Promise<Map<string, DriveInfo>> => {
        throw new Error('powershell missing')
      },
    }
    expect(await windowsVolumeSource({ prober }).listVolumes()).toEqual([{ root: 'G:\\', name: 'G:', removable: undefined }])
  })
})

describe('default source', () => {
  it('an unknown platform has no volumes', async () => {
    expect(await defaultVolumeSource('aix').listVolumes()).toEqual([])
  })

  it('the Linux default reads the real mount table without failing', async () => {
    const volumes = await defaultVolumeSource('linux').listVolumes()
    expect(Array.isArray(volumes)).toBe(true)
    // The container's root file system is neither removable nor under /media.
    expect(volumes.map((v) => v.root)).not.toContain('/')
  })
})
