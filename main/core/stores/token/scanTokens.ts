/**
 * Every token behind a list of modules, for `dojang tokens` and the 보안토큰 tab: one entry per module, each with its
 * tokens and a TokenStore for every initialized one. A module that fails (missing, not a module, crashed) is
 * reported in its entry and does not stop the others.
 */
import { isDojangError, type ErrorCode } from '../../../../common/errors'
import { inspectModuleFile } from './inspect'
import type { ModuleInfo, TokenInfo } from './protocol'
import { TokenStore } from './tokenStore'
import type { TokenWorkerClient } from './workerClient'

export interface ScannedToken {
  info: TokenInfo
  /** Absent for an uninitialized token (an empty slot of a reader, SoftHSM's spare slot): nothing to list. */
  store?: TokenStore
}

export interface ScannedModule {
  module: string
  info?: ModuleInfo
  tokens: ScannedToken[]
  /** Why this module gave no tokens (NOT_FOUND, TOKEN_MODULE_INVALID, TOKEN_UNAVAILABLE, …). */
  error?: { code: ErrorCode; message: string }
}

export async function scanTokens(client: TokenWorkerClient, modules: readonly string[]): Promise<ScannedModule[]> {
  const out: ScannedModule[] = []
  for (const module of modules) {
    try {
      const info = await inspectModuleFile(client, module)
      const tokens = await client.request({ op: 'listTokens', module })
      out.push({
        module,
        info,
        tokens: tokens.map((t) => (t.initialized && t.serial ? { info: t, store: new TokenStore({ client, module, serial: t.serial, tokenLabel: t.label }) } : { info: t })),
      })
    } catch (e) {
      if (!isDojangError(e)) throw e
      out.push({ module, tokens: [], error: { code: e.code, message: e.message } })
    }
  }
  return out
}
