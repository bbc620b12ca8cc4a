/** What one copy holds (the CLI's `info`): the certificate, the key files and their schemes, the km pair. */
import { isDojangError } from '../../../../common/errors'
import { loadCertBundle } from '../../npki/certBundle'
import { describeScheme, parseEncryptedKeyFile } from '../../npki/privateKey'
import { summarizeCertificate, type CertificateSummary } from '../../npki/summary'
import type { Core } from '../core'
import { lookupCopy } from '../lookup'

export type KeyFileInfo = { file: string; scheme: string; trailingBytes: number } | { file: string; error: string; message: string }

export interface CertificateInfoOutput {
  location: string
  certificate: CertificateSummary
  signKey: KeyFileInfo | null
  kmPair: { certificate: CertificateSummary | null; key: KeyFileInfo | null } | null
  otherFiles: string[]
}

function keyInfo(bytes: Uint8Array | undefined, name: string | undefined): KeyFileInfo | null {
  if (!bytes || !name) return null
  try {
    const f = parseEncryptedKeyFile(bytes, name)
    return { file: name, scheme: describeScheme(f.scheme), trailingBytes: f.trailing.length }
  } catch (e) {
    if (isDojangError(e)) return { file: name, error: e.code, message: e.message }
    throw e
  }
}

export async function certificateInfo(core: Core, input: { location: string }): Promise<CertificateInfoOutput> {
  const target = await lookupCopy(core, input.location)
  const folder = loadCertBundle(await target.store.read(target.location), target.location)
  const now = core.now()
  return {
    location: target.location,
    certificate: summarizeCertificate(folder.signCert, now),
    signKey: keyInfo(folder.signPri, folder.files.names.signPri),
    kmPair:
      folder.kmCert || folder.kmPri
        ? { certificate: folder.kmCert ? summarizeCertificate(folder.kmCert, now) : null, key: keyInfo(folder.kmPri, folder.files.names.kmPri) }
        : null,
    otherFiles: [...folder.files.pfx, ...folder.files.other],
  }
}
