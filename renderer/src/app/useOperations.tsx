/**
 * Every long operation main reports (scan, password change of several copies, later issue/renew/revoke/share/
 * receive), kept by id from the `operation` events, so any screen can show one with <OperationBar>. The state lives
 * above the screens: a scan started on the list is still known when the list is shown again.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react'
import type { OperationKind, OperationView } from '../../../common/contract'
import { call, errorText } from '../api'
import { useToasts } from '../components/Toasts'
import { useI18n } from '../i18n'
import { useDojangEvent } from './events'

/** Finished operations kept for their final state; older ones are dropped. */
const KEEP = 20

export interface Operations {
  /**
   * The operation of `kind` that appeared last, optionally only among those that appeared after `since` (a value of
   * `mark` taken before starting one from here).
   */
  latest(kind: OperationKind, since?: number): OperationView | null
  /** How many operations have appeared so far. */
  mark: number
  /**
   * Records an operation main has started (its id came back from a call) in case its first event is still on the
   * way, so the bar appears at once.
   */
  started(id: number, kind: OperationKind): void
  /** Asks main to stop the operation; a refusal is shown as a toast. */
  cancel(id: number): Promise<void>
}

const OperationsContext = createContext<Operations | null>(null)

export function OperationsProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n()
  const toasts = useToasts()
  // By id, each with the order in which it first appeared (ids are main's; the order is what this page saw).
  const [ops, setOps] = useState<ReadonlyMap<number, { op: OperationView; seq: number }>>(() => new Map())
  const seq = useRef(0)

  const put = useCallback((op: OperationView, onlyIfNew: boolean) => {
    setOps((m) => {
      const known = m.get(op.id)
      if (known && onlyIfNew) return m
      const next = new Map(m).set(op.id, { op, seq: known?.seq ?? ++seq.current })
      if (next.size > KEEP) {
        const done = [...next.values()].filter((o) => o.op.state !== 'running').sort((a, b) => a.seq - b.seq)
        for (const o of done.slice(0, next.size - KEEP)) next.delete(o.op.id)
      }
      return next
    })
  }, [])

  useDojangEvent((e) => {
    if (e.type === 'operation') put(e.operation, false)
  })

  const value = useMemo<Operations>(() => {
    let mark = 0
    for (const o of ops.values()) mark = Math.max(mark, o.seq)
    return {
      mark,
      latest(kind, since = 0) {
        let found: { op: OperationView; seq: number } | null = null
        for (const o of ops.values()) if (o.op.kind === kind && o.seq > since && (!found || o.seq > found.seq)) found = o
        return found?.op ?? null
      },
      started: (id, kind) => put({ id, kind, state: 'running', step: 'start', detail: {} }, true),
      async cancel(id) {
        try {
          await call('cancelOperation', { operationId: id })
        } catch (e) {
          toasts.show({ text: errorText(e, t), kind: 'error' })
        }
      },
    }
  }, [ops, put, t, toasts])

  return <OperationsContext.Provider value={value}>{children}</OperationsContext.Provider>
}

export function useOperations(): Operations {
  const ops = useContext(OperationsContext)
  if (!ops) throw new Error('useOperations needs an <OperationsProvider> above it')
  return ops
}
