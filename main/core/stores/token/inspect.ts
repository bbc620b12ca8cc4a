/** Checking one module path: the quick file check here, then loading it in the token worker. */
import { checkModuleFile } from './discovery'
import type { ModuleInfo } from './protocol'
import type { TokenWorkerClient } from './workerClient'

/** The module's description, or NOT_FOUND (no such path) / TOKEN_MODULE_INVALID (not a PKCS#11 module). */
export async function inspectModuleFile(client: TokenWorkerClient, module: string): Promise<ModuleInfo> {
  await checkModuleFile(module)
  return client.request({ op: 'moduleInfo', module })
}
