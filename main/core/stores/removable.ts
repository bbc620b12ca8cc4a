/**
 * Removable volumes and the NPKI folder at their top (npki-format.md §2.2, platform-notes.md §3.3).
 *
 * Each OS has its own way to say what is mounted; all of them sit behind `VolumeSource` so that tests feed a fake
 * mount table, a fake sysfs or a fake drive prober, and no OS-specific command runs on another OS.
 */
import { execFile } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { foldName } from './bundle'
import { DiskStore, type DiskMedium } from './diskStore'

export interface MountedVolume {
  /** Where the volume's files start: `/media/u/STICK`, `/Volumes/STICK`, `E:\`. */
  root: string
  /** The volume's name for labels (its label, or the last part of the mount point). */
  name: string
  /** true: the OS reports removable media; false: a fixed disk (e.g. a second internal drive); undefined: unknown. */
  removable?: boolean
}

export interface VolumeSource {
  listVolumes(): Promise<MountedVolume[]>
}

/** Rejects after `ms`: a dead network mount or a card reader can hang a stat for a long time. */
function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms)
    timer.unref?.()
  })
  return Promise.race([p.catch(() => fallback), timeout]).finally(() => clearTimeout(timer))
}

// ---- Linux ----

export interface MountEntry {
  device: string
  mountPoint: string
  fsType: string
}

/** `\040` (space), `\011` (tab), `\012` (newline) and `\134` (backslash) are how the kernel escapes mount fields. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** Parses `/proc/self/mounts` (fstab format). Malformed lines are skipped. */
export function parseMountTable(text: string): MountEntry[] {
  const out: MountEntry[] = []
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 3 || fields[0]!.startsWith('#')) continue
    out.push({ device: unescapeMountField(fields[0]!), mountPoint: unescapeMountField(fields[1]!), fsType: fields[2]! })
  }
  return out
}

/** Kernel and virtual file systems: never a stick, and some (autofs) would wake up a mount when touched. */
const PSEUDO_FS = new Set([
  'proc', 'sysfs', 'devpts', 'devtmpfs', 'tmpfs', 'ramfs', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs', 'pstore',
  'bpf', 'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs', 'efivarfs', 'overlay',
  'squashfs', 'selinuxfs', 'fuse.gvfsd-fuse', 'fuse.portal',
])

/** Where desktop environments (udisks) mount removable media: `/media/<label>`, `/media/<user>/<label>`, `/run/media/<user>/<label>`. */
export function isDesktopMediaMount(mountPoint: string): boolean {
  return /^\/media\/[^/]+(\/[^/]+)?$/.test(mountPoint) || /^\/run\/media\/[^/]+\/[^/]+$/.test(mountPoint)
}

/** `sdb1` → [`sdb1`, `sdb`]; `nvme0n1p2` → [`nvme0n1p2`, `nvme0n1`]; `mmcblk0p1` → [`mmcblk0p1`, `mmcblk0`]. */
export function blockDeviceCandidates(name: string): string[] {
  const out = [name]
  const pPart = /^(.*\d)p\d+$/.exec(name)
  if (pPart) out.push(pPart[1]!)
  else {
    const plain = /^([a-z]+)\d+$/.exec(name)
    if (plain) out.push(plain[1]!)
  }
  return out
}

export interface LinuxVolumeSourceOptions {
  /** Text of the mount table; default: `/proc/self/mounts`. */
  readMounts?: () => Promise<string>
  /** Root of sysfs; `<sysfsRoot>/block/<disk>/removable` holds 1 for removable media. Default `/sys`. */
  sysfsRoot?: string
}

export function linuxVolumeSource(opts: LinuxVolumeSourceOptions = {}): VolumeSource {
  const readMounts = opts.readMounts ?? (() => fsp.readFile('/proc/self/mounts', 'utf8'))
  const sysfsRoot = opts.sysfsRoot ?? '/sys'

  async function removableFlag(device: string): Promise<boolean | undefined> {
    if (!device.startsWith('/dev/')) return undefined
    // /dev/disk/by-label/… and /dev/mapper/… are links; the kernel name is what sysfs knows.
    const real = await fsp.realpath(device).catch(() => device)
    for (const name of blockDeviceCandidates(path.posix.basename(real))) {
      try {
        const text = await fsp.readFile(path.join(sysfsRoot, 'block', name, 'removable'), 'utf8')
        return text.trim() === '1'
      } catch {
        // Partitions have no flag of their own; try the whole disk next.
      }
    }
    return undefined
  }

  return {
    async listVolumes() {
      let text: string
      try {
        text = await readMounts()
      } catch {
        return []
      }
      const seen = new Set<string>()
      const out: MountedVolume[] = []
      for (const m of parseMountTable(text)) {
        if (PSEUDO_FS.has(m.fsType) || !m.mountPoint.startsWith('/') || seen.has(m.mountPoint)) continue
        const removable = await removableFlag(m.device)
        // Many USB disks report removable=0, so a mount where the desktop puts media counts too.
        if (removable !== true && !isDesktopMediaMount(m.mountPoint)) continue
        seen.add(m.mountPoint)
        out.push({ root: m.mountPoint, name: path.posix.basename(m.mountPoint) || m.mountPoint, removable })
      }
      return out
    },
  }
}

