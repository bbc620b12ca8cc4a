/**
 * Registers every method of the IPC contract. Each call: the sender must be Dojang's own page, the payload must
 * match the contract's schema, and the handler's outcome becomes a Result value (Electron's invoke() would strip
 * a thrown error down to its message). Secrets in requests are used by the one handler call and dropped.
 * Electron itself is not imported here, so the same table runs under Node in the Chromium tests.
 */
import type { z } from 'zod'
import { isDojangError } from '../common/errors'
import { channelOf, EVENT_CHANNEL, METHOD_NAMES, requestSchemas, type DojangEvent, type MethodName, type ResponseOf, type Result } from '../common/contract'

export type ParsedRequest<M extends MethodName> = z.output<(typeof requestSchemas)[M]>

export type Handlers = {
  [M in MethodName]: (request: ParsedRequest<M>) => Promise<ResponseOf<M>>
}

/** The slice of Electron's IpcMainInvokeEvent that the sender check needs. */
export interface InvokeEventLike {
  senderFrame?: { url: string } | null
  sender?: { id: number }
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void
}

/** Validates and runs one call. Shared by the Electron registration and the Chromium test transport. */
export async function invokeMethod<M extends MethodName>(handlers: Handlers, method: M, payload: unknown): Promise<Result<ResponseOf<M>>> {
  const schema = requestSchemas[method] as unknown as z.ZodType<ParsedRequest<M>>
  const parsed = schema.safeParse(payload ?? {})
  if (!parsed.success) {
    // The issue list names fields, never values (a value may be a password).
    const fields = parsed.error.issues.flatMap((i) => issueFields(i)).join(', ')
    return { ok: false, error: { code: 'INVALID_INPUT', message: `Invalid request for ${method}: ${fields}`, details: { method } } }
  }
  try {
    const value = await handlers[method](parsed.data)
    return { ok: true, value }
  } catch (e) {
    if (isDojangError(e)) return { ok: false, error: { code: e.code, message: e.message, details: { ...e.details } } }
    // Unexpected errors keep their message out of the renderer: it may quote file contents.
    console.error(`dojang: ${method} failed unexpectedly:`, e instanceof Error ? e.stack : e)
    return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Dojang. Please try again; if it keeps happening, report it.', details: { method } } }
  }
}

/** The fields one validation issue is about; an unknown field is named by its key (cut short, printable only). */
function issueFields(issue: z.core.$ZodIssue): string[] {
  const at = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => [at, k.replace(/[^\w-]/g, '?').slice(0, 40)].filter(Boolean).join('.'))
  return [at || '(request)']
}

/**
 * Registers one handler per contract method with the sender check. `isTrustedSender` decides from the frame URL
 * whether the call comes from Dojang's own renderer (see main/security.ts).
 */
export function registerIpc(ipcMain: IpcMainLike, handlers: Handlers, isTrustedSender: (url: string) => boolean): string[] {
  const channels: string[] = []
  for (const method of METHOD_NAMES) {
    const channel = channelOf(method)
    ipcMain.handle(channel, async (event, payload) => {
      const url = event.senderFrame?.url ?? ''
      if (!isTrustedSender(url)) {
        return { ok: false, error: { code: 'PERMISSION_DENIED', message: 'This caller may not use Dojang', details: { method } } } satisfies Result<never>
      }
      return invokeMethod(handlers, method, payload)
    })
    channels.push(channel)
  }
  return channels
}

/** Sends an event to every window that shows Dojang's page. */
export function broadcast(targets: Iterable<{ send(channel: string, event: DojangEvent): void; isDestroyed?(): boolean }>, event: DojangEvent): void {
  for (const t of targets) if (!t.isDestroyed?.()) t.send(EVENT_CHANNEL, event)
}
