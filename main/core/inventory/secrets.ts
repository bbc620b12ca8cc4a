/**
 * A guard against logging secrets by mistake. The audit log, findings, settings and scan cache hold free-form
 * JSON; a future caller could pass `{ password }` or a PIN along with harmless facts. We refuse such records
 * outright instead of redacting, so the mistake shows up in tests rather than silently in a user's database.
 *
 * Key names are compared after lowercasing and dropping everything but letters and digits, so `newPassword`,
 * `new_password` and `NEW-PASSWORD` are all caught. The rules aim at obvious names; they are a safety net,
 * not a proof that nothing secret can be stored.
 */

/** Refused when the normalized key contains one of these anywhere. */
const SECRET_FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'authcode',
  'authorizationcode',
  'randomnum', // NPKI randomNum: with the ID number it proves identity (VID)
  'residentnumber',
  'residentregistration',
  'jumin',
  'privatekeyder',
  'privatekeypem',
  'privatekeybytes',
  'keymaterial',
  'keybytes',
  'rawkey',
  'datakey',
  'sessionkey',
  'masterkey',
  'derivedkey',
  'mnemonic',
]

/** Refused when the normalized key is exactly one of these (too short or too common to match as fragments). */
const SECRET_KEYS = new Set([
  'key',
  'privatekey',
  'iv',
  'kek',
  'dek',
  'derivediv',
  'pin',
  'pins',
  'pincode',
  'sopin',
  'userpin',
  'idn',
  'rrn',
  'ssn',
  'pwd',
  'pw',
  'pass',
  'otp',
  'referencenumber',
  'refnum',
  'refno',
])

/** Refused when a camelCase / snake_case word of the key is one of these (`userPin`, `new_pwd`, `ownerIdn`). */
const SECRET_WORDS = new Set(['pin', 'idn', 'rrn', 'ssn', 'pwd', 'pw', 'otp'])

/** Values that are secrets whatever their key. */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/
/** 주민등록번호-shaped strings. Not applied to parsed certificate data, where a subject may hold a 법인등록번호. */
const ID_NUMBER = [/(?<!\d)\d{6}-[1-4]\d{6}(?!\d)/, /^\d{6}[1-4]\d{6}$/]

export interface SecretScanOptions {
  /** Also refuse strings shaped like a resident registration number (default true). */
  idNumbers?: boolean
}

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase())
}

export function isSecretKeyName(key: string): boolean {
  const norm = key.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (SECRET_KEYS.has(norm)) return true
  if (SECRET_FRAGMENTS.some((f) => norm.includes(f))) return true
  return words(key).some((w) => SECRET_WORDS.has(w))
}

/**
 * Returns the path of the first field that looks secret (e.g. "detail.old.password"), or null. Only the key
 * names and the path are reported, never the value.
 */
export function findSecretField(value: unknown, opts: SecretScanOptions = {}, path = '', depth = 0): string | null {
  if (depth > 32) return path || '(root)' // absurd nesting: refuse rather than walk it
  if (typeof value === 'string') {
    const secret = PEM_PRIVATE_KEY.test(value) || (opts.idNumbers !== false && ID_NUMBER.some((re) => re.test(value)))
    return secret ? path || '(value)' : null
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSecretField(value[i], opts, `${path}[${i}]`, depth + 1)
      if (hit !== null) return hit
    }
    return null
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path === '' ? k : `${path}.${k}`
      if (isSecretKeyName(k)) return p
      const hit = findSecretField(v, opts, p, depth + 1)
      if (hit !== null) return hit
    }
  }
  return null
}
