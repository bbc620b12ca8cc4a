// Test double of the token worker for what SoftHSM2 cannot do: a token whose user PIN is locked (SoftHSM never locks).
// It reports one token with CKF_USER_PIN_LOCKED, answers a login with PIN_LOCKED as the real worker does, and appends
// every op it receives to the file named by DOJANG_OPS_LOG, so a test can see that nothing else was attempted.
import { appendFileSync } from 'node:fs'

const log = process.env.DOJANG_OPS_LOG!
const token = {
  slotId: '0', slotDescription: 'locked slot', label: 'locked-token', serial: 'LOCKED0001', manufacturer: 'Dojang test', model: 'double',
  flags: 0, initialized: true, loginRequired: true, userPinInitialized: true, writeProtected: false, protectedAuthPath: false,
  pinState: 'locked', pinCountLow: false, pinFinalTry: false, pinLocked: true, minPinLen: 4, maxPinLen: 64,
}

process.on('message', (raw) => {
  const req = raw as { id: number; op: string }
  appendFileSync(log, `${req.op}\n`)
  const ok = (result: unknown) => process.send?.({ id: req.id, ok: true, result })
  const fail = (code: string, message: string) => process.send?.({ id: req.id, ok: false, error: { code, message, details: {} } })
  if (req.op === 'listTokens') ok([token])
  else if (req.op === 'listCertificates') ok([])
  else if (req.op === 'moduleInfo') ok({ manufacturer: 'Dojang test', description: 'double', cryptokiVersion: '2.40', libraryVersion: '1.0' })
  else if (req.op === 'ping') ok({ pid: process.pid })
  else fail('PIN_LOCKED', 'The token PIN is locked.')
})
process.on('disconnect', () => process.exit(0))
