/**
 * The shell: left navigation, one screen at a time, the global import dialog and toasts. The list stays mounted
 * (hidden) while details are open so its scroll position, filters and selection survive the round trip.
 */
import { useCallback, useEffect, useState } from 'react'
import { call, errorText } from '../api'
import { ToastProvider, useToasts } from '../components/Toasts'
import { I18nProvider, useI18n, type Language, type MessageKey } from '../i18n'
import { CertificateDetail } from '../screens/CertificateDetail'
import { CertificateList } from '../screens/list/CertificateList'
import { History } from '../screens/History'
import { IssueDialog } from '../screens/IssueDialogs'
import { ImportDialog, readDroppedPfx, type DroppedFile } from '../screens/ImportDialog'
import { PhoneSession, type PhoneSessionRequest } from '../screens/PhoneSession'
import { Settings } from '../screens/Settings'
import { Trash } from '../screens/Trash'
import { useDojangEvent } from './events'
import { OperationsProvider, useOperations } from './useOperations'

type NavName = 'list' | 'trash' | 'history' | 'settings'
type View = { name: NavName } | { name: 'detail'; id: string; action?: 'renew' } | { name: 'phone'; request: PhoneSessionRequest; back: View }

const NAV: { name: NavName; label: MessageKey }[] = [
  { name: 'list', label: 'nav.list' },
  { name: 'trash', label: 'nav.trash' },
  { name: 'history', label: 'nav.history' },
  { name: 'settings', label: 'nav.settings' },
]

export function App() {
  const [lang, setLang] = useState<Language>('ko')
  useEffect(() => {
    // The saved language wins over the default; a failure keeps Korean.
    call('getSettings', {}).then(
      (s) => setLang(s.language),
      () => {},
    )
  }, [])
  return (
    <I18nProvider lang={lang}>
      <ToastProvider>
        <OperationsProvider>
          <Shell onLanguage={setLang} />
        </OperationsProvider>
      </ToastProvider>
    </I18nProvider>
  )
}

function Shell({ onLanguage }: { onLanguage: (l: Language) => void }) {
  const { t, lang } = useI18n()
  const toasts = useToasts()
  const [view, setView] = useState<View>({ name: 'list' })
  const { started } = useOperations()
  const [issuing, setIssuing] = useState(false)
  const [importing, setImporting] = useState<{ file: DroppedFile | null } | null>(null)

  useDojangEvent((e) => {
    if (e.type === 'expiryReminder') {
      const id = e.certificateId
      toasts.show({ text: t('reminder.text', { name: e.name, n: e.daysLeft }), kind: 'info', timeout: 15_000, action: { label: t('reminder.renew'), run: () => setView({ name: 'detail', id, action: 'renew' }) } })
    }
  })

  const rescan = useCallback(async () => {
    try {
      const { operationId } = await call('startScan', {})
      started(operationId, 'scan')
    } catch (e) {
      toasts.show({ text: errorText(e, t), kind: 'error' })
    }
  }, [started, t, toasts])

  // A .pfx dropped anywhere (outside an open dialog) starts an import with its bytes.
  useEffect(() => {
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault()
    }
    const drop = async (e: DragEvent) => {
      if (!hasFiles(e)) return
      e.preventDefault()
      if (document.querySelector('dialog[open]')) return
      const f = e.dataTransfer?.files[0]
      if (!f) return
      const r = await readDroppedPfx(f)
      if (typeof r === 'string') toasts.show({ text: t(r), kind: 'error' })
      else setImporting({ file: r })
    }
    document.addEventListener('dragover', over)
    document.addEventListener('drop', drop)
    return () => {
      document.removeEventListener('dragover', over)
      document.removeEventListener('drop', drop)
    }
  }, [t, toasts])

  const switchLanguage = async () => {
    const next: Language = lang === 'ko' ? 'en' : 'ko'
    onLanguage(next)
    try {
      await call('setSettings', { language: next })
    } catch (e) {
      toasts.show({ text: errorText(e, t), kind: 'error' })
    }
  }

  const current: NavName = view.name === 'detail' || view.name === 'phone' ? 'list' : view.name
  const openDetail = useCallback((id: string) => setView({ name: 'detail', id }), [])
  const openImport = useCallback(() => setImporting({ file: null }), [])
  // 휴대폰으로 복사 (from the detail screen or the list's selection) and 휴대폰에서 가져오기.
  const openPhone = useCallback((request: PhoneSessionRequest) => setView((back) => ({ name: 'phone', request, back: back.name === 'phone' ? back.back : back })), [])

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <nav className="nav" aria-label={t('nav.label')}>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            도
          </span>
          <span className="brand-name">{t('app.name')}</span>
        </div>
        <ul>
          {NAV.map((n) => (
            <li key={n.name}>
              <button
                type="button"
                className={current === n.name ? 'nav-item nav-active' : 'nav-item'}
                aria-current={current === n.name ? 'page' : undefined}
                onClick={() => setView({ name: n.name })}
                data-nav={n.name}
              >
                {t(n.label)}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="nav-item" onClick={() => setIssuing(true)} data-action="open-issue">
          {t('nav.issue')}
        </button>
        <button type="button" className="nav-lang" onClick={() => void switchLanguage()} data-action="switch-language" lang={lang === 'ko' ? 'en' : 'ko'}>
          {lang === 'ko' ? 'English' : '한국어'}
        </button>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <CertificateList visible={view.name === 'list'} onOpen={openDetail} onImport={openImport} onRescan={() => void rescan()} onPhone={openPhone} />
        {view.name === 'detail' && (
          <CertificateDetail key={`${view.id}:${view.action ?? ''}`} id={view.id} initialAction={view.action} onBack={() => setView({ name: 'list' })} onPhone={openPhone} />
        )}
        {view.name === 'phone' && <PhoneSession key={JSON.stringify(view.request)} request={view.request} onClose={() => setView(view.back)} />}
        {view.name === 'trash' && <Trash />}
        {view.name === 'history' && <History />}
        {view.name === 'settings' && <Settings onLanguage={onLanguage} />}
      </main>
      {issuing && <IssueDialog onClose={() => setIssuing(false)} />}
      {importing && <ImportDialog initial={importing.file} onClose={() => setImporting(null)} />}
    </div>
  )
}
