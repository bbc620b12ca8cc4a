/**
 * Where the session listens and what the QR says (qr-transfer.md §4.1). The server binds to ONE chosen LAN
 * address, never 0.0.0.0; the URL names that address unless the caller advertises another host (a name that
 * resolves to it, or in tests a `.test` name Chromium maps onto 127.0.0.1).
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'

export interface LanAddress {
  /** The OS's interface name ("Wi-Fi", "en0", "wlp2s0"), to let the person choose when there are several. */
  interface: string
  address: string
  /** In 10/8, 172.16/12 or 192.168/16: the usual home and office networks; listed first. */
  private: boolean
}

function isPrivateIPv4(a: string): boolean {
  const [x, y] = a.split('.').map(Number) as [number, number]
  return x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168)
}

/**
 * The IPv4, non-internal, non-link-local addresses of this machine, private ranges first. Pure over its input
 * (defaults to os.networkInterfaces()) so it is tested with made-up interface tables.
 */
export function lanAddresses(table: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): LanAddress[] {
  const out: LanAddress[] = []
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      // Node 18.0-18.3 reported `family` as a number; accept both spellings.
      const v4 = info.family === 'IPv4' || (info.family as unknown) === 4
      if (!v4 || info.internal || info.address.startsWith('169.254.')) continue
      out.push({ interface: name, address: info.address, private: isPrivateIPv4(info.address) })
    }
  }
  return out.sort((a, b) => Number(b.private) - Number(a.private))
}

/** `host:port` as it must appear in the Host header and the URL (IPv6 literals in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** The session URL: the key rides in the fragment, which the phone's browser never sends to any server. */
export function sessionUrl(host: string, port: number, sid: string, keyBase64url: string): string {
  return `http://${hostPort(host, port)}/c/${sid}#k=${keyBase64url}`
}
