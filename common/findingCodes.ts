/**
 * Stable codes of the scan's hygiene findings. A finding carries one code and its parameters (numbers, dates, file
 * names); each front end words it in the person's language, as with error codes. A new code fails the renderer's
 * typecheck until it has a Korean and an English sentence.
 */
export const FINDING_CODES = [
  'duplicate', // the same certificate in several places ({copies})
  'copies-differ', // …and the copies are not identical ({copies}, {versions})
  'expired', // ({notAfter}, {daysAgo})
  'expiring', // ({notAfter}, {daysLeft})
  'missing-key', // signCert.der without signPri.key
  'unreadable-key', // signPri.key damaged or of an unknown scheme ({file})
  'unreadable-km-key', // kmPri.key damaged or of an unknown scheme ({file})
  'corrupt-certificate', // signCert.der cannot be parsed
  'incomplete-km-pair', // kmCert.der or kmPri.key alone ({missing})
  'suspicious-file', // a file that is not a certificate file, in a certificate folder
  'sensitive-file', // …and it looks like a security-card scan or a password note
  'removable-medium', // a copy on a plain USB drive
  'gpki-certificate', // a government certificate: listed, not managed
  'stray-copy', // a certificate folder outside any NPKI folder (deep scan)
  'stray-npki-copy', // a certificate folder in an NPKI folder outside the usual places (deep scan)
  'stray-pfx', // a .pfx/.p12 file outside NPKI folders (deep scan)
  'nonstandard-layout', // not at <NPKI>/<CA>/USER/<DN>
  'related-store', // another program's certificate store ({name})
  'gpki-store', // a GPKI folder
  'issued-kept', // an issued or renewed pair Dojang keeps because its medium did not take it (yet)
  'other', // a finding this version does not know (from a newer Dojang)
] as const

export type FindingCode = (typeof FINDING_CODES)[number]

export type FindingParams = Record<string, string | number | boolean>

export function isFindingCode(s: unknown): s is FindingCode {
  return typeof s === 'string' && (FINDING_CODES as readonly string[]).includes(s)
}
