/**
 * The sandboxed preload: exposes window.dojang with exactly one function per contract method and one subscribe
 * function. Nothing generic: the page never sees ipcRenderer or channel names.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { channelOf, EVENT_CHANNEL, METHOD_NAMES } from '../common/methods'

const api: Record<string, unknown> = {}
for (const method of METHOD_NAMES) {
  api[method] = (request: unknown) => ipcRenderer.invoke(channelOf(method), request)
}
api.subscribe = (listener: (event: unknown) => void) => {
  const handler = (_event: unknown, payload: unknown) => listener(payload)
  ipcRenderer.on(EVENT_CHANNEL, handler)
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, handler)
  }
}

contextBridge.exposeInMainWorld('dojang', Object.freeze(api))
