/**
 * Folder names for writing a certificate into an NPKI tree (npki-format.md §3.3):
 * `NPKI/<caFolderName>/USER/<dnFolderName>/signCert.der`.
 *
 * Names are made safe for every OS at once, because NPKI folders are copied between Windows, macOS and USB sticks.
 * Existing folders that match case-insensitively should be reused by the caller; this module only builds names.
 */
import { DojangError } from '../../../common/errors'
import type { CertificateInfo } from './certificate'

/** `\ / : * ? " < > |`, C0 controls, DEL and C1 controls. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be replaced
const ILLEGAL = /[\\/:*?"<>|\u0000-\u001f\u007f-\u009f]/g
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]|conin\$|conout\$)(\..*)?$/i
/** What ext4, NTFS (in UTF-16 units, never more than UTF-8 bytes), APFS and FAT32 long names all accept. */
export const MAX_FOLDER_NAME_BYTES = 255

/**
 * Replaces illegal characters, strips trailing dots and spaces (Windows drops them), NFC. A name made only of dots
 * and spaces (`.`, `..`, ` . `) becomes underscores and a leading dot becomes `_`: the result is always one plain
 * path component inside its parent, never the parent itself, a hidden folder or a Windows device.
 */
function sanitize(name: string, what: string): string {
  const nfc = name.normalize('NFC').replace(ILLEGAL, '_')
  let out = nfc.replace(/[. ]+$/, '')
  if (out === '') out = nfc.replace(/[. ]/g, '_')
  out = out.replace(/^\./, '_')
  if (out === '') throw new DojangError('CORRUPT_FILE', `The certificate's ${what} is empty, so it has no folder name in an NPKI folder`, { what })
  const bytes = new TextEncoder().encode(out).length
  if (bytes > MAX_FOLDER_NAME_BYTES) {
    throw new DojangError(
      'IO_ERROR',
      `The certificate's ${what} is ${bytes} bytes long, more than the ${MAX_FOLDER_NAME_BYTES} a folder name may have, so it cannot be written as an NPKI folder. Keep it in Dojang's keychain or as a PFX file instead.`,
      { what, reason: 'name-too-long', bytes, limit: MAX_FOLDER_NAME_BYTES },
    )
  }
  // A device name cannot be a folder on Windows, with or without an extension (NUL.txt is NUL): mark the device part.
  return WINDOWS_RESERVED.test(out) ? out.replace(/^[^.]+/, (device) => `${device}_`) : out
}

/**
 * `cn=…,ou=…,o=…,c=…`: subject RDNs reversed (most specific first), lowercase short names or dotted OIDs, values
 * verbatim without RFC 4514 escaping, joined by ',' with no spaces. This is the layout other NPKI software writes.
 */
export function dnFolderName(cert: CertificateInfo): string {
  if (cert.subjectRdns.length === 0) {
    throw new DojangError('CORRUPT_FILE', 'The certificate has an empty subject, so it has no folder name in an NPKI folder', { what: 'subject' })
  }
  const raw = [...cert.subjectRdns]
    .reverse()
    .map((r) => `${r.type.toLowerCase()}=${r.value}`)
    .join(',')
  return sanitize(raw, 'subject')
}

/** The CA folder is the issuer's O value (`yessign`, `KICA`, …); the issuer CN is a fallback for odd issuers. */
export function caFolderName(cert: CertificateInfo): string {
  const o = cert.issuerOrganization.trim() || cert.issuerCommonName.trim()
  if (!o) throw new DojangError('CORRUPT_FILE', 'The certificate issuer has no organization (O) or common name (CN), so it has no folder name in an NPKI folder', { what: 'issuer' })
  return sanitize(o, 'issuer organization')
}
