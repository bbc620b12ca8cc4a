/**
 * The token worker: the only process of Dojang that loads vendor PKCS#11 modules. It answers one request at a time
 * (see protocol.ts) and keeps no login state between requests.
 *
 * It runs under two hosts with the same code:
 * - a Node child process (`child_process.fork`): messages through `process.on('message')` / `process.send` — the
 *   CLI and the tests;
 * - Electron's utility process (`utilityProcess.fork`): messages through `process.parentPort` — the app.
 *
 * Entry points: under vitest and tsx the TypeScript source is forked with `--import tsx`; electron-vite builds it as
 * `out/main/tokenWorker.js` (an extra main-process input in electron.vite.config.ts). workerPath.ts picks one.
 */
import { DojangError, isDojangError } from '../../../../common/errors'
import { Pkcs11Driver } from './pkcs11Ops'
import type { WorkerErrorBody, WorkerRequest, WorkerResponse } from './protocol'

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const driver = new Pkcs11Driver()

function handle(req: WorkerRequest): unknown {
  switch (req.op) {
    case 'ping':
      return { pid: process.pid }
    case 'moduleInfo':
      return driver.moduleInfo(req.module)
    case 'listTokens':
      return driver.listTokens(req.module)
    case 'login':
      return driver.login(req)
    case 'listCertificates':
      return driver.listCertificates(req)
    case 'importKeyPair':
      return driver.importKeyPair(req)
    case 'deleteCertificate':
      return driver.deleteCertificate(req)
    case 'changePin':
      return driver.changePin(req)
    case 'sign':
      return driver.sign(req)
    case 'generateKeyPair':
      return driver.generateKeyPair(req)
    case 'putCertificate':
      return driver.putCertificate(req)
    case 'deleteKeyPair':
      return driver.deleteKeyPair(req)
    case 'listKeysWithoutCertificate':
      return driver.listKeysWithoutCertificate(req)
  }
}

function errorBody(e: unknown): WorkerErrorBody {
  const err = isDojangError(e) ? e : new DojangError('INTERNAL', 'The token worker failed unexpectedly.', { reason: e instanceof Error ? e.name : typeof e })
  return { code: err.code, message: err.message, details: { ...err.details } }
}

function answer(raw: unknown): WorkerResponse | undefined {
  const req = raw as WorkerRequest
  if (!req || typeof req !== 'object' || typeof req.id !== 'number' || typeof req.op !== 'string') return undefined
  try {
    return { id: req.id, ok: true, result: handle(req) }
  } catch (e) {
    return { id: req.id, ok: false, error: errorBody(e) }
  }
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort
if (parentPort) {
  parentPort.on('message', (e) => {
    const res = answer(e.data)
    if (res) parentPort.postMessage(res)
  })
} else if (process.send) {
  process.on('message', (msg) => {
    const res = answer(msg)
    if (res) process.send?.(res)
  })
  // The parent went away (or closed the channel): finalize the modules and leave.
  process.on('disconnect', () => {
    driver.close()
    process.exit(0)
  })
} else {
  console.error('tokenWorker: run me with child_process.fork or Electron utilityProcess.fork')
  process.exit(2)
}

process.on('SIGTERM', () => {
  driver.close()
  process.exit(0)
})
