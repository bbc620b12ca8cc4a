/**
 * CA profiles: everything CA-specific about CMP (endpoint, transport and framing, pvno, confirmation style,
 * algorithms, the CA certificate to trust). What Korean CAs expect is not confirmed (docs/cmp.md), so each open
 * question is a setting here rather than a constant in the protocol code. Profiles hold no secrets.
 */
import { X509Certificate } from 'node:crypto'
import { z } from 'zod'
import { DojangError } from '../../../common/errors'
import { encodeDn } from './asn1'
import { certificateDer } from './certs'
import { DEFAULT_PBM, MAX_PBM_ITERATIONS } from './protection'
import { HttpTransport } from './transport/http'
import { TcpTransport } from './transport/tcp'
import type { CmpTransport } from './transport/types'

const dn = z.string().max(1024).refine((s) => {
  try {
    encodeDn(s)
    return true
  } catch {
    return false
  }
}, 'expected a DN like /C=KR/O=…/CN=…')

const common = {
  /** How the user and the CLI name it (`dojang issue --ca NAME`). */
  // eslint-disable-next-line no-control-regex -- control characters are exactly what the name must not hold
  name: z.string().trim().min(1).max(64).regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'no control characters or slashes'),
  /** The CA certificate every answer and every issued certificate must chain to: PEM, or base64 DER. */
  caCert: z.string().min(1).max(64 * 1024).refine((s) => certificateDer(pemOrBase64(s)) !== undefined, 'not a certificate (PEM or base64 DER)'),
  /** 2 = RFC 4210 (OpenSSL, the mock); 1 = RFC 2510, which KCAC.TS.CMP follows. */
  pvno: z.union([z.literal(1), z.literal(2)]).default(2),
  /** The recipient DN in our headers; default: the CA certificate's subject. */
  recipient: dn.optional(),
  /** 'certConf' (CMPv2: certConf → pkiconf) or 'cmp1999-conf' (CMPv1: conf, no reply). */
  confirm: z.enum(['certConf', 'cmp1999-conf']).default('certConf'),
  /** PasswordBasedMac for our requests; answers are verified with their own parameters. */
  pbm: z
    .object({
      owf: z.enum(['sha1', 'sha256']),
      mac: z.enum(['hmac-sha1', 'hmac-sha256']),
      iterations: z.number().int().min(1).max(MAX_PBM_ITERATIONS),
    })
    .default(DEFAULT_PBM),
  /** Hash for POP and signature protection (RSA). */
  signatureHash: z.enum(['sha256', 'sha1']).default('sha256'),
  /** Subject DN proposed in the ir; omitted when absent (the CA fills it from the RA record). */
  subject: dn.optional(),
  /** Per message: connect plus the whole answer. */
  timeoutSeconds: z.number().int().min(1).max(600).default(30),
  /** How long in total we honour "waiting" (pollRep) before giving up with CA_BUSY. */
  maxPollSeconds: z.number().int().min(0).max(3600).default(120),
}

export const caProfileSchema = z.discriminatedUnion('transport', [
  z.object({
    ...common,
    transport: z.literal('http'),
    url: z.string().url().refine((u) => /^https?:\/\//i.test(u), 'http:// or https:// only'),
  }).strict(),
  z.object({
    ...common,
    transport: z.literal('tcp'),
    host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address'),
    port: z.number().int().min(1).max(65535),
    /** Framing on the socket; which one Korean CAs use is open (docs/cmp.md). */
    framing: z.enum(['rfc2510', 'raw-der']).default('rfc2510'),
  }).strict(),
])

export type CaProfile = z.output<typeof caProfileSchema>
export type CaProfileInput = z.input<typeof caProfileSchema>

/** Validates a profile (from settings, the CLI or the UI); INVALID_INPUT names the first bad field. */
export function parseCaProfile(input: unknown): CaProfile {
  const r = caProfileSchema.safeParse(input)
  if (!r.success) {
    const issue = r.error.issues[0]!
    const field = issue.path.join('.') || 'profile'
    throw new DojangError('INVALID_INPUT', `The CA profile is not valid: ${field}: ${issue.message}`, { field })
  }
  return r.data
}

function pemOrBase64(s: string): string | Uint8Array {
  if (s.includes('-----BEGIN')) return s
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'base64'))
}

/** The profile's trust anchor. */
export function profileCaCertificate(p: CaProfile): X509Certificate {
  const der = certificateDer(pemOrBase64(p.caCert))
  if (!der) throw new DojangError('INVALID_INPUT', 'The CA profile holds no usable CA certificate', { field: 'caCert', profile: p.name })
  return new X509Certificate(Buffer.from(der))
}

/** A label without secrets, for progress details and the audit log. */
export function profileEndpoint(p: CaProfile): string {
  return p.transport === 'http' ? p.url : `tcp ${p.host}:${p.port} (${p.framing})`
}

/** A fresh transport for one transaction. */
export function createTransport(p: CaProfile): CmpTransport {
  const limits = { timeoutMs: p.timeoutSeconds * 1000 }
  return p.transport === 'http' ? new HttpTransport(p.url, limits) : new TcpTransport(p.host, p.port, p.framing, limits)
}

/**
 * The profile for a local `openssl cmp` mock server (tests, demos): HTTP on loopback, CMPv2, OpenSSL's PBM
 * defaults. `caCertPem` is the mock's CA certificate.
 */
export function localMockProfile(opts: { url?: string; tcp?: { port: number; framing?: 'rfc2510' | 'raw-der' }; caCertPem: string; name?: string; timeoutSeconds?: number }): CaProfile {
  const base = { name: opts.name ?? 'local-mock', caCert: opts.caCertPem, timeoutSeconds: opts.timeoutSeconds ?? 20 }
  return parseCaProfile(
    opts.tcp
      ? { ...base, transport: 'tcp', host: '127.0.0.1', port: opts.tcp.port, framing: opts.tcp.framing ?? 'rfc2510' }
      : { ...base, transport: 'http', url: opts.url ?? 'http://127.0.0.1:8080/pkix/' },
  )
}
