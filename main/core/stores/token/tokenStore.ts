/**
 * One security token (보안토큰) as a Store. Certificates are public objects, so listing and reading need no PIN;
 * everything that touches a private key needs a TokenSession (the PIN), which reaches `write` and `remove` through
 * their options (TokenWriteOptions, TokenRemoveOptions) or through the session's own methods.
 *
 * A private key on a token never leaves it: `read` returns the certificate file(s) only, and `readKeys` (what a copy
 * *out of* the token would need) is refused with KEY_NOT_EXPORTABLE. capabilities.readKeys is false so callers can
 * refuse before they start.
 */
import { DojangError, isDojangError } from '../../../../common/errors'
import { sha256Of } from '../bundle'
import type { BundleFile, CertBundle, CopyRef, Medium, Store, StoreCapabilities, StoredCopy, WriteOptions } from '../types'
import { certificateFields, type CertRole } from './hsmuProfile'
import { parseTokenLocation, requireTokenLocation, TOKEN_PREFIX, tokenLocation, tokenStoreId } from './location'
import { fromBase64, type TokenCertificate, type TokenInfo, type TokenTarget } from './protocol'
import { TokenSession, type ImportOptions } from './session'
import type { TokenWorkerClient } from './workerClient'

export const TOKEN_MEDIUM_LABEL = '보안토큰'

export interface TokenStoreOptions {
  client: TokenWorkerClient
  /** The PKCS#11 module path that drives this token. */
  module: string
  /** The token's serial number (CK_TOKEN_INFO.serialNumber, trimmed): stable across re-plugging, unlike the slot. */
  serial: string
  /** The token's label, for people ("보안토큰 (label)"). */
  tokenLabel?: string
}

/** write() on a token needs the PIN (an open session) and the certificate password (to decrypt signPri.key). */
export interface TokenWriteOptions extends WriteOptions {
  token?: { session: TokenSession; password: string; includeKm?: boolean }
}

export interface TokenRemoveOptions {
  dataDir: string
  token?: { session: TokenSession }
}

/** One listed copy: the sign certificate and, when present, the km certificate of the same subject. */
export interface TokenCopy extends StoredCopy {
  serial: string
  ref: string
  /** CKA_ID of the certificate object (hex, '' when none). */
  idHex: string
  objectLabel: string
  /** Whether the private key is on the token (known only when listed with a session). */
  hasKey?: boolean
}

interface Listed {
  cert: TokenCertificate
  der: Buffer
  ref: string
  role: CertRole
  subject: string
}

export class TokenStore implements Store {
  readonly medium: Medium = 'token'
  readonly id: string
  readonly label: string
  readonly capabilities: StoreCapabilities = { readKeys: false, write: true, replaceKeys: false, remove: true, secret: 'pin' }
  readonly module: string
  readonly serial: string
  private readonly client: TokenWorkerClient

  constructor(opts: TokenStoreOptions) {
    if (!opts.serial) throw new DojangError('INVALID_INPUT', 'A token store needs the token serial number.')
    this.client = opts.client
    this.module = opts.module
    this.serial = opts.serial
    this.id = tokenStoreId(opts.serial)
    this.label = opts.tokenLabel ? `${TOKEN_MEDIUM_LABEL} (${opts.tokenLabel})` : TOKEN_MEDIUM_LABEL
  }

  private get target(): TokenTarget {
    return { module: this.module, serial: this.serial }
  }

  owns(location: string): boolean {
    return parseTokenLocation(location)?.serial === this.serial
  }

  /** Logs in: the session every PIN-needing call takes. The caller closes it. */
  login(pin: string): Promise<TokenSession> {
    return TokenSession.open(this.client, this.target, pin)
  }

  private ref(location: string): CopyRef {
    return { medium: this.medium, storeId: this.id, location, label: this.label }
  }

  /** The certificates, grouped so that a km certificate travels with the sign certificate of the same subject. */
  private async listed(session?: TokenSession): Promise<Listed[]> {
    const certs = session ? await session.listCertificates() : await this.client.request({ op: 'listCertificates', ...this.target })
    const idCounts = new Map<string, number>()
    for (const c of certs) idCounts.set(c.idHex, (idCounts.get(c.idHex) ?? 0) + 1)
    return certs.map((cert) => {
      const der = fromBase64(cert.der)
      let role: CertRole = 'sign'
      let subject = ''
      try {
        const f = certificateFields(der)
        role = f.role
        subject = Buffer.from(f.subject).toString('hex')
      } catch {
        // Not an RSA certificate Dojang reads: still listed, as its own copy.
      }
      const ref = cert.idHex !== '' && idCounts.get(cert.idHex) === 1 ? cert.idHex : `sha256-${sha256Of(der)}`
      return { cert, der, ref, role, subject }
    })
  }

  private group(items: Listed[]): { main: Listed; km?: Listed }[] {
    const signs = items.filter((i) => i.role === 'sign')
    const out = signs.map((main) => ({ main, km: undefined as Listed | undefined }))
    for (const km of items.filter((i) => i.role === 'km')) {
      const partner = out.find((g) => !g.km && g.main.subject !== '' && g.main.subject === km.subject)
      if (partner) partner.km = km
      else out.push({ main: km, km: undefined })
    }
    return out
  }

