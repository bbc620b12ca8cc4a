import path from 'node:path'
import { z } from 'zod'
import { FILE_MODE, writeFileAtomic, type FsIo } from './io'
import { isDojangTempName, journalPath } from './paths'

// Journals and manifests hold paths, hashes, sizes, a reason and a time: never key material or passwords.

const sha = z.string().regex(/^[0-9a-f]{64}$/)
const plainName = z.string().refine((n) => n.length > 0 && n === path.basename(n) && n !== '.' && n !== '..', 'not a plain file name')

const journalEntry = z
  .object({
    target: z.string().refine((p) => path.isAbsolute(p), 'not absolute'),
    /** Beside the target; holds the new bytes before the commit and old bytes while rolling back. */
    temp: z.string(),
    backupFile: plainName.nullable(),
    oldSha256: sha.nullable(),
    /** null: the change deletes the target. */
    newSha256: sha.nullable(),
    mode: z.number().int().min(0).max(0o7777),
  })
  // Recovery renames and deletes what a journal names: refuse one that points a temp anywhere but beside its target.
  .refine((e) => path.dirname(e.temp) === path.dirname(e.target) && isDojangTempName(path.basename(e.temp)), 'temp is not beside its target')
  .refine((e) => (e.backupFile === null) === (e.oldSha256 === null), 'backup file and old hash disagree')

export const journalSchema = z.object({
  version: z.literal(1),
  backupId: z.string(),
  state: z.enum(['prepared', 'committing', 'rollback']),
  reason: z.string(),
  createdAt: z.string(),
  entries: z.array(journalEntry).min(1),
})
export type Journal = z.infer<typeof journalSchema>
export type JournalEntry = Journal['entries'][number]
export type JournalState = Journal['state']

export const manifestSchema = z.object({
  version: z.literal(1),
  backupId: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  files: z.array(
    z.object({
      /** Absolute path the file had (or would have had) when the backup was taken. */
      path: z.string(),
      /** Name of the saved copy inside the backup folder; null when the file did not exist before. */
      backupFile: plainName.nullable(),
      size: z.number().int().nonnegative().nullable(),
      oldSha256: sha.nullable(),
      newSha256: sha.nullable(),
    }),
  ),
})
export type Manifest = z.infer<typeof manifestSchema>

export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`)
}

export function parseJson<T>(bytes: Uint8Array, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)))
}

export async function writeJournal(io: FsIo, dataDir: string, journal: Journal): Promise<void> {
  await writeFileAtomic(journalPath(dataDir, journal.backupId), encodeJson(journal), { mode: FILE_MODE, io, action: "record the operation in Dojang's journal" })
}
