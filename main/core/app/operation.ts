/**
 * What long work (a scan, a password change of many copies, CMP issuance, a QR session) receives from whoever
 * started it: a signal to stop and a place to report progress. The operation runner turns the reports into
 * `operation` events for the renderer and progress lines for the CLI; core code only sees this interface.
 */
export interface OperationProgress {
  /** A stable step id the front ends translate (e.g. 'generate-key', 'contact-ca', 'walk', 'waiting-for-phone'). */
  step: string
  /** Units done and the total when known (folders, copies, bytes). */
  done?: number
  total?: number
  /** Non-secret facts to show with the step (a count, a confirmation code, a peer's address). */
  detail?: Record<string, string | number | boolean>
}

export interface OperationContext {
  signal?: AbortSignal
  progress?(p: OperationProgress): void
}
