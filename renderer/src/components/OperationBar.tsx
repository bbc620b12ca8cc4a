/**
 * One way to show long work, whatever it is: what it is doing now (the step, translated from `op.<kind>.<step>`,
 * with the operation's counts), a progress bar (determinate when main knows done/total), a cancel button, and at
 * the end how it ended (finished, failed with the reason, cancelled).
 */
import type { OperationKind, OperationView } from '../../../common/contract'
import { errorViewText } from '../api'
import { useOperations } from '../app/useOperations'
import { isMessageKey, useI18n, type MessageKey, type Params, type Translate } from '../i18n'

/** What each kind of operation is, for the progress bar's name; a new kind fails the typecheck until named. */
const TITLES: Record<OperationKind, MessageKey> = {
  scan: 'op.scan',
  'change-password': 'op.change-password',
  issue: 'op.issue',
  renew: 'op.renew',
  revoke: 'op.revoke',
  share: 'op.share',
  receive: 'op.receive',
}

const GENERIC: Record<OperationView['state'], MessageKey> = {
  running: 'op.running',
  finished: 'op.finished',
  failed: 'op.failed',
  cancelled: 'op.cancelled',
}

/** The sentence for the operation's current state; its counts (detail, done, total) are the parameters. */
export function operationText(op: OperationView, t: Translate): string {
  const params: Params = {}
  for (const [k, v] of Object.entries(op.detail)) if (typeof v !== 'boolean') params[k] = v
  if (op.done !== undefined) params.done = op.done
  if (op.total !== undefined) params.total = op.total
  const specific = op.state === 'running' ? `op.${op.kind}.${op.step}` : `op.${op.kind}.${op.state}`
  const text = t(isMessageKey(specific) ? specific : GENERIC[op.state], params)
  return op.state === 'failed' && op.error ? `${text} ${errorViewText(op.error, t)}` : text
}

interface Props {
  operation: OperationView | null
  /** Whether to offer 취소 while it runs (only for work main can stop part-way). Default true. */
  cancellable?: boolean
}

export function OperationBar({ operation: op, cancellable = true }: Props) {
  const { t } = useI18n()
  const { cancel } = useOperations()
  if (!op) return null
  const running = op.state === 'running'
  const determinate = op.total !== undefined && op.total > 0 && op.done !== undefined
  return (
    <div className={`op-bar op-${op.state}`} role="status" data-op={op.kind} data-op-state={running ? 'running' : 'done'} data-outcome={op.state}>
      {running &&
        (determinate ? (
          <progress aria-label={t(TITLES[op.kind])} value={op.done} max={op.total} />
        ) : (
          <progress aria-label={t(TITLES[op.kind])} />
        ))}
      <span className="op-text">{operationText(op, t)}</span>
      {running && determinate && (
        <span className="op-count" aria-hidden="true">
          {op.done}/{op.total}
        </span>
      )}
      {running && cancellable && (
        <button type="button" className="btn btn-small btn-ghost" onClick={() => void cancel(op.id)} data-action="cancel-operation">
          {t('common.cancel')}
        </button>
      )}
    </div>
  )
}
