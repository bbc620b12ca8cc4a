/**
 * The crash-safety harness's world: a real Core over two NPKI roots (A holds the 홍길동 fixture, B is empty) and a
 * data folder, and every file-changing command as an operation with its setup (unfaulted), its run (faulted) and
 * its check of the result after a fresh Core has recovered.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { cp, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { COMMANDS } from '../../../main/core/app/commands'
import { openCore, type Core } from '../../../main/core/app/core'
import { keptIssuedRoots } from '../../../main/core/app/keptIssued'
import { CMP_AUTH, CMP_REF, confirmedByCa } from './cmpCa'
import { checkPassword } from '../../../main/core/ops/password'
import { FIXTURE_PASSWORD, FIXTURES, HONG_DIR } from '../../support/fixtures'

export const NEW_PASSWORD = 'Dojang#Crash2026'

const HONG = path.basename(HONG_DIR)

export interface World {
  dir: string
  rootA: string
  rootB: string
  dataDir: string
  /** Where the fixture folder sits in A, and where a copy lands in B. */
  folderA: string
  folderB: string
  /** What `setup` recorded for `run` (a trash id). */
  state: Record<string, string>
}

export function worldIn(dir: string): World {
  const rootA = path.join(dir, 'a', 'NPKI')
  const rootB = path.join(dir, 'b', 'NPKI')
  return {
    dir,
    rootA,
    rootB,
    dataDir: path.join(dir, 'data'),
    folderA: path.join(rootA, 'testsign', 'USER', HONG),
    folderB: path.join(rootB, 'testsign', 'USER', HONG),
    state: {},
  }
}

export async function makeWorld(dir: string): Promise<World> {
  const w = worldIn(dir)
  await cp(HONG_DIR, w.folderA, { recursive: true })
  await mkdir(w.rootB, { recursive: true })
  return w
}

export function coreOf(w: World): Promise<Core> {
  return openCore({ dataDir: w.dataDir, diskRoots: [w.rootA, w.rootB], volumeSource: null, frontEnd: 'cli', emit: () => undefined })
}

export const saveState = (w: World): Promise<void> => writeFile(path.join(w.dir, 'state.json'), JSON.stringify(w.state))
export function loadWorld(dir: string): World {
  const w = worldIn(dir)
  w.state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as Record<string, string>
  return w
}

/** The fixture's files by name: the "old pair". */
export const OLD_FILES: ReadonlyMap<string, Buffer> = new Map(readdirSync(HONG_DIR).map((n) => [n, readFileSync(path.join(HONG_DIR, n))]))

type FolderState = 'absent' | 'old' | 'new-keys' | 'partial'

/** What a certificate folder holds: nothing, exactly the fixture's files, the fixture with new key files, or a mix. */
export function folderState(dir: string): FolderState {
  if (!existsSync(dir)) return 'absent'
  const names = readdirSync(dir).filter((n) => !n.startsWith('.'))
  if (names.length === 0) return 'absent'
  const same = [...OLD_FILES.keys()].every((n) => names.includes(n)) && names.length === OLD_FILES.size
  if (!same) return 'partial'
  const changed = names.filter((n) => !readFileSync(path.join(dir, n)).equals(OLD_FILES.get(n)!))
  if (changed.length === 0) return 'old'
  return changed.every((n) => /Pri\.key$/i.test(n)) && changed.length === names.filter((n) => /Pri\.key$/i.test(n)).length ? 'new-keys' : 'partial'
}

/** True when `password` opens both keys of the folder. */
export async function opens(dir: string, password: string): Promise<boolean> {
  try {
    // A wrong password, or keys that are not whole, throws.
    await checkPassword(dir, password)
    return true
  } catch {
    return false
  }
}

export interface Verdict {
  ok: boolean
  /** The state the world was found in, for the report ("old", "new", "restorable from trash"). */
  outcome: string
  problem?: string
}

const pass = (outcome: string): Verdict => ({ ok: true, outcome })
const fail = (outcome: string, problem: string): Verdict => ({ ok: false, outcome, problem })

/** The copy at `dir` is the fixture with the fixture password: complete and usable. */
async function intactOld(dir: string): Promise<boolean> {
  return folderState(dir) === 'old' && (await opens(dir, FIXTURE_PASSWORD))
}

