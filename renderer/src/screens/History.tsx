/** 기록: Dojang's audit log of operations (what, when, where, outcome). It never holds secrets, so it is all shown. */
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { AuditEntryView, CertificateView } from '../../../common/contract'
import { ERROR_CODES, type ErrorCode } from '../../../common/errors'
import { call } from '../api'
import { useDojangEvent } from '../app/events'
import { ErrorBox } from '../components/ErrorBox'
import { useI18n, type MessageKey } from '../i18n'

const ACTION_KEYS: Record<string, MessageKey> = {
  'check-password': 'audit.check-password',
  'verify-vid': 'audit.verify-vid',
  'change-password': 'audit.change-password',
  delete: 'audit.delete',
  wipe: 'audit.wipe',
  restore: 'audit.restore',
  copy: 'audit.copy',
  move: 'audit.move',
  import: 'audit.import',
  export: 'audit.export',
  issue: 'audit.issue',
  renew: 'audit.renew',
  revoke: 'audit.revoke',
  'transfer-out': 'audit.transfer-out',
  'transfer-in': 'audit.transfer-in',
}

const isErrorCode = (s: string): s is ErrorCode => (ERROR_CODES as readonly string[]).includes(s)

export function History() {
  const { t, dateTime } = useI18n()
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null)
  const [certs, setCerts] = useState<CertificateView[]>([])
  const [error, setError] = useState<unknown>(null)

  const load = useCallback(async () => {
    try {
      const [log, list] = await Promise.all([call('auditLog', { limit: 500 }), call('listCertificates', {})])
      setEntries(log)
      setCerts(list)
      setError(null)
    } catch (e) {
      setError(e)
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])
  useDojangEvent((e) => {
    if (e.type === 'inventoryChanged' || (e.type === 'operation' && e.operation.state !== 'running')) void load()
  })

  // The log names certificates by id; show the person's name when the certificate is still known.
  const names = useMemo(() => new Map(certs.map((c) => [c.id, c.name])), [certs])

  return (
    <section className="screen screen-history" aria-labelledby="history-title" data-screen="history">
      <header className="screen-header">
        <h1 id="history-title">{t('history.title')}</h1>
        <button type="button" className="btn" onClick={() => void load()}>
          {t('history.refresh')}
        </button>
      </header>
      <p className="subtle">{t('history.intro')}</p>
      <ErrorBox error={error} />
      {entries?.length === 0 && (
        <div className="empty" data-empty="history">
          <p>{t('history.empty')}</p>
        </div>
      )}
      {entries && entries.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('history.col.at')}</th>
              <th scope="col">{t('history.col.action')}</th>
              <th scope="col">{t('history.col.target')}</th>
              <th scope="col">{t('history.col.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-audit-action={e.action} data-outcome={e.outcome}>
                <td className="nowrap">{dateTime(e.at)}</td>
                <td className="nowrap">{ACTION_KEYS[e.action] ? t(ACTION_KEYS[e.action]!) : e.action}</td>
                <td>
                  {e.certificateId && <HolderName name={e.name ?? names.get(e.certificateId) ?? null} />}
                  {e.locations.map((l) => (
                    <code key={l} className="path">
                      {l}
                    </code>
                  ))}
                </td>
                <td className="nowrap">
                  {e.outcome === 'ok' ? (
                    <span className="outcome-ok">{t('history.ok')}</span>
                  ) : (
                    <span className="outcome-fail" data-code={e.outcome}>
                      {isErrorCode(e.outcome) ? t(`errorShort.${e.outcome}`) : e.outcome}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** A holder's name is data (not translated); a certificate no longer known gets a sentence instead. */
function HolderName({ name }: { name: string | null }) {
  const { t } = useI18n()
  return name ? <div translate="no">{name}</div> : <div>{t('history.unknownCert')}</div>
}