// ---- macOS ----

export interface MacVolumeSourceOptions {
  /** Default `/Volumes`. */
  volumesDir?: string
  /** The boot volume's root; `/Volumes/Macintosh HD` is a link to it. Default `/`. */
  bootRoot?: string
  /** Whether a folder in /Volumes is a mounted volume; default: it lives on another device than /Volumes itself. */
  isMountPoint?: (dir: string) => Promise<boolean>
}

export function macVolumeSource(opts: MacVolumeSourceOptions = {}): VolumeSource {
  const volumesDir = opts.volumesDir ?? '/Volumes'
  const bootRoot = opts.bootRoot ?? '/'
  const isMountPoint =
    opts.isMountPoint ??
    (async (dir: string) => {
      // A leftover folder in /Volumes (an unmounted stick) sits on the boot volume like /Volumes does.
      const [a, b] = await Promise.all([fsp.stat(dir), fsp.stat(volumesDir)])
      return a.dev !== b.dev
    })
  return {
    async listVolumes() {
      let entries
      try {
        entries = await fsp.readdir(volumesDir, { withFileTypes: true })
      } catch {
        return []
      }
      const boot = await fsp.realpath(bootRoot).catch(() => bootRoot)
      const out: MountedVolume[] = []
      for (const e of entries) {
        if (e.name.startsWith('.')) continue
        const dir = path.join(volumesDir, e.name)
        try {
          const real = await fsp.realpath(dir)
          if (real === boot) continue // the boot volume
          if (!e.isSymbolicLink() && !(await isMountPoint(dir))) continue
          out.push({ root: e.isSymbolicLink() ? real : dir, name: e.name, removable: undefined })
        } catch {
          // Unmounted while we looked, or unreadable: skip.
        }
      }
      return out
    },
  }
}

// ---- Windows ----

/** Win32_LogicalDisk.DriveType: 2 removable, 3 local fixed, 4 network, 5 CD/DVD. */
export interface DriveInfo {
  driveType?: number
  volumeName?: string
}

export interface DriveProber {
  /** Whether `E:\` answers (a card reader without a card does not). */
  exists(driveRoot: string): Promise<boolean>
  /** Drive types and labels by letter (`E:`); may be absent or fail, then every drive counts as removable-unknown. */
  describeDrives?(): Promise<Map<string, DriveInfo>>
}

/** Asks WMI through PowerShell. Only ever called by the Windows source, so it never runs elsewhere. */
async function describeDrivesWithPowerShell(): Promise<Map<string, DriveInfo>> {
  const script = 'Get-CimInstance Win32_LogicalDisk | Select-Object DeviceID,DriveType,VolumeName | ConvertTo-Json -Compress'
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { timeout: 8000, windowsHide: true }, (err, out) =>
      err ? reject(err) : resolve(String(out)),
    )
  })
  const parsed: unknown = JSON.parse(stdout || '[]')
  const rows = Array.isArray(parsed) ? parsed : [parsed]
  const out = new Map<string, DriveInfo>()
  for (const row of rows) {
    if (!row || typeof row !== 'object') continue
    const r = row as Record<string, unknown>
    if (typeof r.DeviceID !== 'string') continue
    out.set(r.DeviceID.toUpperCase(), {
      driveType: typeof r.DriveType === 'number' ? r.DriveType : undefined,
      volumeName: typeof r.VolumeName === 'string' && r.VolumeName ? r.VolumeName : undefined,
    })
  }
  return out
}

export const defaultDriveProber: DriveProber = {
  exists: (root) => withTimeout(fsp.access(root).then(() => true), 2000, false),
  describeDrives: describeDrivesWithPowerShell,
}

