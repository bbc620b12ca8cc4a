/** The list of media a certificate can go to (copy, move, import): one radio button per disk, USB drive or keychain. */
import { useEffect, useState } from 'react'
import type { MediumInfo } from '../../../common/contract'
import { call } from '../api'
import { useI18n } from '../i18n'
import { MediumTag } from './Icons'

/** A medium's identity within the picker: the same root can exist as two media only in theory, so both count. */
export const targetKey = (m: MediumInfo): string => `${m.medium}\u0000${m.root}`

/**
 * The media a dialog may offer (listMedia, those available that `usable` accepts), the chosen one (the first by
 * default) and a setter. `reloadKey` lists what changes the answer of `usable`; a failure goes to `onError`.
 */
export function useMediaTargets(usable: (m: MediumInfo) => boolean, onError: (e: unknown) => void, reloadKey: readonly unknown[] = []) {
  const [media, setMedia] = useState<MediumInfo[] | null>(null)
  const [target, setTarget] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    call('listMedia', {})
      .then((list) => {
        if (!live) return
        const offered = list.filter((m) => m.available && usable(m))
        setMedia(offered)
        setTarget((cur) => cur ?? (offered[0] ? targetKey(offered[0]) : null))
      })
      .catch((e: unknown) => live && onError(e))
    return () => {
      live = false
    }
  }, reloadKey)
  const chosen = media?.find((m) => targetKey(m) === target) ?? null
  return { media, target, setTarget, chosen }
}

interface Props {
  legend: string
  /** The radio group's name (also what the tests select by). */
  name: string
  /** null while loading. */
  media: MediumInfo[] | null
  /** Hides the loading line when the list failed to load (the dialog shows the error). */
  failed: boolean
  target: string | null
  onChoose: (key: string) => void
}

export function MediaPicker({ legend, name, media, failed, target, onChoose }: Props) {
  const { t } = useI18n()
  return (
    <fieldset className="targets">
      <legend>{legend}</legend>
      {media === null && !failed && <p className="subtle">{t('common.loading')}</p>}
      {media?.length === 0 && <p className="note">{t('copyDialog.noTargets')}</p>}
      {media?.map((m) => (
        <label key={targetKey(m)} className="check-row target">
          <input
            type="radio"
            name={name}
            value={targetKey(m)}
            checked={target === targetKey(m)}
            onChange={() => onChoose(targetKey(m))}
            data-root={m.root}
            data-medium={m.medium}
          />
          <MediumTag medium={m.medium} />
          <span translate="no">{m.label}</span>
          {m.root && !m.label.includes(m.root) && <code className="path subtle">{m.root}</code>}
        </label>
      ))}
    </fieldset>
  )
}
