/**
 * Reading the NPKI folder ZIP a phone uploads (desktop side). Phones and PCs write deflated archives, so this
 * reader takes stored and deflated entries (node:zlib). It is deliberately strict and bounded: no encryption, no
 * ZIP64, no absolute or `..` paths, a cap on entries and on inflated size (a ZIP bomb stops at the cap), and every
 * CRC checked. Names without the UTF-8 flag are read as UTF-8 when they are valid UTF-8 (Info-ZIP and macOS write
 * them so) and otherwise as CP949, what Korean Windows archivers write.
 */
import { inflateRawSync } from 'node:zlib'
import iconv from 'iconv-lite'
import { DojangError } from '../../../common/errors'
import { CERT_FILES } from '../npki/certBundle'
import { crc32, type ZipEntry } from './zip'

export interface ZipLimits {
  maxEntries: number
  maxEntryBytes: number
  maxTotalBytes: number
}

export const UPLOAD_ZIP_LIMITS: ZipLimits = { maxEntries: 256, maxEntryBytes: 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 }

function corrupt(message: string, details: Record<string, string | number> = {}): DojangError {
  return new DojangError('CORRUPT_FILE', `The ZIP file cannot be read: ${message}`, details)
}

function safePath(raw: string): string {
  const path = raw.replace(/\\/g, '/')
  const parts = path.split('/')
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || parts.includes('..')) throw corrupt('an entry points outside the archive', { entry: path })
  return parts.filter((p) => p !== '' && p !== '.').join('/') + (path.endsWith('/') ? '/' : '')
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function decodeName(raw: Buffer, utf8Flag: boolean): string {
  if (utf8Flag) return raw.toString('utf8')
  try {
    return strictUtf8.decode(raw)
  } catch {
    return iconv.decode(raw, 'cp949')
  }
}

export function readZip(bytes: Uint8Array, limits: ZipLimits = UPLOAD_ZIP_LIMITS): ZipEntry[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw corrupt('no end-of-archive record (not a ZIP file?)')
  const count = buf.readUInt16LE(eocd + 10)
  const cdSize = buf.readUInt32LE(eocd + 12)
  const cdOffset = buf.readUInt32LE(eocd + 16)
  if (count === 0xffff || cdOffset === 0xffffffff) throw corrupt('ZIP64 archives are not supported')
  if (count > limits.maxEntries) throw corrupt('too many entries', { entries: count })
  if (cdOffset + cdSize > eocd) throw corrupt('the central directory is out of bounds')
  const out: ZipEntry[] = []
  let total = 0
  let at = cdOffset
  for (let n = 0; n < count; n++) {
    if (at + 46 > eocd || buf.readUInt32LE(at) !== 0x02014b50) throw corrupt('a central directory record is damaged')
    const flags = buf.readUInt16LE(at + 8)
    const method = buf.readUInt16LE(at + 10)
    const crc = buf.readUInt32LE(at + 16)
    const compressed = buf.readUInt32LE(at + 20)
    const size = buf.readUInt32LE(at + 24)
    const nameLen = buf.readUInt16LE(at + 28)
    const extraLen = buf.readUInt16LE(at + 30)
    const commentLen = buf.readUInt16LE(at + 32)
    const localOffset = buf.readUInt32LE(at + 42)
    const rawName = buf.subarray(at + 46, at + 46 + nameLen)
    at += 46 + nameLen + extraLen + commentLen
    const name = safePath(decodeName(rawName, (flags & 0x0800) !== 0))
    if (flags & 0x0001) throw corrupt('encrypted entries are not supported', { entry: name })
    if (name.endsWith('/') || name.startsWith('__MACOSX/')) continue
    if (size > limits.maxEntryBytes) throw corrupt('an entry is too large', { entry: name, bytes: size })
    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== 0x04034b50) throw corrupt('a local header is damaged', { entry: name })
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28)
    if (dataStart + compressed > buf.length) throw corrupt('an entry is out of bounds', { entry: name })
    const raw = buf.subarray(dataStart, dataStart + compressed)
    let data: Buffer
    if (method === 0) data = raw
    else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: limits.maxEntryBytes })
      } catch {
        throw corrupt('an entry does not inflate', { entry: name })
      }
    } else throw corrupt('an entry uses an unsupported compression method', { entry: name, method })
    if (data.length !== size || crc32(data) !== crc) throw corrupt('an entry fails its CRC check', { entry: name })
    total += data.length
    if (total > limits.maxTotalBytes) throw corrupt('the archive is too large when unpacked')
    out.push({ path: name, data: new Uint8Array(data) })
  }
  return out
}

export interface ZippedCertFolder {
  /** The folder's path inside the archive (e.g. `NPKI/yessign/USER/cn=…`); its last part is the DN folder name. */
  folder: string
  /** The files directly in that folder, names as written in the archive. */
  files: { name: string; data: Uint8Array }[]
}

/** The certificate folders in an archive: every directory that directly holds a signCert.der (any letter case). */
export function certFoldersInZip(entries: readonly ZipEntry[]): ZippedCertFolder[] {
  const byDir = new Map<string, { name: string; data: Uint8Array }[]>()
  for (const e of entries) {
    const slash = e.path.lastIndexOf('/')
    const dir = slash < 0 ? '' : e.path.slice(0, slash)
    const list = byDir.get(dir) ?? []
    list.push({ name: e.path.slice(slash + 1), data: e.data })
    byDir.set(dir, list)
  }
  return [...byDir]
    .filter(([, files]) => files.some((f) => f.name.normalize('NFC').toLowerCase() === CERT_FILES.signCert))
    .map(([folder, files]) => ({ folder, files }))
}
