/**
 * 보안토큰 (PKCS#11 security tokens): the public API for commands, the CLI and the app. See docs/tokens.md.
 *
 *   const client = new TokenWorkerClient()                       // one per process; close() on shutdown
 *   const { modules } = await discoverModules({ settings, args }) // npki_pkcs11.cnf + settings + --module
 *   await inspectModule(client, path)                            // NOT_FOUND / TOKEN_MODULE_INVALID / ModuleInfo
 *   const tokens = await listTokens(client, path)                // label, serial, PIN state (CKF_USER_PIN_*)
 *   const scanned = await scanTokens(client, paths)              // per module: tokens + a TokenStore each, or error
 *   const store = new TokenStore({ client, module: path, serial, tokenLabel })
 *   const session = await store.login(pin)                       // WRONG_PIN / PIN_LOCKED
 *   try { await store.write(bundle, { dataDir, token: { session, password } }) } finally { session.close() }
 */
export * from './discovery'
export { tokenForDestination, type NamedToken } from './destination'
export { inspectModuleFile as inspectModule } from './inspect'
export * from './location'
export type * from './protocol'
export { scanTokens, type ScannedModule, type ScannedToken } from './scanTokens'
export { TokenSession, type BundleImportResult, type ImportOptions } from './session'
export { isTokenLocation, keyNotExportable, listTokens, TOKEN_MEDIUM_LABEL, TokenStore, type TokenCopy, type TokenRemoveOptions, type TokenStoreOptions, type TokenWriteOptions } from './tokenStore'
export { DEFAULT_TOKEN_TIMEOUT_MS, forkWorker, TokenWorkerClient, type SpawnWorker, type TokenWorkerClientOptions, type WorkerExit, type WorkerHandle } from './workerClient'
export { utilityProcessWorker, type UtilityChildLike, type UtilityProcessLike } from './utilityProcessWorker'
export { defaultWorkerEntry } from './workerPath'
