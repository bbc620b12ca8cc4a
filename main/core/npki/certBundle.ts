/**
 * One certificate = one folder (npki-format.md §1). File names are matched case-insensitively because USB sticks
 * and other tools write `SignCert.der`, `signcert.der` …; we always keep the spelling found on disk.
 */
import { DojangError } from '../../../common/errors'
import { parseCertificate, type CertificateInfo } from './certificate'

export const CERT_FILES = {
  signCert: 'signcert.der',
  signPri: 'signpri.key',
  kmCert: 'kmcert.der',
  kmPri: 'kmpri.key',
} as const
export type CertFileRole = keyof typeof CERT_FILES

export interface CertFolderFiles {
  dir: string
  /** Actual file names on disk, by role. */
  names: Partial<Record<CertFileRole, string>>
  /** `.pfx` / `.p12` files beside the pair. */
  pfx: string[]
  /** Every other entry: copied along, never required (e.g. CaPubs). */
  other: string[]
}

export interface LoadedCertFolder {
  files: CertFolderFiles
  signCert: CertificateInfo
  kmCert?: CertificateInfo
  /** Raw key file bytes (encrypted); absent when the file is missing. */
  signPri?: Uint8Array
  kmPri?: Uint8Array
}

/**
 * Parses the files of one copy, read by its store (a disk folder, a keychain bundle, a trash entry). `label` stands
 * in for the folder in messages. A copy without signCert.der is not a certificate (MISSING_FILE).
 */
export function loadCertBundle(bundle: { files: readonly { name: string; data: Uint8Array }[] }, label: string): LoadedCertFolder {
  const files: CertFolderFiles = { dir: label, names: {}, pfx: [], other: [] }
  const data = new Map<CertFileRole, Uint8Array>()
  for (const f of bundle.files) {
    const lower = f.name.normalize('NFC').toLowerCase()
    const role = (Object.keys(CERT_FILES) as CertFileRole[]).find((r) => CERT_FILES[r] === lower)
    if (role && files.names[role] === undefined) {
      files.names[role] = f.name
      data.set(role, f.data)
    } else if (/\.(pfx|p12)$/.test(lower)) files.pfx.push(f.name)
    else files.other.push(f.name)
  }
  const signCert = data.get('signCert')
  if (!signCert || !files.names.signCert) throw new DojangError('MISSING_FILE', 'This copy holds no certificate (signCert.der is missing)', { location: label })
  const loaded: LoadedCertFolder = { files, signCert: parseNamed(signCert, files.names.signCert) }
  const kmCert = data.get('kmCert')
  if (kmCert && files.names.kmCert) loaded.kmCert = parseNamed(kmCert, files.names.kmCert)
  if (data.has('signPri')) loaded.signPri = data.get('signPri')
  if (data.has('kmPri')) loaded.kmPri = data.get('kmPri')
  return loaded
}

function parseNamed(bytes: Uint8Array, name: string): CertificateInfo {
  try {
    return parseCertificate(bytes)
  } catch (e) {
    if (e instanceof DojangError) {
      throw new DojangError(e.code, `${name}: ${e.message}`, { ...e.details, file: name }, { cause: e })
    }
    throw e
  }
}
