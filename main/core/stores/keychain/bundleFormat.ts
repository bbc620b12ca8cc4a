/**
 * The `<id>.bundle` file of the keychain medium: one certificate folder, byte for byte, plus non-secret metadata,
 * sealed with AES-256-GCM under a random per-certificate data key that lives only in the OS keychain.
 *
 * File (all integers big-endian):
 *   offset  size  field
 *   0       4     magic "DJKB" (Dojang Keychain Bundle)
 *   4       1     format version = 1
 *   5       1     id length n (32)
 *   6       n     id, ASCII lowercase hex; must equal the file name and the keychain account
 *   6+n     12    GCM nonce (random per write)
 *   18+n    …     ciphertext of the plaintext below
 *   end-16  16    GCM tag
 * The header (bytes 0 … 18+n) is the GCM additional data, so a changed version, id or nonce fails authentication
 * like a changed ciphertext does, and a file copied over another id's name is refused.
 *
 * Plaintext (version 1):
 *   u32 m, then m bytes: metadata as UTF-8 JSON {subject, issuer, serialNumberHex, notAfter, addedAt}
 *   u16 f (file count), then f times: u16 k, k bytes UTF-8 file name, u32 d, d bytes file content
 * Binary rather than JSON+base64 so that key files stay in Buffers we can wipe, and the file stays small.
 * Metadata sits inside the ciphertext: the data folder shows nobody whose certificates these are.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { DojangError } from '../../../../common/errors'
import type { BundleFile } from '../types'

export const MAGIC = Buffer.from('DJKB', 'ascii')
export const FORMAT_VERSION = 1
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
export const DATA_KEY_BYTES = 32
/** Bounds a bundle to what a certificate folder can hold (64 files of at most 1 MiB, see ../bundle). */
export const MAX_PLAINTEXT_BYTES = 72 << 20

const ID = /^[0-9a-f]{32}$/

export const isBundleId = (id: string): boolean => ID.test(id)

/** A fresh id: 16 random bytes. Random, not derived from the certificate, so names on disk reveal nothing. */
export const newBundleId = (): string => randomBytes(16).toString('hex')

export const newDataKey = (): Buffer => randomBytes(DATA_KEY_BYTES)

/** Non-secret facts about the certificate, readable without its password. */
export interface BundleMeta {
  /** RFC 4514 subject, most specific first (CN=홍길동()…,OU=…). */
  subject: string
  issuer: string
  /** Lowercase hex of the serial INTEGER content, as the certificate parser gives it. */
  serialNumberHex: string
  notAfter: string
  /** When the copy was put into the keychain (ISO 8601). */
  addedAt: string
}

export interface DecodedBundle {
  meta: BundleMeta
  files: BundleFile[]
}

function corrupt(message: string, details: Record<string, string | number | boolean> = {}): DojangError {
  return new DojangError('CORRUPT_FILE', message, { reason: 'keychain-bundle-damaged', ...details })
}

function header(id: string, nonce: Uint8Array): Buffer {
  const idBytes = Buffer.from(id, 'ascii')
  return Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION, idBytes.length]), idBytes, nonce])
}

export function serialize(meta: BundleMeta, files: readonly BundleFile[]): Buffer {
  const parts: Buffer[] = []
  const metaJson = Buffer.from(JSON.stringify(meta), 'utf8')
  const u32 = (n: number) => {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(n)
    return b
  }
  const u16 = (n: number) => {
    const b = Buffer.alloc(2)
    b.writeUInt16BE(n)
    return b
  }
  parts.push(u32(metaJson.length), metaJson, u16(files.length))
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8')
    if (name.length > 0xffff) throw new DojangError('INVALID_INPUT', 'A file name is too long.', { name: f.name })
    parts.push(u16(name.length), name, u32(f.data.length), Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength))
  }
  return Buffer.concat(parts)
}

