/** Small inline SVG icons (no icon font: the CSP allows only our own files, and SVG scales with the text). */
import type { Medium } from '../../../common/contract'
import { useI18n, type MessageKey } from '../i18n'

export const MEDIUM_LABEL: Record<Medium, MessageKey> = {
  disk: 'medium.disk',
  removable: 'medium.removable',
  keychain: 'medium.keychain',
  token: 'medium.token',
  other: 'medium.other',
}

const paths: Record<Medium, string> = {
  // a hard-disk box with a status light
  disk: 'M3 6h18v12H3z M6 14h2',
  // a USB stick
  removable: 'M8 3h8v5H8z M6 8h12v13H6z M10 5h1 M13 5h1',
  // a key
  keychain: 'M8 12a4 4 0 1 1 0.01 0 M12 12h9 M18 12v3 M21 12v3',
  // a token with a chip
  token: 'M4 7h16v10H4z M9 10h6v4H9z',
  // a folder
  other: 'M3 6h7l2 2h9v11H3z',
}

export function MediumIcon({ medium }: { medium: Medium }) {
  return (
    <svg className={`icon icon-${medium}`} viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={paths[medium]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  )
}

/** Icon plus the medium's name, for places where the label is the information. */
export function MediumTag({ medium }: { medium: Medium }) {
  const { t } = useI18n()
  return (
    <span className={`medium-tag medium-${medium}`}>
      <MediumIcon medium={medium} />
      <span>{t(MEDIUM_LABEL[medium])}</span>
    </span>
  )
}

export function CheckIcon({ ok }: { ok: boolean }) {
  return (
    <svg className={ok ? 'icon icon-ok' : 'icon icon-no'} viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" focusable="false">
      <path d={ok ? 'M5 12l5 5 9-10' : 'M6 6l12 12 M18 6L6 18'} fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  )
}
