import { basename } from 'node:path'
import { DojangError, type ErrorCode } from '../../../common/errors'

/** The errno code of a Node fs error (`ENOENT`, …), or undefined for anything else. */
export function errnoOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

interface Mapping {
  code: ErrorCode
  reason: string
  advice: string
}

function classify(errno: string | undefined): Mapping {
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return { code: 'PERMISSION_DENIED', reason: 'permission denied', advice: 'Check that you may change this folder (it may belong to another user or be protected), then try again.' }
    case 'EROFS':
      return { code: 'PERMISSION_DENIED', reason: 'the drive is read-only', advice: 'Use a writable drive or remove its write protection, then try again.' }
    case 'ENOSPC':
    case 'EDQUOT':
      return { code: 'DISK_FULL', reason: errno === 'EDQUOT' ? 'the disk quota is exhausted' : 'the disk is full', advice: 'Free some space on that drive, then try again.' }
    case 'ENOENT':
      return { code: 'NOT_FOUND', reason: 'it does not exist', advice: 'Check that the drive is connected and that the file or folder was not moved or renamed.' }
    case 'EEXIST':
      return { code: 'CONFLICT', reason: 'something with that name already exists', advice: 'Choose another name or remove the existing item first.' }
    case 'ENAMETOOLONG':
      return {
        code: 'IO_ERROR',
        reason: 'the name or the path is longer than this drive allows',
        advice: 'Use a folder with a shorter path (closer to the top of the drive), or keep the certificate in the keychain or a PFX file.',
      }
    case 'EBUSY':
      return { code: 'IO_ERROR', reason: 'the file is in use by another program', advice: 'Close programs that may use it (banking or security software), then try again.' }
    default:
      return {
        code: 'IO_ERROR',
        reason: errno ? `the system reported ${errno}` : 'an unexpected input/output error occurred',
        advice: 'Check that the drive is connected and working, then try again.',
      }
  }
}

/**
 * Turns a Node fs error into a DojangError whose code the UI translates. `action` is a verb phrase
 * ("write signPri.key", "read the certificate folder"). A DojangError passes through unchanged so that callers can
 * wrap whole blocks without double-mapping.
 */
export function mapFsError(err: unknown, path: string, action: string): DojangError {
  if (err instanceof DojangError) return err
  const errno = errnoOf(err)
  const { code, reason, advice } = classify(errno)
  const name = basename(path) || path
  const details: Record<string, string> = { path, action }
  if (errno) details.errno = errno
  const what = action.includes(name) ? action : `${action} (${name})`
  return new DojangError(code, `Could not ${what}: ${reason}. ${advice}`, details, { cause: err })
}
