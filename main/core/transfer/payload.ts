/**
 * What travels inside the envelopes (pure: the phone page bundles it too).
 *
 * PC → phone ("share"): per certificate, its NPKI files exactly as on disk (signCert.der, signPri.key, and the km
 * pair when present; the private keys stay encrypted with the certificate's own password) and optionally a PFX the
 * desktop built. Phone → PC ("upload"): one .p12/.pfx file or one NPKI folder ZIP.
 */
import { decodeFrame, encodeFrame, FrameError } from './framing'

export type PfxPasswordKind = 'certificate' | 'transfer'

export interface ShareFile {
  name: string
  data: Uint8Array
}

export interface ShareItem {
  /** What the phone shows for this certificate (e.g. the holder and purpose: "홍길동 · 은행·보험용"). */
  label: string
  /** The folder path the NPKI ZIP recreates, e.g. `NPKI/yessign/USER/cn=홍길동()…,o=yessign,c=kr`. */
  folder: string
  /**
   * The NPKI files, byte for byte (signCert.der, signPri.key, kmCert.der, kmPri.key). May be empty to send only the
   * PFX: with a random transfer password on the PFX, sending the NPKI key too would leave the weaker certificate
   * password as the way in (docs/qr-transfer.md, honest limits).
   */
  files: ShareFile[]
  /**
   * A bank-compatible PFX of the same certificate, if the caller made one; `password` says which password opens
   * it, so the page can tell the person ('certificate': their own; 'transfer': one shown on the PC screen).
   */
  pfx?: ShareFile & { password: PfxPasswordKind }
}

export type UploadKind = 'pfx' | 'zip'

export interface UploadFile {
  name: string
  kind: UploadKind
  data: Uint8Array
}

interface ShareHeader {
  v: 1
  kind: 'share'
  items: { label: string; folder: string; files: string[]; pfx?: { name: string; password: PfxPasswordKind } }[]
}

interface UploadHeader {
  v: 1
  kind: 'upload'
  name: string
  type: UploadKind
}

const MAX_ITEMS = 64
const MAX_FILES_PER_ITEM = 16

/** A file name without separators, `..`, or control characters: safe to put into a ZIP or a download. */
export function isSafeName(name: unknown): name is string {
  // eslint-disable-next-line no-control-regex
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\\\u0000-\u001f\u007f]/.test(name)
}

export function isSafeFolder(folder: unknown): folder is string {
  return typeof folder === 'string' && folder.length <= 1024 && folder.split('/').every(isSafeName)
}

export function encodeSharePayload(items: readonly ShareItem[]): Uint8Array {
  const header: ShareHeader = { v: 1, kind: 'share', items: [] }
  const blobs: Uint8Array[] = []
  if (items.length === 0 || items.length > MAX_ITEMS) throw new RangeError('a share carries 1 to 64 certificates')
  for (const item of items) {
    if (item.files.length === 0 && !item.pfx) throw new RangeError(`nothing to send for ${item.label}`)
    if (!isSafeFolder(item.folder) || item.files.length > MAX_FILES_PER_ITEM || !item.files.every((f) => isSafeName(f.name))) {
      throw new RangeError(`unsafe or oversized certificate entry: ${item.label}`)
    }
    if (item.pfx && !isSafeName(item.pfx.name)) throw new RangeError(`unsafe PFX name: ${item.label}`)
    header.items.push({ label: item.label, folder: item.folder, files: item.files.map((f) => f.name), ...(item.pfx ? { pfx: { name: item.pfx.name, password: item.pfx.password } } : {}) })
    blobs.push(...item.files.map((f) => f.data))
    if (item.pfx) blobs.push(item.pfx.data)
  }
  return encodeFrame(header, blobs)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function decodeSharePayload(bytes: Uint8Array): ShareItem[] {
  const { header, blobs } = decodeFrame(bytes)
  if (!isRecord(header) || header.v !== 1 || header.kind !== 'share' || !Array.isArray(header.items) || header.items.length > MAX_ITEMS) {
    throw new FrameError('not a share payload')
  }
  const items: ShareItem[] = []
  let next = 0
  const take = (): Uint8Array => {
    const blob = blobs[next++]
    if (!blob) throw new FrameError('fewer files than listed')
    return blob
  }
  for (const raw of header.items as unknown[]) {
    if (!isRecord(raw) || typeof raw.label !== 'string' || !isSafeFolder(raw.folder) || !Array.isArray(raw.files) || raw.files.length > MAX_FILES_PER_ITEM) {
      throw new FrameError('bad certificate entry')
    }
    const files = (raw.files as unknown[]).map((name) => {
      if (!isSafeName(name)) throw new FrameError('bad file name')
      return { name, data: take() }
    })
    const item: ShareItem = { label: raw.label, folder: raw.folder, files }
    if (raw.pfx !== undefined) {
      const p = raw.pfx
      if (!isRecord(p) || !isSafeName(p.name) || (p.password !== 'certificate' && p.password !== 'transfer')) throw new FrameError('bad PFX entry')
      item.pfx = { name: p.name, password: p.password, data: take() }
    }
    items.push(item)
  }
  if (next !== blobs.length) throw new FrameError('more files than listed')
  return items
}

export function encodeUpload(file: UploadFile): Uint8Array {
  const header: UploadHeader = { v: 1, kind: 'upload', name: file.name, type: file.kind }
  return encodeFrame(header, [file.data])
}

export function decodeUpload(bytes: Uint8Array): UploadFile {
  const { header, blobs } = decodeFrame(bytes)
  if (!isRecord(header) || header.v !== 1 || header.kind !== 'upload' || !isSafeName(header.name) || (header.type !== 'pfx' && header.type !== 'zip') || blobs.length !== 1) {
    throw new FrameError('not an upload payload')
  }
  return { name: header.name, kind: header.type, data: blobs[0] as Uint8Array }
}

/** What an uploaded file is, by its name (the phone's file picker gives no reliable type). */
export function uploadKindOf(name: string): UploadKind | undefined {
  const lower = name.toLowerCase()
  if (lower.endsWith('.p12') || lower.endsWith('.pfx')) return 'pfx'
  if (lower.endsWith('.zip')) return 'zip'
  return undefined
}
