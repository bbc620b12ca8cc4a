import { describe, expect, it } from 'vitest'
import { DojangError } from '../../common/errors'
import { mapFsError } from '../../main/core/fsx'
import { errnoError } from './helpers/util'

describe('mapFsError', () => {
  const cases: Array<[string, string]> = [
    ['EACCES', 'PERMISSION_DENIED'],
    ['EPERM', 'PERMISSION_DENIED'],
    ['EROFS', 'PERMISSION_DENIED'],
    ['ENOSPC', 'DISK_FULL'],
    ['EDQUOT', 'DISK_FULL'],
    ['ENOENT', 'NOT_FOUND'],
    ['EEXIST', 'CONFLICT'],
    ['EIO', 'IO_ERROR'],
    ['EBUSY', 'IO_ERROR'],
    ['EMFILE', 'IO_ERROR'],
  ]

  it.each(cases)('maps %s to %s with path, errno and advice', (errno, code) => {
    const raw = errnoError(errno)
    const err = mapFsError(raw, '/home/u/NPKI/yessign/USER/cn=x/signPri.key', 'write signPri.key')
    expect(err).toBeInstanceOf(DojangError)
    expect(err.code).toBe(code)
    expect(err.details).toMatchObject({ path: '/home/u/NPKI/yessign/USER/cn=x/signPri.key', errno, action: 'write signPri.key' })
    expect(err.message).toMatch(/^Could not write signPri\.key: .+\. .+/)
    expect(err.cause).toBe(raw)
  })

  it('words each class so that a person knows what to do next', () => {
    expect(mapFsError(errnoError('ENOSPC'), '/x/a', 'save a').message).toMatch(/disk is full.*Free some space/)
    expect(mapFsError(errnoError('EROFS'), '/x/a', 'save a').message).toMatch(/read-only/)
    expect(mapFsError(errnoError('EACCES'), '/x/a', 'save a').message).toMatch(/permission denied/)
    expect(mapFsError(errnoError('ENOENT'), '/x/a', 'read a').message).toMatch(/does not exist.*drive is connected/)
    expect(mapFsError(errnoError('EBUSY'), '/x/a', 'save a').message).toMatch(/in use by another program/)
  })

  it('names the file when the action does not', () => {
    expect(mapFsError(errnoError('EACCES'), '/n/cn=abc', 'read the certificate folder').message).toMatch(/^Could not read the certificate folder \(cn=abc\): permission denied/)
  })

  it('passes a DojangError through untouched', () => {
    const original = new DojangError('WRONG_PASSWORD', 'nope', { file: 'signPri.key' })
    expect(mapFsError(original, '/x', 'read')).toBe(original)
  })

  it('maps a value without errno to IO_ERROR and records no errno', () => {
    const err = mapFsError(new Error('weird'), '/x/y', 'read y')
    expect(err.code).toBe('IO_ERROR')
    expect(err.details).not.toHaveProperty('errno')
    expect(mapFsError('a string', '/x/y', 'read y').code).toBe('IO_ERROR')
  })
})
