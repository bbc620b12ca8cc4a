/**
 * `--to token:<label>` as a person types it: the token whose label (or serial number) is given, or the only token
 * when just `token` is given. Only the token store reads this spelling.
 */
import { DojangError } from '../../../../common/errors'
import { TOKEN_PREFIX } from './location'
import type { TokenStore } from './tokenStore'

export interface NamedToken {
  store: TokenStore
  /** The label the token reports (CK_TOKEN_INFO.label, trimmed). */
  tokenLabel: string
}

/** Undefined when `raw` does not name a token; the token when it does; NOT_FOUND / INVALID_INPUT when it names none or several. */
export function tokenForDestination(raw: string, tokens: readonly NamedToken[]): TokenStore | undefined {
  const bare = raw === 'token'
  if (!bare && !raw.startsWith(TOKEN_PREFIX)) return undefined
  const name = bare ? '' : raw.slice(TOKEN_PREFIX.length)
  const known = tokens.map((t) => `token:${t.tokenLabel || t.store.serial}`).join(', ') || '(no security token is connected)'
  const hits = name === '' ? tokens : tokens.filter((t) => t.tokenLabel === name || t.store.serial === name)
  if (hits.length === 1) return hits[0]!.store
  if (hits.length === 0) {
    throw new DojangError('NOT_FOUND', `No connected security token is called '${name}'. Connected tokens: ${known}`, { destination: raw })
  }
  throw new DojangError('INVALID_INPUT', `Several security tokens match '${raw}'; name one by its label or serial number: ${known}`, { destination: raw, usage: true })
}
