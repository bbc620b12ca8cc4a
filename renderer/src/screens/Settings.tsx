/**
 * 설정: language, expiry reminders (and a calendar file), extra folders to search, helpdesk mode, and the media
 * Dojang sees right now. Each change is saved at once (no Save button to forget).
 */
import { useEffect, useId, useState } from 'react'
import type { BackupView, MediumInfo, SettingsView } from '../../../common/contract'
import { call } from '../api'
import { useDojangEvent } from '../app/events'
import { ErrorBox } from '../components/ErrorBox'
import { MediumTag } from '../components/Icons'
import { useToasts } from '../components/Toasts'
import { useI18n, type Language } from '../i18n'

const NOTIFY_CHOICES = [60, 30, 14, 7, 3, 1]

interface Props {
  onLanguage: (lang: Language) => void
}

export function Settings({ onLanguage }: Props) {
  const { t } = useI18n()
  const toasts = useToasts()
  const [settings, setSettings] = useState<SettingsView | null>(null)
  const [media, setMedia] = useState<MediumInfo[]>([])
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const [backups, setBackups] = useState<BackupView[] | null>(null)
  const [confirmEmpty, setConfirmEmpty] = useState(false)
  const rootHint = useId()

  useEffect(() => {
    call('getSettings', {}).then(setSettings, setError)
    call('listMedia', {}).then(setMedia, setError)
    call('listBackups', {}).then(setBackups, setError)
  }, [])

  // Two steps, because emptied backups cannot come back.
  const emptyBackups = async () => {
    if (!confirmEmpty) return setConfirmEmpty(true)
    setConfirmEmpty(false)
    try {
      const r = await call('emptyBackups', {})
      toasts.show({ text: t('settings.backupsEmptied', { n: r.removed }), kind: 'success' })
      setBackups(await call('listBackups', {}))
    } catch (e) {
      setError(e)
    }
  }
  useDojangEvent((e) => {
    if (e.type === 'mediaChanged') setMedia(e.media)
  })

  const save = async (patch: Partial<SettingsView>) => {
    setError(null)
    setSaved(false)
    // Optimistic: a controlled checkbox must reflect the click now, not after the round trip to main.
    const before = settings
    setSettings((s) => (s ? { ...s, ...patch } : s))
    if (patch.language) onLanguage(patch.language)
    try {
      const next = await call('setSettings', patch)
      setSettings(next)
      setSaved(true)
    } catch (e) {
      setSettings(before)
      if (patch.language && before) onLanguage(before.language)
      setError(e)
    }
  }

  const toggleDay = (d: number) => {
    if (!settings) return
    const set = new Set(settings.notifyDays)
    if (set.has(d)) set.delete(d)
    else set.add(d)
    void save({ notifyDays: [...set].sort((a, b) => b - a) })
  }

  // The folder is picked in main's own dialog: the page never names a place for Dojang to read or write.
  const addRoot = async () => {
    setError(null)
    setSaved(false)
    try {
      const next = await call('addExtraRoot', {})
      if (next) {
        setSettings(next)
        setSaved(true)
      }
    } catch (e) {
      setError(e)
    }
  }

  const exportCalendar = async () => {
    try {
      const r = await call('exportCalendar', {})
      toasts.show(r ? { text: t('settings.calendarDone', { path: r.path }), kind: 'success' } : { text: t('export.cancelled') })
    } catch (e) {
      setError(e)
    }
  }

  return (
    <section className="screen screen-settings" aria-labelledby="settings-title" data-screen="settings">
      <header className="screen-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
        <span className="saved" role="status">
          {saved ? t('settings.saved') : ''}
        </span>
      </header>
      <ErrorBox error={error} />
      {settings && (
        <div className="settings">
          <fieldset className="panel">
            <legend>{t('settings.language')}</legend>
            <label className="check-row">
              <input type="radio" name="language" value="ko" checked={settings.language === 'ko'} onChange={() => void save({ language: 'ko' })} />
              <span lang="ko">한국어</span>
            </label>
            <label className="check-row">
              <input type="radio" name="language" value="en" checked={settings.language === 'en'} onChange={() => void save({ language: 'en' })} />
              <span lang="en">English</span>
            </label>
          </fieldset>

          <fieldset className="panel">
            <legend>{t('settings.notify')}</legend>
            <p className="subtle">{t('settings.notifyIntro')}</p>
            <div className="day-choices">
              {NOTIFY_CHOICES.map((d) => (
                <label key={d} className="check-row">
                  <input type="checkbox" checked={settings.notifyDays.includes(d)} onChange={() => toggleDay(d)} data-notify-day={d} />
                  <span>D-{d}</span>
                </label>
              ))}
            </div>
            <button type="button" className="btn" onClick={() => void exportCalendar()} data-action="export-calendar">
              {t('settings.calendar')}
            </button>
          </fieldset>

          <fieldset className="panel">
            <legend>{t('settings.roots')}</legend>
            <p className="subtle">{t('settings.mediaIntro')}</p>
            <ul className="media-list">
              {media.map((m) => (
                <li key={`${m.medium}:${m.root}`} className={m.available ? '' : 'unavailable'}>
                  <MediumTag medium={m.medium} />
                  <span translate="no">{m.label}</span>
                  {!m.label.includes(m.root) && <code className="path subtle">{m.root}</code>}
                  {!m.available && <span className="missing-note">{t('settings.unavailable')}</span>}
                </li>
              ))}
            </ul>
            <p className="subtle" id={rootHint}>
              {t('settings.rootsIntro')}
            </p>
            <ul className="root-list">
              {settings.extraRoots.map((r) => (
                <li key={r}>
                  <code className="path">{r}</code>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={t('settings.removeRootLabel', { path: r })}
                    onClick={() => void save({ extraRoots: settings.extraRoots.filter((x) => x !== r) })}
                  >
                    {t('settings.removeRoot')}
                  </button>
                </li>
              ))}
            </ul>
            <button type="button" className="btn" onClick={() => void addRoot()} aria-describedby={rootHint} data-action="add-root">
              {t('settings.addRoot')}
            </button>
          </fieldset>

          <fieldset className="panel" data-panel="backups">
            <legend>{t('settings.backups')}</legend>
            <p className="subtle">{t('settings.backupsIntro')}</p>
            <p data-backup-count={backups?.length ?? 0}>{backups ? t('settings.backupsCount', { n: backups.length }) : ''}</p>
            <button type="button" className={confirmEmpty ? 'btn btn-danger' : 'btn'} disabled={!backups || backups.length === 0} onClick={() => void emptyBackups()} data-action="empty-backups">
              {confirmEmpty ? t('settings.backupsConfirm') : t('settings.backupsEmpty')}
            </button>
          </fieldset>

          <fieldset className="panel">
            <legend>{t('settings.helpdesk')}</legend>
            <label className="check-row">
              <input type="checkbox" checked={settings.helpdeskMode} onChange={(e) => void save({ helpdeskMode: e.target.checked })} name="helpdesk" />
              <span>{t('settings.helpdeskLabel')}</span>
            </label>
            <p className="subtle">{t('settings.helpdeskIntro')}</p>
          </fieldset>
        </div>
      )}
    </section>
  )
}
