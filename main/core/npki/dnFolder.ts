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
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i

/** Replaces illegal characters, strips trailing dots and spaces (Windows drops them), NFC, rejects `.`/`..`. */
function sanitize(name: string, what: string): string {
  const out = name.normalize('NFC').replace(ILLEGAL, '_').replace(/[. ]+$/, '')
  if (out === '' || out === '.' || out === '..') {
    throw new DojangError('INVALID_INPUT', `The certificate's ${what} does not give a usable folder name`, { what })
  }
  // A device name cannot be a folder on Windows.
  return WINDOWS_RESERVED.test(out) ? `${out}_` : out
}

/**
 * `cn=…,ou=…,o=…,c=…`: subject RDNs reversed (most specific first), lowercase short names or dotted OIDs, values
 * verbatim without RFC 4514 escaping, joined by ',' with no spaces. This is the layout other NPKI software writes.
 */
export function dnFolderName(cert: CertificateInfo): string {
  if (cert.subjectRdns.length === 0) {
    throw new DojangError('INVALID_INPUT', 'The certificate has an empty subject', { what: 'subject' })
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
  if (!o) throw new DojangError('INVALID_INPUT', 'The certificate issuer has no organization (O) name', { what: 'issuer' })
  return sanitize(o, 'issuer organization')
}