  /** The copies on the token; none when the token is not connected (like a disk store without an NPKI folder). */
  async list(opts: { signal?: AbortSignal; session?: TokenSession } = {}): Promise<TokenCopy[]> {
    if (opts.signal?.aborted) throw new DojangError('CANCELLED', 'Listing the token was cancelled.')
    let items: Listed[]
    try {
      items = await this.listed(opts.session)
    } catch (e) {
      if (isDojangError(e, 'NOT_FOUND') && e.details.reason === 'token-missing') return []
      throw e
    }
    const groups = this.group(items)
    return groups.map(({ main, km }) => {
      const location = tokenLocation(this.serial, main.ref)
      const fileNames = [main.role === 'km' && !km ? 'kmCert.der' : 'signCert.der', ...(km ? ['kmCert.der'] : [])]
      return {
        ...this.ref(location),
        fileNames,
        serial: this.serial,
        ref: main.ref,
        idHex: main.cert.idHex,
        objectLabel: main.cert.label,
        ...(main.cert.hasKey !== undefined ? { hasKey: main.cert.hasKey } : {}),
      }
    })
  }

  /** The certificate file(s) of one copy: signCert.der (and kmCert.der), never a key. NOT_FOUND when gone. */
  async read(location: string): Promise<CertBundle> {
    const { ref } = requireTokenLocation(location, this.serial)
    const group = this.group(await this.listed()).find((g) => g.main.ref === ref)
    if (!group) throw new DojangError('NOT_FOUND', 'This certificate is no longer on the token.', { location })
    const files: BundleFile[] = [{ name: group.main.role === 'km' && !group.km ? 'kmCert.der' : 'signCert.der', data: new Uint8Array(group.main.der) }]
    if (group.km) files.push({ name: 'kmCert.der', data: new Uint8Array(group.km.der) })
    return { files }
  }

  /** What a copy or move out of the token would need. Always refused: a private key on a token never leaves it. */
  async readKeys(location: string): Promise<never> {
    throw keyNotExportable(location)
  }

  /**
   * Stores the bundle's certificate and private key (and km pair) on the token. Needs `opts.token`: an open session
   * of this token and the certificate password. CONFLICT when the certificate is there already (unless overwrite).
   */
  async write(bundle: CertBundle, opts: TokenWriteOptions): Promise<CopyRef> {
    const secrets = opts?.token
    if (!secrets?.session || typeof secrets.password !== 'string') {
      throw new DojangError('INVALID_INPUT', 'Storing a certificate on a security token needs the token PIN and the certificate password.', { reason: 'token-secrets-required' })
    }
    this.checkSession(secrets.session)
    const importOpts: ImportOptions = { overwrite: opts.overwrite === true, ...(secrets.includeKm !== undefined ? { includeKm: secrets.includeKm } : {}) }
    const result = await secrets.session.importBundle(bundle, secrets.password, importOpts)
    // The listing names a copy by CKA_ID unless the ID is shared; look it up so the returned location is the listed one.
    const copies = await this.list()
    const hit = copies.find((c) => c.idHex === result.sign.idHex)
    return this.ref(hit?.location ?? result.location)
  }

  /** Deletes the certificate (and the km certificate listed with it) and their keys. Needs `opts.token.session`. */
  async remove(location: string, opts: TokenRemoveOptions): Promise<void> {
    const { ref } = requireTokenLocation(location, this.serial)
    const session = opts?.token?.session
    if (!session) {
      throw new DojangError('INVALID_INPUT', 'Deleting a certificate from a security token needs the token PIN.', { reason: 'token-secrets-required', location })
    }
    this.checkSession(session)
    const group = this.group(await this.listed()).find((g) => g.main.ref === ref)
    if (!group) throw new DojangError('NOT_FOUND', 'This certificate is no longer on the token.', { location })
    if (group.km) await session.deleteCertificate(group.km.ref)
    await session.deleteCertificate(group.main.ref)
  }

  private checkSession(session: TokenSession): void {
    if (session.target.serial !== this.serial || session.target.module !== this.module) {
      throw new DojangError('INVALID_INPUT', 'The PIN session belongs to another security token.', { serial: this.serial })
    }
  }
}

export function keyNotExportable(location: string): DojangError {
  return new DojangError(
    'KEY_NOT_EXPORTABLE',
    'The private key of this certificate is on a security token and never leaves it, so the certificate cannot be copied or exported from the token. Copy it from its original copy (hard disk or USB drive), or have it reissued.',
    { location },
  )
}

/** Lists the tokens a module reports (uninitialized ones included, flagged), through the worker. */
export function listTokens(client: TokenWorkerClient, module: string): Promise<TokenInfo[]> {
  return client.request({ op: 'listTokens', module })
}

/** Whether a location is spelled like a token location (any token). */
export const isTokenLocation = (location: string): boolean => typeof location === 'string' && location.startsWith(TOKEN_PREFIX)
