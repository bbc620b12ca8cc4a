/** A certificate's id across IPC: `<serial hex>:<issuer DN>` (the serial is hex, so the first ':' splits them). */
export function certificateId(issuer: string, serial: string): string {
  return `${serial}:${issuer}`
}

export function parseCertificateId(id: string): { issuer: string; serial: string } | null {
  const at = id.indexOf(':')
  if (at <= 0 || at === id.length - 1) return null
  const serial = id.slice(0, at)
  if (!/^-?[0-9a-f]+$/.test(serial)) return null
  return { serial, issuer: id.slice(at + 1) }
}
