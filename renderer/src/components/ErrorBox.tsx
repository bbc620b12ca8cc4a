import { errorText, type ErrorOverrides } from '../api'
import { useI18n } from '../i18n'

/** An error sentence announced at once (role=alert) where the failed action was started. */
export function ErrorBox({ error, overrides }: { error: unknown; overrides?: ErrorOverrides }) {
  const { t } = useI18n()
  if (error === null || error === undefined) return null
  return (
    <p className="error-box" role="alert">
      {typeof error === 'string' ? error : errorText(error, t, overrides)}
    </p>
  )
}
