/**
 * A password input. The value lives only in the parent's state (never storage, never the URL); autocomplete and
 * spellcheck are off so neither the browser nor a dictionary service sees it.
 */
import { useId, useState, type Ref } from 'react'
import { useI18n } from '../i18n'

interface Props {
  label: string
  value: string
  onChange: (v: string) => void
  name: string
  autoFocus?: boolean
  describedBy?: string
  invalid?: boolean
  inputMode?: 'text' | 'numeric'
  /** For a dialog that moves the focus back here (after a wrong password). */
  inputRef?: Ref<HTMLInputElement>
}

export function PasswordField({ label, value, onChange, name, autoFocus, describedBy, invalid, inputMode = 'text', inputRef }: Props) {
  const { t } = useI18n()
  const id = useId()
  const [visible, setVisible] = useState(false)
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="password-row">
        <input
          id={id}
          ref={inputRef}
          name={name}
          type={visible ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          autoFocus={autoFocus}
          inputMode={inputMode}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
        />
        <button type="button" className="btn btn-small btn-ghost" aria-pressed={visible} onClick={() => setVisible((v) => !v)}>
          {visible ? t('password.hide') : t('password.show')}
        </button>
      </div>
    </div>
  )
}
