/**
 * Hygiene findings: pure functions over a scan result (no I/O, `now` injectable), so that the same scan can be
 * judged again tomorrow without walking the disk.
 *
 * Severity: 'critical' is a security risk to act on now (files that malware harvests next to certificates);
 * 'warning' needs an action by the user (renew, repair, clean up a copy); 'info' is worth knowing.
 *
 * What is deliberately not checked here: whether a private key belongs to its certificate. NPKI keys are
 * encrypted, so without the password only the key file's presence and its readable structure (scheme, sizes) can
 * be known; the key/certificate match is checked when the user enters the password (details screen, password
 * change, export), where the key is decrypted anyway.
 */
import { join, sep } from 'node:path'
import { daysLeft as domainDaysLeft, EXPIRING_DAYS } from '../../../common/domain'
import type { FindingCode, FindingParams } from '../../../common/findingCodes'
import { isExpectedNpkiFile, isOsClutter, looksSensitive } from './names'
import type { CertFacts, CertFolderScan, NpkiStrayFile, PfxFileScan, RelatedStore } from './types'

export type FindingSeverity = 'info' | 'warning' | 'critical'

export type FindingKind =
  | 'duplicate' // the same certificate (issuer + serial) in several places
  | 'copies-differ' // …and the copies' files are not identical (typically different passwords)
  | 'expired'
  | 'expiring'
  | 'missing-key' // signCert.der without signPri.key: unusable
  | 'unreadable-key' // a key file that is damaged or uses an unknown scheme
  | 'corrupt-certificate' // signCert.der that cannot be parsed
  | 'incomplete-km-pair' // kmCert.der without kmPri.key or the other way round
  | 'suspicious-file' // a non-certificate file inside an NPKI tree or a certificate folder
  | 'removable-medium' // a copy on a plain USB drive
  | 'stray-copy' // a certificate folder found by a deep scan, outside the NPKI roots
  | 'stray-pfx' // a .pfx/.p12 file found by a deep scan outside NPKI trees
  | 'nonstandard-layout' // inside an NPKI root but not at <CA>/USER/<DN>: NPKI software will not see it
  | 'gpki-certificate' // a government certificate: listed, not managed
  | 'related-store' // GPKI or vendor stores (§14): explained, not managed
  | 'issued-kept' // a new pair in Dojang's 보관함 (app/keptIssued.ts): copy it to where it belongs

export interface FindingCertificate {
  issuer: string
  serial: string
  name: string
}

export interface Finding {
  kind: FindingKind
  /** What the front ends word in the person's language (finer than `kind`: a sensitive file, a km key…). */
  code: FindingCode
  /** The numbers, dates and names the sentence of `code` needs. */
  params: FindingParams
  severity: FindingSeverity
  certificate?: FindingCertificate
  locations: string[]
  /** English, for the CLI's text output and logs; the screens word `code` + `params` instead. */
  message: string
  /** The params plus the code: the inventory stores this object, so a finding read back keeps its code. */
  detail?: FindingParams
}

const KIND_OF: Record<Exclude<FindingCode, 'other'>, FindingKind> = {
  duplicate: 'duplicate',
  'copies-differ': 'copies-differ',
  expired: 'expired',
  expiring: 'expiring',
  'missing-key': 'missing-key',
  'unreadable-key': 'unreadable-key',
  'unreadable-km-key': 'unreadable-key',
  'corrupt-certificate': 'corrupt-certificate',
  'incomplete-km-pair': 'incomplete-km-pair',
  'suspicious-file': 'suspicious-file',
  'sensitive-file': 'suspicious-file',
  'removable-medium': 'removable-medium',
  'gpki-certificate': 'gpki-certificate',
  'stray-copy': 'stray-copy',
  'stray-npki-copy': 'stray-copy',
  'stray-pfx': 'stray-pfx',
  'nonstandard-layout': 'nonstandard-layout',
  'related-store': 'related-store',
  'gpki-store': 'related-store',
  'issued-kept': 'issued-kept',
}

