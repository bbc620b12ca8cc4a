/**
 * Every long operation main reports (scan, password change of several copies, later issue/renew/revoke/share/
 * receive), kept by id from the `operation` events, so any screen can show one with <OperationBar>. The state lives
 * above the screens: a scan started on the list is still known when the list is shown again.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import type { OperationKind, OperationView } from '../../../common/contract'
import { call, errorText } from '../api'
import { useToasts } from '../components/Toasts'
import { useI18n } from '../i18n'
import { useDojangEvent } from './events'

/** Finished operations kept for their final state; older ones are dropped. */
const KEEP = 20

export interface Operations {
  /** The latest operation of `kind`, optionally only those newer than the id `after` (one started from here). */
  latest(kind: OperationKind, after?: number): OperationView | null
  /** The highest operation id seen so far (0 before any): remember it before starting, pass it to `latest`. */
  lastId: number
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
  const [ops, setOps] = useState<ReadonlyMap<number, OperationView>>(() => new Map())

  const put = useCallback((op: OperationView, onlyIfNew: boolean) => {
    setOps((m) => {
      if (onlyIfNew && m.has(op.id)) return m
      const next = new Map(m).set(op.id, op)
      if (next.size > KEEP) {
        const done = [...next.values()].filter((o) => o.state !== 'running').sort((a, b) => a.id - b.id)
        for (const o of done.slice(0, next.size - KEEP)) next.delete(o.id)
      }
      return next
    })
  }, [])

  useDojangEvent((e) => {
    if (e.type === 'operation') put(e.operation, false)
  })

  const value = useMemo<Operations>(() => {
    let lastId = 0
    for (const id of ops.keys()) lastId = Math.max(lastId, id)
    return {
      lastId,
      latest(kind, after = 0) {
        let found: OperationView | null = null
        for (const op of ops.values()) if (op.kind === kind && op.id > after && (!found || op.id > found.id)) found = op
        return found
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
