/** The list of media a certificate can go to (copy, move, import): one radio button per disk, USB drive or keychain. */
import type { MediumInfo } from '../../../common/contract'
import { useI18n } from '../i18n'
import { MediumTag } from './Icons'

/** A medium's identity within the picker: the same root can exist as two media only in theory, so both count. */
export const targetKey = (m: MediumInfo): string => `${m.medium}\u0000${m.root}`

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