/** One finding without its certificate: the kind follows from the code, the detail carries params and code. */
function finding(
  code: Exclude<FindingCode, 'other'>,
  severity: FindingSeverity,
  locations: string[],
  message: string,
  params: FindingParams = {},
): Omit<Finding, 'certificate'> {
  return { kind: KIND_OF[code], code, params, severity, locations, message, detail: { ...params, code } }
}

export interface FindingOptions {
  now?: Date
  /** "Expiring" means at most this many days left (default 30). */
  expiringWithinDays?: number
}

export interface FindingsInput {
  certificates: readonly CertFolderScan[]
  pfxFiles?: readonly PfxFileScan[]
  strayFiles?: readonly NpkiStrayFile[]
  relatedStores?: readonly RelatedStore[]
  /** Roots of Dojang's 보관함 of issued pairs: a copy there is a certificate waiting for its place. */
  keptRoots?: readonly string[]
}

const SEVERITY_ORDER: Record<FindingSeverity, number> = { critical: 0, warning: 1, info: 2 }

export function computeFindings(input: FindingsInput, opts: FindingOptions = {}): Finding[] {
  const now = opts.now ?? new Date()
  const days = opts.expiringWithinDays ?? 30
  const all = [
    ...duplicateFindings(input.certificates),
    ...expiryFindings(input.certificates, now, days),
    ...fileFindings(input.certificates),
    ...suspiciousFileFindings(input.certificates, input.strayFiles ?? []),
    ...placementFindings(input.certificates, input.pfxFiles ?? []),
    ...relatedStoreFindings(input.relatedStores ?? []),
    ...keptIssuedFindings(input.certificates, input.keptRoots ?? []),
  ]
  return all.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || cmp(a.kind, b.kind) || cmp(a.locations[0] ?? '', b.locations[0] ?? ''),
  )
}

/** Copies grouped by certificate identity (issuer DN + serial); folders whose certificate is unreadable are left out. */
export function groupCopies(certs: readonly CertFolderScan[]): Map<string, CertFolderScan[]> {
  const groups = new Map<string, CertFolderScan[]>()
  for (const c of certs) {
    if (c.id === undefined) continue
    const key = `${c.id.issuer}\u0000${c.id.serial}`
    const list = groups.get(key)
    if (list) list.push(c)
    else groups.set(key, [c])
  }
  return groups
}

function ref(c: CertFolderScan): FindingCertificate | undefined {
  if (c.id === undefined) return undefined
  return { issuer: c.id.issuer, serial: c.id.serial, name: c.certificate?.name ?? '' }
}

function withCert(c: CertFolderScan, f: Omit<Finding, 'certificate'>): Finding {
  const certificate = ref(c)
  return certificate ? { ...f, certificate } : f
}

export function duplicateFindings(certs: readonly CertFolderScan[]): Finding[] {
  const out: Finding[] = []
  for (const copies of groupCopies(certs).values()) {
    if (copies.length < 2) continue
    const first = copies[0] as CertFolderScan
    const locations = copies.map((c) => c.location)
    out.push(withCert(first, finding('duplicate', 'info', locations, `This certificate is stored in ${copies.length} places.`, { copies: copies.length })))
    const variants = new Set(copies.map((c) => c.contentHash))
    if (variants.size > 1) {
      out.push(
        withCert(
          first,
          finding(
            'copies-differ',
            'warning',
            locations,
            `The ${copies.length} copies of this certificate are not identical (${variants.size} versions): they may have ` +
              'different passwords or one may be incomplete. Keep the copy you use and replace the others with it.',
            { copies: copies.length, versions: variants.size },
          ),
        ),
      )
    }
  }
  return out
}

/** Whole days left until notAfter (common/domain's rule); notAfter itself is still valid (RFC 5280). */
export function daysLeft(cert: Pick<CertFacts, 'notAfter'>, now: Date): number {
  return domainDaysLeft(cert.notAfter, now)
}

