/**
 * What the commands do with a store whose secret is a PIN (보안토큰): copy a certificate and its key into it, import
 * a PFX into it, delete from it for good, change its PIN. Each call opens one PIN session and closes it before it
 * returns, whatever happens; the PIN and the certificate password are never put in an error or its details.
 */
import { DojangError } from '../../../common/errors'
import { bytesEqual } from '../asn1/der'
import { checkBundle, signCertOf } from '../stores/bundle'
import type { BeforeConfirm, IssuedOnKey, KeyHolder } from '../issuance'
import { tokenLocation, TokenStore, type TokenSession } from '../stores/token'
import type { ImportResult, TokenInfo } from '../stores/token/protocol'
import type { CopyRef, Store } from '../stores/types'
import { OFF_THREAD, type KeyWork } from './keyWork'
import { requireReadableKeys } from './password'
import { pickPairs, type ImportWarning } from './pfxFile'

/** The token behind a store whose secret is a PIN; INVALID_INPUT for any other store. */
export function pinStore(store: Store): TokenStore {
  if (store.capabilities.secret !== 'pin' || !(store instanceof TokenStore)) {
    throw new DojangError('INVALID_INPUT', 'This medium is not a security token.', { medium: store.medium })
  }
  return store
}

/** A PIN is needed: INVALID_INPUT (reason 'pin-required') that front ends answer by asking for it. */
export function requirePin(pin: unknown): string {
  if (typeof pin !== 'string') {
    throw new DojangError('INVALID_INPUT', 'This needs the security token PIN (보안토큰 비밀번호).', { reason: 'pin-required' })
  }
  return pin
}

async function withSession<T>(store: TokenStore, pin: string, run: (session: TokenSession) => Promise<T>): Promise<T> {
  const session = await store.login(pin)
  try {
    return await run(session)
  } finally {
    session.close()
  }
}

/**
 * Copies a certificate and its private key from a store whose keys can be read into a token. The key is decrypted
 * with `password` inside the token worker and stored non-extractable; the certificate read back from the token must
 * be the source's, byte for byte. The source is never changed.
 */
export async function copyIntoToken(
  dataDir: string,
  from: Store,
  location: string,
  to: Store,
  secrets: { pin?: string; password?: string },
  opts: { overwrite?: boolean } = {},
): Promise<CopyRef> {
  const token = pinStore(to)
  requireReadableKeys(from)
  const pin = requirePin(secrets.pin)
  if (typeof secrets.password !== 'string' || secrets.password === '') {
    throw new DojangError('INVALID_INPUT', 'Storing a certificate on a security token needs the certificate password too, to open its private key.', { reason: 'password-required' })
  }
  const password = secrets.password
  const files = checkBundle(await from.read(location))
  const ref = await withSession(token, pin, (session) => token.write({ files }, { dataDir, overwrite: opts.overwrite === true, token: { session, password } }))
  const back = await token.read(ref.location)
  if (!bytesEqual(signCertOf(back.files).data, signCertOf(files).data)) {
    throw new DojangError('IO_ERROR', 'The certificate on the token does not match the original; the original was left in place.', { location: ref.location })
  }
  return ref
}

/** Imports a PFX's certificate and key (and km pair) into a token; the PFX password opens it, the PIN logs in. */
export async function importPfxIntoToken(
  to: Store,
  pfxBytes: Uint8Array,
  pfxPassword: string,
  pin: string | undefined,
  opts: { overwrite?: boolean } = {},
  work: KeyWork = OFF_THREAD,
): Promise<{ location: string; ref: CopyRef; warnings: ImportWarning[] }> {
  const token = pinStore(to)
  const thePin = requirePin(pin)
  const { pairs } = await work.importPfx(pfxBytes, pfxPassword)
  try {
    const { sign, km } = pickPairs(pairs)
    const location = await withSession(token, thePin, async (session) => {
      const r = await session.importPkcs8(sign.cert, sign.pkcs8, { overwrite: opts.overwrite === true })
      if (km) {
        try {
          await session.importPkcs8(km.cert, km.pkcs8, { overwrite: opts.overwrite === true })
        } catch (e) {
          if (!r.sign.replaced) await session.deleteCertificate(r.sign.idHex).catch(() => undefined)
          throw e
        }
      }
      return r.location
    })
    // The listing may name the copy differently (a shared CKA_ID): use the listed location of this certificate.
    const listed = (await token.list()).find((c) => c.location === location) ?? (await findListed(token, sign.cert))
    const ref: CopyRef = { medium: token.medium, storeId: token.id, location: listed?.location ?? location, label: token.label }
    return { location: ref.location, ref, warnings: [] }
  } finally {
    for (const p of pairs) p.pkcs8.fill(0)
  }
}

