/** 휴지통: copies deleted through Dojang, restorable to where they were. A copy back in place asks before replacing. */
import { useCallback, useEffect, useState } from 'react'
import type { TrashEntryView } from '../../../common/contract'
import { call, isApiError } from '../api'
import { useDojangEvent } from '../app/events'
import { ErrorBox } from '../components/ErrorBox'
import { MediumTag } from '../components/Icons'
import { useToasts } from '../components/Toasts'
import { issuerName } from '../../../common/format'
import { useI18n } from '../i18n'

export function Trash() {
  const { t, lang, dateTime } = useI18n()
  const toasts = useToasts()
  const [entries, setEntries] = useState<TrashEntryView[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [conflictId, setConflictId] = useState<string | null>(null)
  const [confirmEmpty, setConfirmEmpty] = useState(false)

  const load = useCallback(async () => {
    try {
      setEntries(await call('listTrash', {}))
      setError(null)
    } catch (e) {
      setError(e)
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])
  useDojangEvent((e) => {
    if (e.type === 'inventoryChanged') void load()
  })

  const restore = async (entry: TrashEntryView, overwrite: boolean) => {
    setBusy(entry.id)
    setError(null)
    try {
      await call('restoreFromTrash', { id: entry.id, overwrite })
      setConflictId(null)
      toasts.show({ text: t('trash.restored', { name: entry.name }), kind: 'success' })
      await load()
    } catch (e) {
      if (isApiError(e, 'CONFLICT') && !overwrite) setConflictId(entry.id)
      else setError(e)
    } finally {
      setBusy(null)
    }
  }

  // Two steps, because an emptied trash cannot come back.
  const emptyAll = async () => {
    if (!confirmEmpty) return setConfirmEmpty(true)
    setConfirmEmpty(false)
    setError(null)
    try {
      const r = await call('emptyTrash', {})
      toasts.show({ text: t('trash.emptied', { n: r.removed }), kind: 'success' })
      await load()
    } catch (e) {
      setError(e)
    }
  }

  return (
    <section className="screen screen-trash" aria-labelledby="trash-title" data-screen="trash">
      <header className="screen-header">
        <h1 id="trash-title">{t('trash.title')}</h1>
        {entries && entries.length > 0 && (
          <button type="button" className={confirmEmpty ? 'btn btn-danger' : 'btn'} onClick={() => void emptyAll()} data-action="empty-trash">
            {confirmEmpty ? t('trash.emptyConfirm') : t('trash.emptyAll')}
          </button>
        )}
      </header>
      <p className="subtle">{t('trash.intro')}</p>
      <ErrorBox error={error} />
      {entries?.length === 0 && (
        <div className="empty" data-empty="trash">
          <p>{t('trash.empty')}</p>
        </div>
      )}
      {entries && entries.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('list.col.name')}</th>
              <th scope="col">{t('trash.col.from')}</th>
              <th scope="col">{t('trash.col.deletedAt')}</th>
              <th scope="col">
                <span className="sr-only">{t('detail.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-trash-id={e.id} data-name={e.name}>
                <td>
                  <strong translate="no">{e.name}</strong>
                  <div className="subtle" translate="no">
                    {issuerName(e, lang)}
                  </div>
                </td>
                <td>
                  <MediumTag medium={e.medium} />
                  <code className="path">{e.location}</code>
                </td>
                <td>{dateTime(e.deletedAt)}</td>
                <td className="cell-actions">
                  {conflictId === e.id ? (
                    <div className="conflict" role="alert">
                      <p>{t('trash.conflict')}</p>
                      <button type="button" className="btn btn-danger btn-small" disabled={busy !== null} onClick={() => void restore(e, true)} data-action="overwrite">
                        {t('copyDialog.overwrite')}
                      </button>
                    </div>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy !== null}
                      onClick={() => void restore(e, false)}
                      aria-label={t('trash.restoreLabel', { name: e.name })}
                      data-action="restore"
                    >
                      {busy === e.id ? t('common.working') : t('trash.restore')}
                    </button>
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