export function expiryFindings(certs: readonly CertFolderScan[], now: Date, withinDays = EXPIRING_DAYS): Finding[] {
  const out: Finding[] = []
  const t = now.getTime()
  for (const copies of groupCopies(certs).values()) {
    const first = copies[0] as CertFolderScan
    const cert = first.certificate
    if (cert === undefined || t < Date.parse(cert.notBefore)) continue
    const locations = copies.map((c) => c.location)
    const d = daysLeft(cert, now)
    if (d < 0) {
      out.push(
        withCert(
          first,
          finding(
            'expired',
            'warning',
            locations,
            `This certificate expired on ${cert.notAfter.slice(0, 10)}. It can no longer be used; get a new one from your bank or CA, then delete this one.`,
            { notAfter: cert.notAfter, daysAgo: -d },
          ),
        ),
      )
    } else if (d <= withinDays) {
      out.push(
        withCert(
          first,
          finding(
            'expiring',
            'warning',
            locations,
            `This certificate expires on ${cert.notAfter.slice(0, 10)} (${d === 0 ? 'today' : `in ${d} day${d === 1 ? '' : 's'}`}). Renew it before then.`,
            { notAfter: cert.notAfter, daysLeft: d },
          ),
        ),
      )
    }
  }
  return out
}

/** Missing, unreadable and damaged files of each copy. */
export function fileFindings(certs: readonly CertFolderScan[]): Finding[] {
  const out: Finding[] = []
  for (const c of certs) {
    const problemOf = (name: string | undefined) => c.problems.find((p) => name !== undefined && p.path.endsWith(name))?.message
    if (c.certificate === undefined) {
      out.push(finding('corrupt-certificate', 'warning', [c.location], `The certificate file cannot be read: ${problemOf(c.files.signCert) ?? 'it is damaged'}.`))
    }
    if (c.files.signPri === undefined) {
      out.push(
        withCert(
          c,
          finding(
            'missing-key',
            'warning',
            [c.location],
            'The private key (signPri.key) is missing: this certificate cannot be used. Copy the complete folder again from where it came from.',
            { role: 'signPri' },
          ),
        ),
      )
    } else if (c.signKey === undefined) {
      out.push(
        withCert(
          c,
          finding('unreadable-key', 'warning', [c.location], `The private key file cannot be read: ${problemOf(c.files.signPri) ?? 'it is damaged'}`, {
            role: 'signPri',
            file: c.files.signPri,
          }),
        ),
      )
    }
    if (c.files.kmPri !== undefined && c.kmKey === undefined) {
      out.push(
        withCert(
          c,
          finding('unreadable-km-key', 'warning', [c.location], `The key-management key file cannot be read: ${problemOf(c.files.kmPri) ?? 'it is damaged'}`, {
            role: 'kmPri',
            file: c.files.kmPri,
          }),
        ),
      )
    }
    if ((c.files.kmCert === undefined) !== (c.files.kmPri === undefined)) {
      const missing = c.files.kmCert === undefined ? 'kmCert.der' : 'kmPri.key'
      out.push(
        withCert(
          c,
          finding('incomplete-km-pair', 'info', [c.location], `${missing} is missing. Signing still works; encryption with this certificate (rarely used) does not.`, {
            missing,
          }),
        ),
      )
    }
  }
  return out
}

/**
 * Files that are not certificate files, inside NPKI trees (collected by the walk) or beside a certificate folder
 * found elsewhere. Photos, scans and notes are the worst: malware that steals NPKI folders looks for scans of
 * security cards (보안카드) and password notes kept next to them.
 */