async function findListed(token: TokenStore, cert: Uint8Array): Promise<{ location: string } | undefined> {
  for (const c of await token.list()) {
    const back = await token.read(c.location).catch(() => undefined)
    if (back && bytesEqual(signCertOf(back.files).data, cert)) return c
  }
  return undefined
}

/** Deletes a certificate and its keys from a token, for good (a token's key cannot be kept in Dojang's trash). */
export async function deleteFromToken(dataDir: string, store: Store, location: string, pin: string | undefined): Promise<void> {
  const token = pinStore(store)
  await withSession(token, requirePin(pin), (session) => token.remove(location, { dataDir, token: { session } }))
}

/** Changes the token's user PIN. WRONG_PIN / PIN_LOCKED when the old one is not accepted. */
export async function changeTokenPin(store: Store, oldPin: string | undefined, newPin: string | undefined): Promise<TokenInfo> {
  const token = pinStore(store)
  if (typeof newPin !== 'string' || newPin === '') throw new DojangError('INVALID_INPUT', 'The new PIN is empty.', { reason: 'pin-empty' })
  return withSession(token, requirePin(oldPin), (session) => session.changePin(newPin))
}

/** The certificates of a token with whether each has its key there (needs the PIN: keys are private objects). */
/**
 * What a token holds: its copies (with `hasKey` when the PIN is given) and, with the PIN, how many private keys no
 * certificate belongs to (a helpdesk sees keys left by an interrupted 발급 or by another program).
 */
export async function tokenContents(store: Store, pin: string | undefined): Promise<{ copies: Awaited<ReturnType<TokenStore['list']>>; keysWithoutCertificate?: number }> {
  const token = pinStore(store)
  if (pin === undefined) return { copies: await token.list() }
  return withSession(token, pin, async (session) => ({ copies: await token.list({ session }), keysWithoutCertificate: (await session.keysWithoutCertificate()).length }))
}

/** A private key on the token as the CMP engine's KeyHolder: every signature is made inside the token. */
export function tokenKeyHolder(session: TokenSession, ref: string, spki: Uint8Array, opts: { byKeyId?: boolean } = {}): KeyHolder {
  return {
    spki: () => spki,
    sign: (hash, data) => session.sign(ref, data, { hash, ...(opts.byKeyId ? { byKeyId: true } : {}) }),
  }
}

/**
 * Runs a CMP enrolment (`enrol`) whose new key is generated on the token when the engine asks for it, and stores the
 * checked certificate next to that key before the CA hears "accepted" (the software path keeps its pair in the
 * 보관함 at the same moment). When no certificate comes of it (a CA error or refusal, a cancel, a check that failed,
 * a token that refused the certificate, so that the CA heard "rejected"), the generated pair is removed again, so no
 * orphan key stays on the token.
 */
export async function enrolWithTokenKey(
  session: TokenSession,
  enrol: (newKey: () => Promise<KeyHolder>, beforeConfirm: BeforeConfirm) => Promise<IssuedOnKey>,
): Promise<{ issued: IssuedOnKey; stored: ImportResult }> {
  let generated: { idHex: string; spki: Uint8Array } | undefined
  let stored: ImportResult | undefined
  try {
    const issued = await enrol(
      async () => {
        generated = await session.generateKeyPair()
        return tokenKeyHolder(session, generated.idHex, generated.spki, { byKeyId: true })
      },
      // The certificate goes onto the token before the CA hears "accepted"; a token that refuses it makes the
      // engine reject the certificate instead.
      async (checked) => {
        stored = await session.putCertificate(checked.certDer)
      },
    )
    return { issued, stored: stored! }
  } catch (e) {
    // No certificate came of it (a CA error or refusal, a cancel, a failed check, a token that refused the
    // certificate): the pair goes. A pair whose certificate is already on the token stays (deleteKeyPair refuses
    // it): the confirmation may have reached the CA.
    if (generated) await session.deleteKeyPair(generated.idHex).catch(() => undefined)
    throw e
  }
}

/** The listed location of the certificate stored under this CKA_ID (a shared ID is listed by fingerprint). */
export async function listedTokenLocation(token: TokenStore, idHex: string, certDer: Uint8Array): Promise<string> {
  const byId = (await token.list()).filter((c) => c.idHex === idHex)
  if (byId.length === 1) return byId[0]!.location
  return (await findListed(token, certDer))?.location ?? tokenLocation(token.serial, idHex)
}
