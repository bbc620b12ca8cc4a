/**
 * The transfer password of a phone PFX (docs/qr-transfer.md, "what the phone receives"): shown only on the PC
 * screen and typed later into the app that imports the file. Someone who captured the session (an active attacker
 * on the network) then faces 60 random bits instead of the person's own certificate password.
 *
 * Lower-case letters and digits without the look-alikes (l, o, 0, 1): easy to read off a screen and to type on a
 * phone keyboard. Three groups of four joined by '-', which also gives the special character the KISA rules want.
 */
import { randomInt } from 'node:crypto'
import { checkPasswordRules } from '../../../common/passwordRules'

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'
const GROUPS = 3
const GROUP_LENGTH = 4

/** Bits of randomness in one transfer password (before rejecting the few that break the KISA rules). */
export const TRANSFER_PASSWORD_BITS = GROUPS * GROUP_LENGTH * Math.log2(ALPHABET.length)

export function newTransferPassword(): string {
  for (;;) {
    const groups = Array.from({ length: GROUPS }, () => Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''))
    const candidate = groups.join('-')
    // A few draws miss a digit or a letter, or hold a run like "abc"/"234": draw again rather than patch them.
    if (checkPasswordRules(candidate).ok) return candidate
  }
}