export function suspiciousFileFindings(certs: readonly CertFolderScan[], stray: readonly NpkiStrayFile[]): Finding[] {
  const paths = new Set(stray.map((s) => s.path))
  for (const c of certs) {
    for (const name of c.other) {
      if (!isExpectedNpkiFile(name) && !isOsClutter(name)) paths.add(join(c.location, name))
    }
  }
  return [...paths].sort().map((path) =>
    looksSensitive(path)
      ? finding(
          'sensitive-file',
          'critical',
          [path],
          'Suspicious file next to certificates: malware that steals certificates looks for scans of security cards (보안카드) and password notes. Delete it, or keep it somewhere else.',
          { sensitive: true },
        )
      : finding(
          'suspicious-file',
          'warning',
          [path],
          'A file that is not part of a certificate lies in a certificate folder. Check what it is; certificate folders should hold only certificate and key files.',
          { sensitive: false },
        ),
  )
}

export function placementFindings(certs: readonly CertFolderScan[], pfx: readonly PfxFileScan[]): Finding[] {
  const out: Finding[] = []
  for (const copies of groupCopies(certs).values()) {
    const usb = copies.filter((c) => c.medium === 'removable')
    if (usb.length > 0) {
      out.push(
        withCert(
          usb[0] as CertFolderScan,
          finding(
            'removable-medium',
            'info',
            usb.map((c) => c.location),
            'This certificate is on a plain USB drive, which is easy to lose or copy. A security token (보안토큰) protects the key better.',
          ),
        ),
      )
    }
  }
  for (const c of certs) {
    if (c.certificate?.policyCategory === 'gpki') {
      out.push(withCert(c, finding('gpki-certificate', 'info', [c.location], 'This is a government (GPKI) certificate. Dojang lists it but does not manage it.')))
    }
    if (c.scanKind === 'deep') {
      out.push(
        withCert(
          c,
          c.inNpki
            ? finding(
                'stray-npki-copy',
                'warning',
                [c.location],
                'A copy of a certificate lies in an NPKI folder outside the usual locations (for example an old backup). Delete it if you do not need it.',
                { inNpki: true },
              )
            : finding(
                'stray-copy',
                'warning',
                [c.location],
                'A copy of a certificate lies outside any NPKI folder (for example in Downloads). Anyone who gets these files can try to guess its password: move it to a protected place or delete it.',
                { inNpki: false },
              ),
        ),
      )
    } else if (c.layout === 'nonstandard') {
      out.push(
        withCert(
          c,
          finding(
            'nonstandard-layout',
            'info',
            [c.location],
            'This certificate folder is not at <NPKI>/<CA>/USER/<name>, so banking software will not find it. Dojang can copy it to the right place.',
          ),
        ),
      )
    }
  }
  for (const p of pfx) {
    if (p.scanKind === 'deep' && !p.inNpki) {
      out.push(
        finding(
          'stray-pfx',
          'info',
          [p.path],
          'A PFX/P12 certificate backup file. It is protected only by its password: keep it somewhere safe or import it and delete it.',
        ),
      )
    }
  }
  return out
}

/** A pair in the 보관함: the only copy of a new certificate until the person puts it where it belongs. */
export function keptIssuedFindings(certs: readonly CertFolderScan[], keptRoots: readonly string[]): Finding[] {
  if (keptRoots.length === 0) return []
  const inKept = (location: string) => keptRoots.some((r) => location === r || location.startsWith(r.endsWith(sep) ? r : r + sep))
  return certs
    .filter((c) => inKept(c.location))
    .map((c) =>
      withCert(
        c,
        finding(
          'issued-kept',
          'warning',
          [c.location],
          'A new certificate (issued or renewed) could not be saved where it was meant to go; Dojang keeps it here. Copy it to your NPKI folder, USB drive or keychain.',
        ),
      ),
    )
}

export function relatedStoreFindings(stores: readonly RelatedStore[]): Finding[] {
  return stores.map((s) =>
    s.kind === 'gpki'
      ? finding('gpki-store', 'info', [s.path], 'A GPKI (government certificate) folder. Dojang does not manage GPKI certificates.', { store: s.kind, name: s.name })
      : finding('related-store', 'info', [s.path], `A certificate store of another program (${s.name}). Dojang does not read or change it.`, {
          store: s.kind,
          name: s.name,
        }),
  )
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
