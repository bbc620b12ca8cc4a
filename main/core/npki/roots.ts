/**
 * Where NPKI roots are (npki-format.md §2.1), for one profile or (helpdesk mode) every profile of the machine.
 * The scanner walks them.
 */
import { readdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { posix, win32 } from 'node:path'

export interface RootCandidate {
  path: string
  /** 'primary' roots are where NPKI software writes today; the others are older or rarer places. */
  weight: 'primary' | 'secondary'
}

/** The standard NPKI roots of one user profile on `platform`. */
export function defaultNpkiRoots(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): RootCandidate[] {
  if (platform === 'win32') {
    const profile = env.USERPROFILE ?? home
    const roots: RootCandidate[] = [{ path: win32.join(profile, 'AppData', 'LocalLow', 'NPKI'), weight: 'primary' }]
    if (env.ProgramFiles) roots.push({ path: win32.join(env.ProgramFiles, 'NPKI'), weight: 'primary' })
    if (env['ProgramFiles(x86)']) roots.push({ path: win32.join(env['ProgramFiles(x86)'], 'NPKI'), weight: 'secondary' })
    if (env.APPDATA) roots.push({ path: win32.join(env.APPDATA, 'NPKI'), weight: 'secondary' })
    roots.push({ path: win32.join(profile, 'Documents', 'NPKI'), weight: 'secondary' })
    roots.push({ path: win32.join(env.SystemDrive ?? 'C:', '\\', 'NPKI'), weight: 'secondary' })
    return roots
  }
  if (platform === 'darwin') {
    return [
      { path: posix.join(home, 'Library', 'Preferences', 'NPKI'), weight: 'primary' },
      { path: posix.join(home, 'Documents', 'NPKI'), weight: 'secondary' },
      { path: posix.join(home, 'NPKI'), weight: 'secondary' },
    ]
  }
  return [
    { path: posix.join(home, 'NPKI'), weight: 'primary' },
    { path: posix.join(home, '.pki', 'NPKI'), weight: 'secondary' },
  ]
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    // Symlinks are not followed: a link can point into a loop or at another user's data.
    return entries.filter((e) => e.isDirectory()).map((e) => e.name)
  } catch {
    return []
  }
}

/**
 * Helpdesk mode: the standard roots of every user profile on the machine (`/home/*`, `/Users/*`, `C:\Users\*`).
 * Profiles that cannot be listed are skipped; the scanner reports unreadable roots itself.
 */
export async function allProfileRoots(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  /** Where profiles live; tests point it at a temp folder. */
  profileBases?: string[],
): Promise<RootCandidate[]> {
  const bases = profileBases ??
    (platform === 'win32'
      ? [win32.join(env.SystemDrive ?? 'C:', '\\', 'Users')]
      : platform === 'darwin'
        ? ['/Users']
        : ['/home'])
  const roots: RootCandidate[] = []
  for (const base of bases) {
    for (const name of await subdirs(base)) {
      if (['Public', 'Default', 'Default User', 'All Users', 'Shared'].includes(name)) continue
      const home = platform === 'win32' ? win32.join(base, name) : posix.join(base, name)
      const profileEnv = platform === 'win32' ? { ...env, USERPROFILE: home, APPDATA: win32.join(home, 'AppData', 'Roaming') } : env
      roots.push(...defaultNpkiRoots(platform, profileEnv, home))
    }
  }
  if (platform === 'linux' && !profileBases) roots.push(...defaultNpkiRoots(platform, env, '/root'))
  // Machine-wide roots (Program Files) appear once per profile: keep each path once.
  return [...new Map(roots.map((r) => [r.path, r])).values()]
}