/** The folder holds a trash item for `dir` that restores to the complete old pair. */
async function restorableFromTrash(core: Core, dir: string): Promise<boolean> {
  const entry = (await COMMANDS.listTrash(core)).find((e) => e.location === dir && e.intact)
  if (!entry) return false
  await COMMANDS.restoreFromTrash(core, { id: entry.id })
  return intactOld(dir)
}

export interface Operation {
  name: string
  setup(core: Core, w: World): Promise<void>
  run(core: Core, w: World): Promise<unknown>
  check(core: Core, w: World): Promise<Verdict>
}

/** The certificate folders under an NPKI root (<root>/<CA>/USER/<folder>). */
function certFolders(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root)
    .filter((ca) => existsSync(path.join(root, ca, 'USER')))
    .flatMap((ca) => readdirSync(path.join(root, ca, 'USER')).filter((n) => !n.startsWith('.')).map((n) => path.join(root, ca, 'USER', n)))
}

/**
 * The destination holds nothing, or one complete pair that opens with `password` (a sign pair, and a km pair whole
 * or not at all); `sameBytes` also wants the fixture's files byte for byte (a copy).
 */
async function checkDestination(w: World, password: string, sameBytes: boolean): Promise<Verdict> {
  const folders = certFolders(w.rootB).filter((d) => readdirSync(d).some((n) => !n.startsWith('.')))
  if (folders.length === 0) return pass('not written')
  if (folders.length > 1) return fail('partial', `the destination holds ${folders.length} certificate folders`)
  const dir = folders[0]!
  const names = readdirSync(dir).filter((n) => !n.startsWith('.'))
  const has = (n: string) => names.includes(n)
  if (!has('signCert.der') || !has('signPri.key') || has('kmCert.der') !== has('kmPri.key')) return fail('partial', `the destination holds only ${names.join(', ')}`)
  if (sameBytes && folderState(dir) !== 'old') return fail('partial', 'the destination does not hold the same bytes as the source')
  return (await opens(dir, password)) ? pass('written') : fail('written', 'the destination does not open with its password')
}