export function deserialize(plain: Buffer): DecodedBundle {
  let pos = 0
  const take = (n: number): Buffer => {
    if (n < 0 || pos + n > plain.length) throw corrupt('The keychain copy ends in the middle of its contents.')
    const out = plain.subarray(pos, pos + n)
    pos += n
    return out
  }
  const metaLen = take(4).readUInt32BE()
  let meta: BundleMeta
  try {
    meta = JSON.parse(take(metaLen).toString('utf8')) as BundleMeta
  } catch {
    throw corrupt('The description stored with the keychain copy is unreadable.')
  }
  for (const k of ['subject', 'issuer', 'serialNumberHex', 'notAfter', 'addedAt'] as const) {
    if (typeof meta?.[k] !== 'string') throw corrupt('The description stored with the keychain copy is incomplete.', { field: k })
  }
  const count = take(2).readUInt16BE()
  const files: BundleFile[] = []
  for (let i = 0; i < count; i++) {
    const name = take(take(2).readUInt16BE()).toString('utf8')
    // Copy out: the caller may wipe `plain`, and each file should own exactly its bytes.
    const data = new Uint8Array(take(take(4).readUInt32BE()))
    files.push({ name, data })
  }
  if (pos !== plain.length) throw corrupt('The keychain copy has unexpected bytes after its contents.')
  return { meta, files }
}

/** Encrypts a bundle for `id`. The caller owns `key` and wipes it. */
export function sealBundle(id: string, key: Uint8Array, meta: BundleMeta, files: readonly BundleFile[]): Buffer {
  if (!isBundleId(id)) throw new DojangError('INTERNAL', 'Invalid keychain bundle id.')
  if (key.length !== DATA_KEY_BYTES) throw new DojangError('INTERNAL', 'A keychain data key must be 32 bytes.')
  const nonce = randomBytes(NONCE_BYTES)
  const aad = header(id, nonce)
  const plain = serialize(meta, files)
  if (plain.length > MAX_PLAINTEXT_BYTES) throw new DojangError('INVALID_INPUT', 'The certificate is too large for the keychain.', { size: plain.length })
  try {
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(aad)
    const body = cipher.update(plain)
    const rest = cipher.final()
    return Buffer.concat([aad, body, rest, cipher.getAuthTag()])
  } finally {
    plain.fill(0)
  }
}

/**
 * Checks the header against the expected id and decrypts. Anything wrong (other magic, unknown version, id of
 * another file, wrong key, a changed byte anywhere) is CORRUPT_FILE; GCM cannot tell a wrong key from tampering.
 */
export function openBundle(expectedId: string, key: Uint8Array, file: Uint8Array): DecodedBundle {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  if (buf.length < MAGIC.length + 2 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt('This is not a Dojang keychain file.')
  }
  const version = buf[4]!
  if (version !== FORMAT_VERSION) {
    throw corrupt(`The keychain copy uses format version ${version}, which this Dojang cannot read. Update Dojang.`, { version })
  }
  const idLen = buf[5]!
  const headerLen = 6 + idLen + NONCE_BYTES
  if (buf.length < headerLen + TAG_BYTES) throw corrupt('The keychain copy is cut short.')
  const id = buf.subarray(6, 6 + idLen).toString('ascii')
  if (id !== expectedId) throw corrupt('The keychain copy belongs to another entry (it was renamed or copied over).', { expectedId, foundId: isBundleId(id) ? id : '?' })
  if (key.length !== DATA_KEY_BYTES) throw corrupt('The key kept in the OS keychain for this copy is not a Dojang data key.', { reason: 'keychain-key-invalid' })
  const aad = buf.subarray(0, headerLen)
  const nonce = buf.subarray(6 + idLen, headerLen)
  const body = buf.subarray(headerLen, buf.length - TAG_BYTES)
  const tag = buf.subarray(buf.length - TAG_BYTES)
  let plain: Buffer
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
    decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    const head = decipher.update(body)
    const tail = decipher.final() // GCM emits nothing here; handled anyway so no byte is ever dropped
    plain = tail.length === 0 ? head : Buffer.concat([head, tail])
    if (plain !== head) head.fill(0)
  } catch {
    throw corrupt('The keychain copy was changed or damaged outside Dojang, or its key in the OS keychain was replaced; it cannot be opened.', {
      reason: 'keychain-bundle-unauthentic',
    })
  }
  try {
    return deserialize(plain)
  } finally {
    plain.fill(0)
  }
}
