/** Stops a running operation (a scan, a password change of many copies, …) by its id. */
import type { Core } from '../core'

export async function cancelOperation(core: Core, input: { operationId: number }): Promise<{ cancelled: boolean }> {
  return { cancelled: core.operations.cancel(input.operationId) }
}