export const OPERATIONS: Operation[] = [
  {
    name: 'change-password',
    setup: async (core) => void (await COMMANDS.scan(core)),
    run: (core, w) => COMMANDS.changePassword(core, { locations: [w.folderA], oldPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD }),
    async check(core, w) {
      const s = folderState(w.folderA)
      if (s === 'old') return (await opens(w.folderA, FIXTURE_PASSWORD)) ? pass('old pair') : fail(s, 'the old pair does not open with the old password')
      if (s !== 'new-keys') return fail(s, `the folder is ${s}`)
      if (!(await opens(w.folderA, NEW_PASSWORD))) return fail(s, 'the new pair does not open with the new password')
      // The old key files are a listed backup that puts the old pair back.
      const backup = (await COMMANDS.listBackups(core)).find((b) => b.reason === 'change-password' && b.intact && !b.pending)
      if (!backup) return fail(s, 'no backup of the old key files is listed')
      await COMMANDS.restoreBackup(core, { id: backup.backupId })
      return (await intactOld(w.folderA)) ? pass('new pair, backup restored') : fail(s, 'restoring the backup did not give back the old pair')
    },
  },
  {
    name: 'delete',
    setup: async (core) => void (await COMMANDS.scan(core)),
    run: (core, w) => COMMANDS.deleteCopy(core, { location: w.folderA }),
    async check(core, w) {
      const s = folderState(w.folderA)
      if (s === 'old') return (await opens(w.folderA, FIXTURE_PASSWORD)) ? pass('not deleted') : fail(s, 'the pair does not open')
      if (s !== 'absent') return fail(s, `the folder is ${s}`)
      return (await restorableFromTrash(core, w.folderA)) ? pass('deleted, restored from trash') : fail(s, 'deleted but not restorable from the trash')
    },
  },
  {
    name: 'restore-from-trash',
    async setup(core, w) {
      await COMMANDS.scan(core)
      w.state.trashId = (await COMMANDS.deleteCopy(core, { location: w.folderA })).id
    },
    run: (core, w) => COMMANDS.restoreFromTrash(core, { id: w.state.trashId! }),
    async check(core, w) {
      const s = folderState(w.folderA)
      if (s === 'old') return (await opens(w.folderA, FIXTURE_PASSWORD)) ? pass('restored') : fail(s, 'the restored pair does not open')
      if (s !== 'absent') return fail(s, `the folder is ${s}`)
      return (await restorableFromTrash(core, w.folderA)) ? pass('still in trash, restored on retry') : fail(s, 'neither restored nor in the trash')
    },
  },
  {
    name: 'copy',
    setup: async (core) => void (await COMMANDS.scan(core)),
    run: (core, w) => COMMANDS.copyCertificate(core, { location: w.folderA, to: { target: { medium: 'disk', root: w.rootB } } }),
    async check(_core, w) {
      if (!(await intactOld(w.folderA))) return fail(folderState(w.folderA), 'the source changed')
      return checkDestination(w, FIXTURE_PASSWORD, true)
    },
  },
  {
    name: 'move',
    setup: async (core) => void (await COMMANDS.scan(core)),
    run: (core, w) => COMMANDS.copyCertificate(core, { location: w.folderA, to: { target: { medium: 'disk', root: w.rootB } }, move: true }),
    async check(core, w) {
      const dest = await checkDestination(w, FIXTURE_PASSWORD, true)
      if (!dest.ok) return dest
      const a = folderState(w.folderA)
      if (a === 'old') return (await opens(w.folderA, FIXTURE_PASSWORD)) ? pass(`source kept, destination ${dest.outcome}`) : fail(a, 'the source does not open')
      if (a !== 'absent') return fail(a, `the source is ${a}`)
      if (dest.outcome === 'written') return pass('moved')
      // Neither place holds it: it must be in the trash, whole.
      return (await restorableFromTrash(core, w.folderA)) ? pass('source in trash, restored') : fail(a, 'the certificate is in neither place nor in the trash')
    },
  },
  {
    name: 'import-pfx',
    setup: async () => undefined,
    run: (core, w) =>
      COMMANDS.importPfx(core, {
        pfx: { path: path.join(FIXTURES, 'pfx', 'bankstyle_3des_randomnum.pfx') },
        pfxPassword: FIXTURE_PASSWORD,
        newPassword: NEW_PASSWORD,
        to: { target: { medium: 'disk', root: w.rootB } },
      }),
    check: async (_core, w) => checkDestination(w, NEW_PASSWORD, false),
  },
]

// ---- issue and renew against a real CA (OpenSSL's CMP mock behind the test front; see cmp-ca.ts) ----
// Every fault point of these two lies after the CA has answered (the key pair and the CMP exchange touch no file).
// The pair is kept in Dojang's 보관함 before the CA hears "accepted"; so after any failure, a certificate the CA
// confirmed must exist whole somewhere (on its medium or kept), and one it did not confirm may be gone.

/** Whether the CA heard "accepted" during this world's run (setup's own issuance not counted). */
const confirmedInRun = (w: World) => confirmedByCa() > Number(w.state.confirmedBefore ?? '0')

export const CA_PROFILE = 'crash-ca'
export const CMP_PASSWORD = 'Dojang#Issue2026'

async function addCaProfile(core: Core): Promise<void> {
  const url = process.env.DOJANG_CRASH_CA_URL
  const certFile = process.env.DOJANG_CRASH_CA_CERT
  if (!url || !certFile) throw new Error('the CA of the crash harness is not running (DOJANG_CRASH_CA_URL)')
  await COMMANDS.addCaProfile(core, { profile: { name: CA_PROFILE, transport: 'http', url, caCert: readFileSync(certFile, 'utf8') } })
}

/** Every complete certificate folder under `root` with its signCert.der bytes, or a problem for a partial one. */
async function pairsUnder(root: string, password: string): Promise<{ pairs: { dir: string; cert: Buffer }[]; problems: string[] }> {
  const pairs: { dir: string; cert: Buffer }[] = []
  const problems: string[] = []
  for (const dir of certFolders(root)) {
    const names = readdirSync(dir).filter((n) => !n.startsWith('.'))
    if (names.length === 0) continue
    if (!names.includes('signCert.der') || !names.includes('signPri.key')) problems.push(`${dir} holds only ${names.join(', ')}`)
    else if (!(await opens(dir, password))) problems.push(`${dir} does not open with its password`)
    else pairs.push({ dir, cert: readFileSync(path.join(dir, 'signCert.der')) })
  }
  return { pairs, problems }
}

