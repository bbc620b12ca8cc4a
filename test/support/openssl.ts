import { execFileSync } from 'node:child_process'

const LEGACY = ['-provider', 'legacy', '-provider', 'default']

/** Runs the real OpenSSL CLI; `legacy` adds the provider that has SEED and the PKCS#12 3DES schemes. */
export function openssl(args: string[], opts: { input?: Uint8Array | string; legacy?: boolean } = {}): Buffer {
  return execFileSync('openssl', [...args, ...(opts.legacy ? LEGACY : [])], {
    input: opts.input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  })
}

/** The RSA modulus (uppercase hex) of a key or certificate file, as OpenSSL reads it. */
export function opensslModulus(kind: 'x509' | 'rsa', file: string, inform: 'DER' | 'PEM' = 'DER'): string {
  return openssl([kind, '-inform', inform, '-in', file, '-noout', '-modulus']).toString().trim().replace(/^Modulus=/, '')
}