/** D: to Z: — A: and B: are floppy letters and C: is the system drive, whose NPKI roots the disk scan covers. */
export const PROBED_DRIVE_LETTERS = 'DEFGHIJKLMNOPQRSTUVWXYZ'.split('')

export function windowsVolumeSource(opts: { prober?: DriveProber } = {}): VolumeSource {
  const prober = opts.prober ?? defaultDriveProber
  // PowerShell takes about a second to start; ask again only when the set of drive letters changed.
  let cached: { letters: string; info: Map<string, DriveInfo> } | undefined
  return {
    async listVolumes() {
      const present = await Promise.all(PROBED_DRIVE_LETTERS.map(async (l) => ((await prober.exists(`${l}:\\`).catch(() => false)) ? l : null)))
      const letters = present.filter((l): l is string => l !== null)
      if (letters.length === 0) return []
      let info = cached?.letters === letters.join('') ? cached.info : undefined
      if (!info) {
        const described = prober.describeDrives ? await withTimeout(prober.describeDrives().then((m) => m, () => undefined), 10_000, undefined) : undefined
        info = described ?? new Map<string, DriveInfo>()
        // A failed query is not cached, so the next scan tries again.
        cached = described ? { letters: letters.join(''), info } : undefined
      }
      const out: MountedVolume[] = []
      for (const l of letters) {
        const d = info.get(`${l}:`)
        // Network drives can hang for minutes when the server is away; the user can add them as scan roots.
        if (d?.driveType === 4) continue
        const removable = d?.driveType === 2 || d?.driveType === 5 ? true : d?.driveType === 3 ? false : undefined
        out.push({ root: `${l}:\\`, name: d?.volumeName ?? `${l}:`, removable })
      }
      return out
    },
  }
}

// ---- Choosing and using a source ----

const emptySource: VolumeSource = { listVolumes: async () => [] }

export function defaultVolumeSource(platform: NodeJS.Platform = process.platform): VolumeSource {
  if (platform === 'linux') return linuxVolumeSource()
  if (platform === 'darwin') return macVolumeSource()
  if (platform === 'win32') return windowsVolumeSource()
  return emptySource
}

/** Paths of the platform a volume root belongs to (a Windows drive root is handled as a Windows path). */
function pathFor(root: string): path.PlatformPath {
  return /^[A-Za-z]:\\/.test(root) ? path.win32 : path
}

export function volumeLabel(volume: MountedVolume, npkiPath: string): string {
  const kind = volume.removable === false ? 'Disk' : 'USB'
  return `${kind} (${volume.name}) ${npkiPath}`
}

/** The `NPKI` folder (any case) at the top of a volume, not following links; undefined when there is none. */
async function findNpkiFolder(root: string): Promise<string | undefined> {
  const entries = await fsp.readdir(root, { withFileTypes: true })
  const hits = entries.filter((e) => e.isDirectory() && foldName(e.name) === 'npki').map((e) => e.name).sort()
  const name = hits.find((n) => n === 'NPKI') ?? hits[0]
  return name === undefined ? undefined : pathFor(root).join(root, name)
}

/**
 * One DiskStore per mounted volume that has an NPKI folder at its top: medium 'removable', or 'disk' for a volume
 * the OS reports as fixed. A volume that does not answer within `timeoutMs` is skipped this time.
 */
export async function listRemovableStores(source: VolumeSource, opts: { timeoutMs?: number } = {}): Promise<DiskStore[]> {
  const timeoutMs = opts.timeoutMs ?? 3000
  let volumes: MountedVolume[]
  try {
    volumes = await source.listVolumes()
  } catch {
    return []
  }
  const found = await Promise.all(
    volumes.map(async (v) => {
      const npki = await withTimeout(findNpkiFolder(v.root), timeoutMs, undefined)
      if (!npki) return undefined
      // One device mounted twice (a bind mount) is one set of certificates.
      const real = await withTimeout(fsp.realpath(npki), timeoutMs, npki)
      const medium: DiskMedium = v.removable === false ? 'disk' : 'removable'
      return { real, store: new DiskStore(npki, { medium, label: volumeLabel(v, npki) }) }
    }),
  )
  const seen = new Set<string>()
  const stores: DiskStore[] = []
  for (const f of found) {
    if (!f || seen.has(f.real)) continue
    seen.add(f.real)
    stores.push(f.store)
  }
  return stores.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