async function keptPairs(w: World, password: string) {
  const all = { pairs: [] as { dir: string; cert: Buffer }[], problems: [] as string[] }
  for (const root of await keptIssuedRoots(w.dataDir)) {
    const r = await pairsUnder(root, password)
    all.pairs.push(...r.pairs)
    all.problems.push(...r.problems)
  }
  return all
}

/** A kept pair must be listed after a scan, with the finding that says what to do with it. */
async function keptIsListed(core: Core, dir: string): Promise<boolean> {
  const outcome = await COMMANDS.scan(core)
  return outcome.findings.some((f) => f.code === 'issued-kept' && f.locations.includes(dir))
}

OPERATIONS.push(
  {
    name: 'issue',
    async setup(core, w) {
      await addCaProfile(core)
      w.state.confirmedBefore = String(confirmedByCa())
    },
    run: (core, w) => COMMANDS.issueCertificate(core, { ca: CA_PROFILE, referenceNumber: CMP_REF, authCode: CMP_AUTH, newPassword: CMP_PASSWORD, to: { destination: w.rootB } }),
    async check(core, w) {
      const dest = await pairsUnder(w.rootB, CMP_PASSWORD)
      const kept = await keptPairs(w, CMP_PASSWORD)
      const problems = [...dest.problems, ...kept.problems]
      if (problems.length > 0) return fail('partial', problems.join('; '))
      if (dest.pairs.length > 1) return fail('partial', `${dest.pairs.length} certificate folders in the destination`)
      if (dest.pairs.length === 1) return pass(kept.pairs.length > 0 ? 'written, and kept' : 'written')
      if (kept.pairs.length === 0) return confirmedInRun(w) ? fail('lost', 'the CA confirmed a certificate that is neither on the medium nor kept') : pass('not confirmed, nothing kept')
      return (await keptIsListed(core, kept.pairs[0]!.dir)) ? pass('kept, listed with its finding') : fail('kept', 'the kept pair is not listed with an issued-kept finding')
    },
  },
  {
    name: 'renew',
    async setup(core, w) {
      await addCaProfile(core)
      const issued = await COMMANDS.issueCertificate(core, { ca: CA_PROFILE, referenceNumber: CMP_REF, authCode: CMP_AUTH, newPassword: CMP_PASSWORD, to: { destination: w.rootB } })
      await COMMANDS.scan(core)
      w.state.location = issued.ref.location
      w.state.oldCert = readFileSync(path.join(issued.ref.location, 'signCert.der')).toString('hex')
      w.state.confirmedBefore = String(confirmedByCa())
    },
    // A certificate issued a moment ago is far from its renewal window: forced, as `dojang renew --force` does.
    run: (core, w) => COMMANDS.renewCertificate(core, { location: w.state.location!, ca: CA_PROFILE, password: CMP_PASSWORD, force: true }),
    async check(core, w) {
      const dir = w.state.location!
      const copy = await pairsUnder(w.rootB, CMP_PASSWORD)
      const kept = await keptPairs(w, CMP_PASSWORD)
      const problems = [...copy.problems, ...kept.problems]
      if (problems.length > 0) return fail('partial', problems.join('; '))
      const here = copy.pairs.find((p) => p.dir === dir)
      if (!here || copy.pairs.length !== 1) return fail('partial', 'the renewed copy is not one complete pair any more')
      if (here.cert.toString('hex') !== w.state.oldCert) return pass(kept.pairs.length > 0 ? 'renewed, and kept' : 'renewed')
      // The old pair is still there: the renewed one must be kept (and listed).
      const renewed = kept.pairs.find((p) => p.cert.toString('hex') !== w.state.oldCert)
      if (!renewed) return confirmedInRun(w) ? fail('lost', 'the CA confirmed the renewal, but the new pair is neither on the copy nor kept') : pass('not confirmed, old pair kept')
      return (await keptIsListed(core, renewed.dir)) ? pass('old pair kept on the copy, renewed pair kept and listed') : fail('kept', 'the kept pair is not listed with an issued-kept finding')
    },
  },
)

export function operation(name: string): Operation {
  const op = OPERATIONS.find((o) => o.name === name)
  if (!op) throw new Error(`unknown operation ${name}`)
  return op
}
