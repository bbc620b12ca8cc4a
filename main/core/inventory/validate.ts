/**
 * Input validation for everything that enters the database. Callers are other Dojang modules, but the inventory
 * outlives any one of them: a wrong shape or a secret in a free-form field must fail loudly at the door.
 */
import { z } from 'zod'
import { DojangError, ERROR_CODES } from '../../../common/errors'
import { caProfileSchema } from '../issuance/profiles'
import { findSecretField, type SecretScanOptions } from './secrets'
import { AUDIT_ACTIONS, COPY_FILES, MEDIA, SEVERITIES, type KnownSettings, type SettingKey } from './types'

/** Lowercase hex without separators or leading zeros: DER encoders add a 00 byte for positive serials. */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[\s:]/g, '').toLowerCase()
  if (!/^[0-9a-f]+$/.test(hex)) {
    throw new DojangError('INVALID_INPUT', 'A certificate serial number must be hexadecimal.', { field: 'serial' })
  }
  return hex.replace(/^0+(?=.)/, '')
}

const text = (max: number) => z.string().min(1).max(max)
const nfc = (max: number) => text(max).transform((s) => s.normalize('NFC'))
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((s) => (s === undefined || s === null || s === '' ? null : s.normalize('NFC')))
const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
  .transform((s) => s.toLowerCase())
const serial = text(200).transform((s, ctx) => {
  try {
    return normalizeSerial(s)
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected hexadecimal' })
    return z.NEVER
  }
})
const instant = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const ms = typeof v === 'string' ? Date.parse(v) : v.getTime()
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date' })
    return z.NEVER
  }
  return ms
})
const oid = z
  .string()
  .regex(/^[0-2](\.\d+)+$/, 'expected a dotted OID')
  .nullish()
  .transform((s) => s ?? null)

const certificateKey = z.object({ issuer: nfc(2000), serial })

/** Free-form JSON that must not carry secrets and must stay small (it is shown in the UI and in reports). */
function safeJson<T extends z.ZodType>(schema: T, maxChars: number, opts?: SecretScanOptions) {
  return schema.superRefine((value, ctx) => {
    const hit = findSecretField(value, opts)
    if (hit !== null) {
      ctx.addIssue({ code: 'custom', message: `"${hit}" looks like a secret and may not be stored`, params: { secret: hit } })
      return
    }
    if (JSON.stringify(value).length > maxChars) {
      ctx.addIssue({ code: 'custom', message: `larger than ${maxChars} characters` })
    }
  })
}
const detail = safeJson(z.record(z.string(), z.json()), 16_000).default({})

export const certificateInputSchema = z.object({
  issuer: nfc(2000),
  serial,
  subject: nfc(2000),
  displayName: nfc(500),
  ca: optionalText(200),
  notBefore: instant,
  notAfter: instant,
  policyOid: oid,
  purpose: optionalText(200),
  fingerprintSha256: sha256Hex,
})

export const copyInputSchema = z.object({
  issuer: nfc(2000),
  serial,
  medium: z.enum(MEDIA),
  // Locations are paths or ids used to reach the copy again: kept byte-for-byte (no NFC), see README.
  location: text(4096),
  root: text(4096),
  files: z.partialRecord(z.enum(COPY_FILES), z.boolean()),
  keyScheme: optionalText(100),
  contentHash: sha256Hex.nullish().transform((s) => s ?? null),
})

export const findingInputSchema = z.object({
  kind: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a short kebab-case kind'),
  severity: z.enum(SEVERITIES),
  certificate: certificateKey.nullish().transform((c) => c ?? null),
  location: z
    .string()
    .min(1)
    .max(4096)
    .nullish()
    .transform((s) => s ?? null),
  detail,
})

export const auditInputSchema = z.object({
  action: z.enum(AUDIT_ACTIONS),
  certificate: certificateKey.nullish().transform((c) => c ?? null),
  locations: z.array(text(4096)).max(100).default([]),
  outcome: z.enum(['ok', ...ERROR_CODES]),
  detail,
})

export const scanRootsSchema = z.array(text(4096)).max(1000)

export const scanCountsSchema = z.object({
  foldersVisited: z.number().int().min(0),
  certificatesFound: z.number().int().min(0),
  problems: z.number().int().min(0),
})

export const cachePutSchema = z.object({
  path: text(4096),
  size: z.number().int().min(0),
  mtimeMs: z.number().finite(),
  // Parse results of certificate files: public certificate data, possibly large (chains). Key names are still
  // checked; ID-number-shaped values are not, since a corporate subject may carry a 법인등록번호.
  parsed: safeJson(z.json(), 1_000_000, { idNumbers: false }),
})

export const SETTING_SCHEMAS: { [K in SettingKey]: z.ZodType<KnownSettings[K]> } = {
  language: z.enum(['ko', 'en']),
  notifyDays: z.array(z.number().int().min(0).max(3650)).max(20),
  extraRoots: z.array(text(4096)).max(200),
  helpdeskMode: z.boolean(),
  caProfiles: z.array(caProfileSchema).max(50).refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, 'CA profile names must be unique'),
  tokenModules: z.array(text(4096)).max(50),
}

export const SETTING_DEFAULTS: Readonly<KnownSettings> = Object.freeze({
  language: 'ko',
  notifyDays: [30, 7, 1],
  extraRoots: [],
  helpdeskMode: false,
  caProfiles: [],
  tokenModules: [],
})

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTING_SCHEMAS, key)
}

/** Parses or throws INVALID_INPUT naming the field (never its value). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(value)'
  const problem = issue?.message ?? 'invalid'
  const secret = issue?.code === 'custom' && typeof issue.params?.secret === 'string'
  throw new DojangError(
    'INVALID_INPUT',
    secret ? `Refused to store ${what}: ${problem}.` : `Invalid ${what}: ${field}: ${problem}.`,
    secret ? { field, secretField: String(issue.params?.secret) } : { field, problem },
  )
}
