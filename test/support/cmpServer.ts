/**
 * OpenSSL's `openssl cmp` mock server as a test CA (cmp.md §10). A throw-away PKI is made with the openssl CLI;
 * the mock runs inside a loopback-only network namespace (`unshare -rn`) because OpenSSL 3.0 always listens on
 * all interfaces. A small relay inside the namespace exposes it on a Unix socket, and a TCP listener on
 * 127.0.0.1:0 in the test process forwards each connection there, one to one, so the mock still sees one
 * kept-alive connection per transaction.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openssl } from './openssl'

export const CA_DN = '/C=KR/O=Dojang Test CA/CN=Dojang Test Root CA'
export const EE_DN = '/C=KR/O=Dojang Test CA/OU=personal4IB/CN=홍길동()001123456789011'

export interface TestPki {
  dir: string
  caCertPem: string
  caCertPath: string
  caKeyPath: string
  srvCertPath: string
  srvKeyPath: string
  /** Issues a certificate for `key` signed by the test CA; returns the PEM path. */
  issue(name: string, key: KeyObject, opts?: { subject?: string; serialHex?: string; days?: number }): string
  cleanup(): void
}

const quiet = (args: string[]) => openssl(args)

export function createTestPki(opts: { caDn?: string } = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'dojang-cmp-'))
  const p = (f: string) => join(dir, f)
  quiet(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '3650', '-subj', opts.caDn ?? CA_DN,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'])
  quiet(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('srv.key'), '-out', p('srv.csr'), '-subj', '/C=KR/O=Dojang Test CA/CN=Dojang Test CMP Server'])
  writeFileSync(p('srv.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n')
  quiet(['x509', '-req', '-in', p('srv.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '365', '-extfile', p('srv.ext'), '-out', p('srv.crt')])
  writeFileSync(p('ee.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\ncertificatePolicies=1.2.410.200005.1.1.1\n')
  let n = 0
  return {
    dir,
    caCertPem: readFileSync(p('ca.crt'), 'utf8'),
    caCertPath: p('ca.crt'),
    caKeyPath: p('ca.key'),
    srvCertPath: p('srv.crt'),
    srvKeyPath: p('srv.key'),
    issue(name, key, o = {}) {
      const id = `${name}-${n++}`
      writeFileSync(p(`${id}.key`), key.export({ type: 'pkcs8', format: 'pem' }))
      quiet(['req', '-new', '-key', p(`${id}.key`), '-out', p(`${id}.csr`), '-subj', o.subject ?? EE_DN, '-utf8'])
      const serial = o.serialHex ? ['-set_serial', `0x${o.serialHex}`] : ['-CAcreateserial']
      quiet(['x509', '-req', '-in', p(`${id}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), ...serial, '-days', String(o.days ?? 365), '-extfile', p('ee.ext'), '-out', p(`${id}.pem`)])
      rmSync(p(`${id}.key`))
      return p(`${id}.pem`)
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function newRsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
}

export interface MockServer {
  /** http://127.0.0.1:PORT/pkix/ */
  url: string
  port: number
  /** The mock's log so far (verbosity 7). */
  log(): string
  stop(): Promise<void>
}

/** Runs inside the namespace: starts openssl, learns its port from "ACCEPT …:PORT", serves a Unix socket. */
const RELAY = `
const { spawn } = require('node:child_process'); const net = require('node:net'); const fs = require('node:fs')
const [sock, log, ...args] = process.argv.slice(2)
const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
let seen = ''; let serving = false
const onOut = (d) => { fs.appendFileSync(log, d); if (!serving) { seen += d; const m = /ACCEPT \\S*:(\\d+)/.exec(seen); if (m) { serving = true; serve(Number(m[1])) } } }
child.stdout.on('data', onOut); child.stderr.on('data', onOut)
child.on('exit', (code) => { process.stdout.write('EXIT ' + code + '\\n'); process.exit(0) })
function serve(port) {
  const srv = net.createServer((c) => {
    const u = net.connect(port, '127.0.0.1')
    c.pipe(u); u.pipe(c)
    u.on('error', () => c.destroy()); c.on('error', () => u.destroy())
  })
  srv.listen(sock, () => process.stdout.write('READY\\n'))
}
const stop = () => { child.kill('SIGTERM'); process.exit(0) }
process.stdin.on('end', stop); process.stdin.on('error', stop); process.stdin.resume()
process.on('SIGTERM', stop)
`

let namespaceWorks: boolean | undefined
function canUseNamespace(): boolean {
  if (namespaceWorks === undefined) {
    namespaceWorks = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0
    if (!namespaceWorks) console.warn('cmpServer: user namespaces unavailable; the OpenSSL mock listens on all interfaces of this machine')
  }
  return namespaceWorks
}

/** Starts `openssl cmp -port 0 <args>` and resolves when it accepts connections on 127.0.0.1. */
export async function startMock(pki: TestPki, args: string[]): Promise<MockServer> {
  const tag = Math.random().toString(36).slice(2, 8)
  const sock = join(pki.dir, `mock-${tag}.sock`)
  const logFile = join(pki.dir, `mock-${tag}.log`)
  const relayFile = join(pki.dir, 'relay.cjs')
  writeFileSync(relayFile, RELAY)
  writeFileSync(logFile, '')
  const osslArgs = ['cmp', '-config', '', '-port', '0', '-verbosity', '7', ...args]
  const nodeArgs = [relayFile, sock, logFile, ...osslArgs]
  const child: ChildProcess = canUseNamespace()
    ? spawn('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...nodeArgs], { stdio: ['pipe', 'pipe', 'pipe'], cwd: pki.dir })
    : spawn(process.execPath, nodeArgs, { stdio: ['pipe', 'pipe', 'pipe'], cwd: pki.dir })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`mock did not start: ${readFileSync(logFile, 'utf8')}`)), 20_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('READY')) {
        clearTimeout(timer)
        resolve()
      } else if (out.includes('EXIT')) {
        clearTimeout(timer)
        reject(new Error(`mock exited: ${readFileSync(logFile, 'utf8')}`))
      }
    })
    child.stderr!.on('data', () => undefined)
  })
  const sockets = new Set<net.Socket>()
  const front = net.createServer((c) => {
    const u = net.connect(sock)
    sockets.add(c)
    sockets.add(u)
    c.pipe(u)
    u.pipe(c)
    u.on('error', () => c.destroy())
    c.on('error', () => u.destroy())
    c.on('close', () => sockets.delete(c))
    u.on('close', () => sockets.delete(u))
  })
  const port = await new Promise<number>((resolve) => front.listen(0, '127.0.0.1', () => resolve((front.address() as net.AddressInfo).port)))
  return {
    url: `http://127.0.0.1:${port}/pkix/`,
    port,
    log: () => readFileSync(logFile, 'utf8'),
    async stop() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => front.close(() => resolve()))
      child.stdin!.end()
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** Mock options for PBM-protected requests (ir, rr with codes). */
export function pbmServerArgs(ref: string, secret: string): string[] {
  return ['-srv_ref', ref, '-srv_secret', `pass:${secret}`]
}

/** Mock options for signature-protected requests (kur, rr) and signed answers. */
export function signedServerArgs(pki: TestPki): string[] {
  return ['-srv_cert', pki.srvCertPath, '-srv_key', pki.srvKeyPath, '-srv_trusted', pki.caCertPath]
}

/** A port on 127.0.0.1 where nothing listens (for "connection refused"). */
export async function closedPort(): Promise<number> {
  const s = net.createServer()
  const port = await new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)))
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/** A server on 127.0.0.1 that accepts connections and never answers (for timeouts). */
export async function silentServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const s = net.createServer((c) => {
    sockets.add(c)
    c.on('data', () => undefined)
    c.on('error', () => undefined)
  })
  const port = await new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)))
  return {
    port,
    stop: async () => {
      for (const c of sockets) c.destroy()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
}

/**
 * A TCP front for the mock (cmp.md §10.5 point 6): listens on 127.0.0.1, takes each framed request off the socket
 * with its own parser (not Dojang's), posts the DER to the mock over one keep-alive HTTP connection per TCP
 * connection, and frames the answer the same way. `pollFirst` answers the first request with an RFC 2510 pollRep
 * and hands the real answer over as finalMsgRep when polled; `errorText` answers everything with errorMsgRep.
 */
export async function startTcpRelay(
  target: string,
  framing: 'rfc2510' | 'raw-der',
  opts: { pollFirst?: boolean; errorText?: string } = {},
): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const frame = (flag: number, value: Buffer) => {
    const head = Buffer.alloc(5)
    head.writeUInt32BE(value.length + 1, 0)
    head[4] = flag
    return Buffer.concat([head, value])
  }
  const server = net.createServer((conn) => {
    sockets.add(conn)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    let buf = Buffer.alloc(0)
    let polled = false
    let pending: Buffer | undefined
    let chain = Promise.resolve()
    const post = (der: Buffer) =>
      new Promise<Buffer>((resolve, reject) => {
        const req = http.request(target, { method: 'POST', agent, headers: { 'Content-Type': 'application/pkixcmp', 'Content-Length': der.length } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve(Buffer.concat(chunks)))
        })
        req.on('error', reject)
        req.end(der)
      })
    const handle = async (flag: number, value: Buffer) => {
      if (opts.errorText) return void conn.write(frame(6, Buffer.from(opts.errorText)))
      if (flag === 2 && pending) return void conn.write(frame(5, pending))
      const answer = await post(value)
      if (framing === 'raw-der') return void conn.write(answer)
      if (opts.pollFirst && !polled) {
        polled = true
        pending = answer
        return void conn.write(frame(1, Buffer.from([0, 0, 0, 7, 0, 0, 0, 0]))) // pollRef 7, check back after 0 s
      }
      conn.write(frame(0, answer))
    }
    const take = (): { flag: number; value: Buffer } | undefined => {
      if (framing === 'rfc2510') {
        if (buf.length < 5) return undefined
        const len = buf.readUInt32BE(0)
        if (buf.length < 4 + len) return undefined
        const out = { flag: buf[4]!, value: buf.subarray(5, 4 + len) }
        buf = buf.subarray(4 + len)
        return out
      }
      if (buf.length < 2) return undefined
      let len = buf[1]!
      let head = 2
      if (len & 0x80) {
        const n = len & 0x7f
        if (buf.length < 2 + n) return undefined
        len = buf.readUIntBE(2, n)
        head += n
      }
      if (buf.length < head + len) return undefined
      const out = { flag: 0, value: buf.subarray(0, head + len) }
      buf = buf.subarray(head + len)
      return out
    }
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      for (let f = take(); f; f = take()) {
        const { flag, value } = f
        chain = chain.then(() => handle(flag, Buffer.from(value))).catch(() => void conn.destroy())
      }
    })
    conn.on('error', () => undefined)
    conn.on('close', () => {
      sockets.delete(conn)
      agent.destroy()
    })
  })
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)))
  return {
    port,
    stop: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
