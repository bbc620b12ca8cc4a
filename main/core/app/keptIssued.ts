/**
 * 보관함: where a freshly issued or renewed pair waits in Dojang's data folder until its medium holds it.
 *
 * Once the CA has issued a certificate, the 인가코드 is used up and the new key exists only in memory: a crash, a
 * pulled USB drive or a full disk at that moment would lose the certificate. So the pair is first written here
 * (`<dataDir>/issued/<time>-<rand>/<CA>/USER/<DN>/`, through fsx: fsynced and renamed into place), then to the
 * chosen medium, and the kept copy is removed only after that write succeeded. Every folder left here is an NPKI
 * root the registry lists with the disk roots, so a kept certificate shows in the list (with an `issued-kept`
 * finding) after any interruption, and can be copied to where it belongs.
 */
import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { DiskStore } from '../stores/diskStore'
import type { CertBundle, CopyRef } from '../stores/types'

const KEPT_FOLDER = 'issued'
const ROOT_NAME = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/

export function keptIssuedParent(dataDir: string): string {
  return path.join(dataDir, KEPT_FOLDER)
}

/** The kept roots that exist now (oldest first); none when nothing waits. */
export async function keptIssuedRoots(dataDir: string): Promise<string[]> {
  const parent = keptIssuedParent(dataDir)
  const names = await fsp.readdir(parent, { withFileTypes: true }).catch(() => [])
  // Leftovers of a removal that was interrupted: already out of the listing, finished here.
  for (const d of names) if (d.name.startsWith('.released-')) await fsp.rm(path.join(parent, d.name), { recursive: true, force: true }).catch(() => undefined)
  const roots: string[] = []
  for (const d of names) {
    if (!d.isDirectory() || !ROOT_NAME.test(d.name)) continue
    const root = path.join(parent, d.name)
    // A root whose pair was copied out and then deleted is an empty shell: gone after an hour (not sooner, so a
    // root being written right now is never taken for one).
    if (await emptyAndOld(root)) await fsp.rm(root, { recursive: true, force: true }).catch(() => undefined)
    else roots.push(root)
  }
  return roots.sort()
}

const SHELL_AGE_MS = 60 * 60 * 1000

async function emptyAndOld(root: string): Promise<boolean> {
  try {
    const st = await fsp.stat(root)
    if (Date.now() - st.mtimeMs < SHELL_AGE_MS) return false
    const entries = await fsp.readdir(root, { recursive: true, withFileTypes: true })
    return !entries.some((e) => !e.isDirectory())
  } catch {
    return false
  }
}

/** Whether a location lies inside the 보관함. */
export function isKeptLocation(dataDir: string, location: string): boolean {
  const parent = path.resolve(keptIssuedParent(dataDir)) + path.sep
  return path.resolve(location).startsWith(parent)
}

export interface KeptPair {
  root: string
  ref: CopyRef
  store: DiskStore
}

/** Writes the pair into a new kept root. */
export async function keepIssued(dataDir: string, bundle: CertBundle, now: Date): Promise<KeptPair> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const root = path.join(keptIssuedParent(dataDir), `${stamp}-${randomBytes(4).toString('hex')}`)
  await fsp.mkdir(root, { recursive: true, mode: 0o700 })
  const store = new DiskStore(root, { medium: 'disk', label: root })
  try {
    return { root, ref: await store.write(bundle, { dataDir }), store }
  } catch (e) {
    await fsp.rm(root, { recursive: true, force: true }).catch(() => undefined)
    throw e
  }
}

/**
 * Removes a kept root once the pair is on its medium. The root is first renamed out of the listing in one step, so
 * an interrupted removal never leaves a half pair that looks like a certificate; a failure leaves a harmless
 * duplicate.
 */
export async function releaseKept(kept: KeptPair): Promise<void> {
  const gone = path.join(path.dirname(kept.root), `.released-${path.basename(kept.root)}`)
  try {
    await fsp.rename(kept.root, gone)
  } catch {
    return
  }
  await fsp.rm(gone, { recursive: true, force: true }).catch(() => undefined)
}
