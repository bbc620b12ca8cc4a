/**
 * Requests for an IPC method generated from its zod schema (common/contract.ts): one valid sample, and malformed
 * variants of it, each naming the field it breaks. A new method or field is covered without editing the tests.
 * Every string the variants put in carries SENTINEL so that a test can prove errors never echo values.
 */
import type { z } from 'zod'

export const SENTINEL = 'SENTINEL-VALUE-5281'

// Zod 4 keeps a schema's definition on `_zod.def`; only the parts the contract uses are read here.
interface Def {
  type: string
  shape?: Record<string, Schema>
  element?: Schema
  innerType?: Schema
  entries?: Record<string, string>
  checks?: Array<{ _zod: { def: { check: string; minimum?: number; maximum?: number; value?: number } } }>
}
type Schema = z.ZodType & { _zod: { def: Def }; minLength?: number | null; maxLength?: number | null; minValue?: number | null }

const defOf = (s: z.ZodType): Def => (s as Schema)._zod.def
const unwrap = (s: Schema): { schema: Schema; optional: boolean } =>
  defOf(s).type === 'optional' ? { schema: defOf(s).innerType!, optional: true } : { schema: s, optional: false }

function limit(s: Schema, check: 'min_length' | 'max_length'): number | undefined {
  const c = defOf(s).checks?.find((k) => k._zod.def.check === check)?._zod.def
  return check === 'min_length' ? c?.minimum : c?.maximum
}

/** A value the schema accepts. */
export function validSample(s: Schema): unknown {
  const d = defOf(s)
  switch (d.type) {
    case 'optional':
      return validSample(d.innerType!)
    case 'string':
      return 'a'.repeat(Math.max(1, s.minLength ?? 1, Math.min(10, s.maxLength ?? 10)))
    case 'number':
      return Math.max(0, s.minValue ?? 0)
    case 'boolean':
      return true
    case 'enum':
      return Object.values(d.entries!)[0]
    case 'custom':
      return new Uint8Array(4) // the one custom schema of the contract: PFX bytes
    case 'literal':
      return (d as unknown as { values: unknown[] }).values[0] // e.g. deleteTokenCopy's permanent: true
    case 'array':
      return Array.from({ length: Math.max(1, limit(s, 'min_length') ?? 1) }, () => validSample(d.element!))
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(d.shape!)) if (!unwrap(v).optional) out[k] = validSample(v)
      return out
    }
    default:
      throw new Error(`payloads: no sample for zod type ${d.type}; teach test/security/helpers/payloads.ts`)
  }
}

/** A value of another type than the schema's. */
function wrongType(s: Schema): unknown {
  switch (defOf(s).type) {
    case 'string':
    case 'enum':
      return 4096
    case 'number':
      return `${SENTINEL}-7`
    case 'boolean':
    case 'literal':
      return `${SENTINEL}-yes`
    case 'array':
      return { 0: SENTINEL }
    case 'custom':
      return [SENTINEL]
    default:
      return `${SENTINEL}-not-an-object`
  }
}

export interface Malformed {
  /** What was broken, for the test's name. */
  what: string
  /** The field the error must name ("to.root", "locations.0"); '' for the request itself. */
  field: string
  payload: unknown
}

function setAt(root: unknown, pathParts: Array<string | number>, value: unknown, remove = false): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>
  let node = copy
  for (const p of pathParts.slice(0, -1)) node = node[p] as Record<string | number, unknown>
  const last = pathParts[pathParts.length - 1]!
  if (remove) delete node[last]
  else node[last] = value
  return copy
}

/** Malformed variants of a valid request: wrong types, missing fields, extra fields, oversized strings and arrays. */
export function malformedPayloads(schema: z.ZodType): Malformed[] {
  const base = validSample(schema as Schema)
  const out: Malformed[] = [
    { what: 'not an object', field: '', payload: `${SENTINEL}-request` },
    { what: 'an array', field: '', payload: [SENTINEL] },
  ]
  const walk = (s: Schema, at: Array<string | number>, present: boolean): void => {
    const { schema: inner, optional } = unwrap(s)
    const d = defOf(inner)
    const name = at.join('.')
    if (at.length > 0) {
      out.push({ what: `${name}: wrong type`, field: name, payload: setAt(base, at, wrongType(inner)) })
      if (!optional && present) out.push({ what: `${name}: missing`, field: name, payload: setAt(base, at, undefined, true) })
    }
    if (d.type === 'string' && inner.maxLength != null) {
      out.push({ what: `${name}: ${inner.maxLength + 1} characters`, field: name, payload: setAt(base, at, SENTINEL.padEnd(inner.maxLength + 1, 'x')) })
    }
    if (d.type === 'string' && (inner.minLength ?? 0) > 0) out.push({ what: `${name}: empty`, field: name, payload: setAt(base, at, '') })
    if (d.type === 'array') {
      const max = limit(inner, 'max_length')
      if (max !== undefined) out.push({ what: `${name}: ${max + 1} items`, field: name, payload: setAt(base, at, Array.from({ length: max + 1 }, () => validSample(d.element!))) })
      if (present) walk(d.element!, [...at, 0], true)
    }
    if (d.type === 'object') {
      // Optional objects are filled in first so that their fields are reached.
      const filled = present ? base : setAt(base, at, validSample(inner))
      const extraAt = [...at, 'smuggled']
      out.push({ what: `${name || 'request'}: extra field`, field: extraAt.join('.'), payload: setAt(filled, extraAt, SENTINEL) })
      if (present) for (const [k, v] of Object.entries(d.shape!)) walk(v, [...at, k], !unwrap(v).optional)
    }
  }
  walk(schema as Schema, [], true)
  return out
}
