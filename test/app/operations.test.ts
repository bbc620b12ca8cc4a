import { describe, expect, it } from 'vitest'
import type { OperationView } from '../../common/contract'
import { DojangError } from '../../common/errors'
import { OperationRunner } from '../../main/core/app/operations'

function recorder() {
  const events: OperationView[] = []
  return { events, runner: new OperationRunner((op) => events.push(op)) }
}

describe('OperationRunner', () => {
  it('reports start, progress and the finished state of one operation under one id', async () => {
    const { events, runner } = recorder()
    const op = runner.start('change-password', async (ctx) => {
      ctx.progress?.({ step: 'copy', done: 0, total: 2 })
      ctx.progress?.({ step: 'copy', done: 1, total: 2, detail: { location: 'a' } })
      return 42
    })
    expect(await op.done).toBe(42)
    expect(events.every((e) => e.id === op.id && e.kind === 'change-password')).toBe(true)
    expect(events.map((e) => e.state)).toEqual(['running', 'running', 'running', 'finished'])
    expect(events[2]).toMatchObject({ step: 'copy', done: 1, total: 2, detail: { location: 'a' } })
    expect(events.at(-1)).toMatchObject({ step: 'copy', done: 1, total: 2 })
    expect(runner.isRunning(op.id)).toBe(false)
  })

  it('cancels by id through the signal; a finished or unknown id is not cancellable', async () => {
    const { events, runner } = recorder()
    const op = runner.start('scan', (ctx) => new Promise<never>((_, reject) => ctx.signal?.addEventListener('abort', () => reject(new DojangError('CANCELLED', 'stop')))))
    expect(runner.cancel(op.id)).toBe(true)
    await expect(op.done).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(events.at(-1)?.state).toBe('cancelled')
    expect(events.at(-1)?.error).toBeUndefined()
    expect(runner.cancel(op.id)).toBe(false)
    expect(runner.cancel(9999)).toBe(false)
  })

  it('a failure is reported with its typed error and rejects the caller', async () => {
    const { events, runner } = recorder()
    await expect(runner.run('issue', async () => Promise.reject(new DojangError('CA_REJECTED', 'no')))).rejects.toMatchObject({ code: 'CA_REJECTED' })
    expect(events.at(-1)).toMatchObject({ state: 'failed', error: { code: 'CA_REJECTED', message: 'no' } })
  })

  it('an unexpected error reaches the renderer as INTERNAL without its message', async () => {
    const { events, runner } = recorder()
    await expect(runner.run('scan', async () => Promise.reject(new Error('/secret/path')))).rejects.toThrow('/secret/path')
    expect(events.at(-1)?.error).toEqual({ code: 'INTERNAL', message: 'Something went wrong inside Dojang', details: {} })
  })

  it('with replace, a new operation of the same kind cancels the running one', async () => {
    const { runner } = recorder()
    const first = runner.start('scan', (ctx) => new Promise<never>((_, reject) => ctx.signal?.addEventListener('abort', () => reject(new DojangError('CANCELLED', 'x')))))
    const second = runner.start('scan', async () => 'ok', { replace: true })
    await expect(first.done).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(await second.done).toBe('ok')
    expect(second.id).not.toBe(first.id)
  })
})
