/**
 * Short messages at the bottom of the window, announced politely to screen readers. A toast may carry one action
 * (실행 취소 after a delete); it stays longer then, and stays while focused so keyboard users can reach it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { useI18n } from '../i18n'

export interface ToastInput {
  text: string
  kind?: 'info' | 'success' | 'error'
  action?: { label: string; run: () => void | Promise<void> }
  /** Milliseconds; default 6 s, 12 s with an action. */
  timeout?: number
}

interface Toast extends ToastInput {
  id: number
}

interface ToastApi {
  show(t: ToastInput): number
  dismiss(id: number): void
}

const ToastContext = createContext<ToastApi>({ show: () => 0, dismiss: () => {} })

export function useToasts(): ToastApi {
  return useContext(ToastContext)
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([])
  const next = useRef(1)
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), [])
  const show = useCallback((t: ToastInput) => {
    const id = next.current++
    setToasts((ts) => [...ts.slice(-3), { ...t, id }])
    return id
  }, [])
  const api = useMemo(() => ({ show, dismiss }), [show, dismiss])
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} dismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  )
}

function ToastItem({ toast, dismiss }: { toast: Toast; dismiss: (id: number) => void }) {
  const { t } = useI18n()
  // Stable, so a new toast arriving does not restart the timers of the ones already shown.
  const onDone = useCallback(() => dismiss(toast.id), [dismiss, toast.id])
  const [hold, setHold] = useState(false)
  const [running, setRunning] = useState(false)
  const timeout = toast.timeout ?? (toast.action ? 12_000 : 6_000)
  useEffect(() => {
    if (hold) return
    const timer = window.setTimeout(onDone, timeout)
    return () => window.clearTimeout(timer)
  }, [hold, timeout, onDone])
  return (
    <div className={`toast toast-${toast.kind ?? 'info'}`} data-toast onFocus={() => setHold(true)} onBlur={() => setHold(false)}>
      <span className="toast-text">{toast.text}</span>
      {toast.action && (
        <button
          type="button"
          className="btn btn-small"
          disabled={running}
          onClick={async () => {
            setRunning(true)
            try {
              await toast.action?.run()
            } finally {
              onDone()
            }
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button type="button" className="btn-icon" aria-label={t('common.close')} onClick={onDone}>
        ×
      </button>
    </div>
  )
}
