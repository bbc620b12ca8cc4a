/**
 * A total work budget for the key derivations one file asks for. Each KDF already refuses absurd iteration counts,
 * but a file chooses how many derivations it needs: a PFX can carry thousands of key bags, each at a million
 * iterations, and a 112-byte file with one 10,000,000-iteration MAC kept a core busy for 40 s. The budget is
 * charged before every derivation (iterations × output blocks of the hash), so a hostile file is refused before
 * the work that would exceed it starts.
 *
 * The limit is far above what real files ask for: NPKI key files and bank PFX files use 2048 iterations (a PFX
 * with both pairs: about 15,000 units), Windows and Java exports 2000–10,000 (at most about 50,000 units). Even a
 * PBKDF2 export at 600,000 iterations for its MAC, certificates and one key fits. A file at the limit costs about
 * a second of one core on a desktop, off the main thread (see npki/keyCrypto.ts).
 */
import { DojangError } from '../../../common/errors'

export const MAX_KDF_WORK_PER_FILE = 2_000_000

export class KdfWorkBudget {
  private used = 0

  constructor(
    /** The file, for the error message ("signPri.key", "The PFX file"). */
    readonly label: string,
    readonly limit: number = MAX_KDF_WORK_PER_FILE,
  ) {}

  get spent(): number {
    return this.used
  }

  /** Accounts for one derivation of `outputBytes` with a hash of `hashBytes` output; throws before exceeding the limit. */
  charge(iterations: number, outputBytes: number, hashBytes: number): void {
    const blocks = Math.max(1, Math.ceil(outputBytes / hashBytes))
    const cost = Math.max(1, iterations) * blocks
    if (this.used + cost > this.limit) {
      throw new DojangError(
        'UNSUPPORTED_ALGORITHM',
        `${this.label} asks for more password-derivation work than any certificate software writes (over ${this.limit.toLocaleString('en-US')} rounds); Dojang does not open it, so that it cannot freeze the computer`,
        { file: this.label, reason: 'kdf-work-limit', spent: this.used, requested: this.used + cost, limit: this.limit },
      )
    }
    this.used += cost
  }
}

export const SHA1_BYTES = 20
export const hashBytes = (hash: string): number => ({ sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 })[hash] ?? 20
