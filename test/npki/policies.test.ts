import { describe, expect, it } from 'vitest'
import {
  POLICY_TABLE,
  caFromOrganization,
  classifyPolicies,
  lookupPolicy,
  policyArc,
  type OwnerType,
  type PolicyCategory,
} from '../../main/core/npki/policies'

/**
 * Every row of npki-format.md §12.1–12.8, typed in here independently of the implementation's table (ranges such
 * as ".7 – .12" expanded) so that a row dropped from policies.ts fails this test.
 * [oid, ca, ownerType, category]
 */
const ROWS: [string, string, OwnerType, PolicyCategory][] = [
  // 12.1 yessign
  ['1.2.410.200005.1.1.1', 'yessign', 'personal', 'general'],
  ['1.2.410.200005.1.1.1.1', 'yessign', 'personal', 'general'],
  ['1.2.410.200005.1.1.1.10', 'yessign', 'personal', 'cloud'],
  ['1.2.410.200005.1.1.2', 'yessign', 'corporate', 'restricted'],
  ['1.2.410.200005.1.1.2.1', 'yessign', 'corporate', 'restricted'],
  ['1.2.410.200005.1.1.4', 'yessign', 'personal', 'restricted'],
  ['1.2.410.200005.1.1.4.1', 'yessign', 'personal', 'restricted'],
  ['1.2.410.200005.1.1.4.8', 'yessign', 'personal', 'restricted'],
  ['1.2.410.200005.1.1.4.88', 'yessign', 'personal', 'restricted'],
  ['1.2.410.200005.1.1.5', 'yessign', 'corporate', 'general'],
  ['1.2.410.200005.1.1.5.1', 'yessign', 'corporate', 'general'],
  ['1.2.410.200005.1.1.6', 'yessign', 'unknown', 'restricted'],
  ['1.2.410.200005.1.1.6.1', 'yessign', 'corporate', 'restricted'],
  ['1.2.410.200005.1.1.6.2', 'yessign', 'personal', 'restricted'],
  ['1.2.410.200005.1.1.6.8', 'yessign', 'corporate', 'restricted'],
  ['1.2.410.200005.1.1.6.10', 'yessign', 'corporate', 'cloud'],
  ['1.2.410.200005.1.1.8.11', 'yessign', 'corporate', 'cloud'],
  ['1.2.410.200005.1.1.8.12', 'yessign', 'corporate', 'cloud'],
  ['1.2.410.200005.1.1.8.13', 'yessign', 'corporate', 'cloud'],
  // 12.2 KICA
  ['1.2.410.200004.5.2.1.1', 'KICA', 'corporate', 'general'],
  ['1.2.410.200004.5.2.1.2', 'KICA', 'personal', 'general'],
  ['1.2.410.200004.5.2.1.3', 'KICA', 'unknown', 'special'],
  ['1.2.410.200004.5.2.1.4', 'KICA', 'server', 'general'],
  ['1.2.410.200004.5.2.1.5', 'KICA', 'corporate', 'special'],
  ['1.2.410.200004.5.2.1.7.1', 'KICA', 'personal', 'restricted'],
  ['1.2.410.200004.5.2.1.7.2', 'KICA', 'personal', 'restricted'],
  ['1.2.410.200004.5.2.1.7.3', 'KICA', 'personal', 'restricted'],
  ['1.2.410.200004.5.2.1.5001', 'KICA', 'corporate', 'restricted'],
  ['1.2.410.200004.5.2.1.6.257', 'KICA', 'corporate', 'restricted'],
  ['1.2.410.200004.5.2.1.6.115', 'KICA', 'corporate', 'restricted'],
  ['1.2.410.200004.5.2.1.6.141', 'KICA', 'unknown', 'unknown'],
  // 12.3 SignKorea
  ['1.2.410.200004.5.1.1.1', 'SignKorea', 'personal', 'special'],
  ['1.2.410.200004.5.1.1.2', 'SignKorea', 'server', 'special'],
  ['1.2.410.200004.5.1.1.3', 'SignKorea', 'corporate', 'special'],
  ['1.2.410.200004.5.1.1.4', 'SignKorea', 'server', 'special'],
  ['1.2.410.200004.5.1.1.5', 'SignKorea', 'personal', 'general'],
  ['1.2.410.200004.5.1.1.6', 'SignKorea', 'server', 'general'],
  ['1.2.410.200004.5.1.1.7', 'SignKorea', 'corporate', 'general'],
  ['1.2.410.200004.5.1.1.8', 'SignKorea', 'server', 'general'],
  ['1.2.410.200004.5.1.1.9', 'SignKorea', 'personal', 'restricted'],
  ['1.2.410.200004.5.1.1.9.2', 'SignKorea', 'personal', 'restricted'],
  ['1.2.410.200004.5.1.1.10', 'SignKorea', 'server', 'unknown'],
  ['1.2.410.200004.5.1.1.11', 'SignKorea', 'personal', 'unknown'],
  ['1.2.410.200004.5.1.1.12', 'SignKorea', 'corporate', 'unknown'],
  ['1.2.410.200004.5.1.1.12.908', 'SignKorea', 'corporate', 'restricted'],
  ['1.2.410.200004.5.1.1.13', 'SignKorea', 'unknown', 'unknown'],
  // 12.4 CrossCert
  ['1.2.410.200004.5.4.1.1', 'CrossCert', 'personal', 'general'],
  ['1.2.410.200004.5.4.1.2', 'CrossCert', 'corporate', 'general'],
  ['1.2.410.200004.5.4.1.3', 'CrossCert', 'server', 'general'],
  ['1.2.410.200004.5.4.1.4', 'CrossCert', 'personal', 'special'],
  ['1.2.410.200004.5.4.1.5', 'CrossCert', 'corporate', 'special'],
  ['1.2.410.200004.5.4.1.101', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.102', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.103', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.104', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.105', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.106', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.107', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.108', 'CrossCert', 'personal', 'restricted'],
  ['1.2.410.200004.5.4.1.109', 'CrossCert', 'personal', 'restricted'],
  // 12.5 TradeSign
  ['1.2.410.200012.1.1.1', 'TradeSign', 'personal', 'general'],
  ['1.2.410.200012.1.1.2', 'TradeSign', 'personal', 'general'],
  ['1.2.410.200012.1.1.3', 'TradeSign', 'corporate', 'general'],
  ['1.2.410.200012.1.1.4', 'TradeSign', 'corporate', 'general'],
  ['1.2.410.200012.1.1.5', 'TradeSign', 'server', 'general'],
  ['1.2.410.200012.1.1.6', 'TradeSign', 'server', 'general'],
  ['1.2.410.200012.1.1.7', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.1.1.8', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.1.1.9', 'TradeSign', 'corporate', 'restricted'],
  ['1.2.410.200012.1.1.10', 'TradeSign', 'corporate', 'restricted'],
  ['1.2.410.200012.1.1.11', 'TradeSign', 'server', 'restricted'],
  ['1.2.410.200012.1.1.12', 'TradeSign', 'server', 'restricted'],
  ['1.2.410.200012.1.1.101', 'TradeSign', 'unknown', 'restricted'],
  ['1.2.410.200012.1.1.103', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.1.1.105', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.31', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.32', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.35', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.36', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.39', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.40', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.43', 'TradeSign', 'personal', 'restricted'],
  ['1.2.410.200012.11.44', 'TradeSign', 'personal', 'restricted'],
  // 12.6 NCASign
  ['1.2.410.200004.5.3.1.1', 'NCASign', 'organization', 'general'],
  ['1.2.410.200004.5.3.1.2', 'NCASign', 'corporate', 'general'],
  ['1.2.410.200004.5.3.1.3', 'NCASign', 'server', 'general'],
  ['1.2.410.200004.5.3.1.4', 'NCASign', 'personal', 'restricted'],
  ['1.2.410.200004.5.3.1.5', 'NCASign', 'organization', 'special'],
  ['1.2.410.200004.5.3.1.6', 'NCASign', 'corporate', 'special'],
  ['1.2.410.200004.5.3.1.7', 'NCASign', 'server', 'special'],
  ['1.2.410.200004.5.3.1.8', 'NCASign', 'personal', 'special'],
  ['1.2.410.200004.5.3.1.9', 'NCASign', 'personal', 'general'],
  // 12.7 INIPASS
  ['1.2.410.200004.5.5.1.1', 'INIPASS', 'unknown', 'general'],
  ['1.2.410.200004.5.5.1.2', 'INIPASS', 'corporate', 'general'],
  ['1.2.410.200004.5.5.1.4.2', 'INIPASS', 'corporate', 'restricted'],
  // 12.8 GPKI and the generic policy
  ['1.2.410.100001.2.1.1', 'GPKI', 'organization', 'gpki'],
  ['1.2.410.100001.2.1.2', 'GPKI', 'server', 'gpki'],
  ['1.2.410.100001.2.1.3', 'GPKI', 'organization', 'gpki'],
  ['1.2.410.100001.2.1.4', 'GPKI', 'organization', 'gpki'],
  ['1.2.410.100001.2.1.5', 'GPKI', 'organization', 'gpki'],
  ['1.2.410.100001.2.1.6', 'GPKI', 'organization', 'gpki'],
  ['1.2.410.100001.2.2.1', 'GPKI', 'personal', 'gpki'],
  ['1.2.410.100001.2.2.2', 'GPKI', 'personal', 'gpki'],
  ['1.2.410.200004.2.1', 'unknown', 'unknown', 'unknown'],
]

const CONFLICTS = [
  '1.2.410.200004.5.4.1.103',
  '1.2.410.200004.5.4.1.104',
  '1.2.410.200012.1.1.101',
  '1.2.410.200012.1.1.103',
  '1.2.410.200004.5.5.1.1',
]

describe('policy table', () => {
  it.each(ROWS)('%s resolves (%s, %s, %s)', (oid, ca, ownerType, category) => {
    const p = classifyPolicies([oid])
    expect(p).toMatchObject({ oid, ca, ownerType, category, known: true })
    expect(p.conflict).toBe(CONFLICTS.includes(oid))
    expect(p.purposeKo.length).toBeGreaterThan(0)
    expect(p.purposeEn.length).toBeGreaterThan(0)
    expect(lookupPolicy(oid)).toEqual(p)
  })

  it('has exactly the documented rows, each once', () => {
    const oids = POLICY_TABLE.map((p) => p.oid)
    expect(new Set(oids).size).toBe(oids.length)
    expect([...oids].sort()).toEqual(ROWS.map((r) => r[0]).sort())
  })

  it('uses the bank-screen labels', () => {
    expect(classifyPolicies(['1.2.410.200005.1.1.4'])).toMatchObject({
      category: 'restricted',
      purposeKo: '은행·신용카드·보험용',
      purposeEn: 'Banking, credit card and insurance',
    })
    for (const oid of ['1.2.410.200005.1.1.1', '1.2.410.200004.5.1.1.5', '1.2.410.200004.5.4.1.1']) {
      expect(classifyPolicies([oid])).toMatchObject({ purposeKo: '범용', purposeEn: 'General purpose (범용)' })
    }
  })

  it('labels conflicts neutrally, naming both readings', () => {
    const cc = classifyPolicies(['1.2.410.200004.5.4.1.103'])
    expect(cc.purposeKo).toContain('신용카드')
    expect(cc.purposeKo).toContain('보험')
    expect(cc.purposeEn).toMatch(/credit card.*insurance|insurance.*credit card/)
    const ini = classifyPolicies(['1.2.410.200004.5.5.1.1'])
    expect(ini.ownerType).toBe('unknown')
    expect(ini.purposeEn).toMatch(/personal or corporate/)
  })

  it('marks cloud financial certificates as not NPKI files', () => {
    for (const oid of ['1.2.410.200005.1.1.1.10', '1.2.410.200005.1.1.6.10', '1.2.410.200005.1.1.8.12']) {
      const p = classifyPolicies([oid])
      expect(p.category).toBe('cloud')
      expect(p.purposeKo).toContain('금융인증서')
      expect(p.note).toMatch(/not an NPKI file/)
    }
  })
})

describe('classifyPolicies', () => {
  it('skips the generic policy when a CA-specific one follows', () => {
    expect(classifyPolicies(['1.2.410.200004.2.1', '1.2.410.200012.1.1.3']).oid).toBe('1.2.410.200012.1.1.3')
  })

  it('falls back to the generic policy when it is alone', () => {
    expect(classifyPolicies(['1.2.410.200004.2.1'])).toMatchObject({ oid: '1.2.410.200004.2.1', known: true })
  })

  it('prefers the first known OID, even after an unknown one', () => {
    expect(classifyPolicies(['1.2.410.200005.1.1.99', '1.2.410.200004.5.4.1.1', '1.2.410.200005.1.1.4']).oid).toBe(
      '1.2.410.200004.5.4.1.1',
    )
  })

  it('names the CA for an unknown OID under a known arc', () => {
    expect(classifyPolicies(['1.2.410.200005.1.1.99'])).toEqual({
      oid: '1.2.410.200005.1.1.99',
      ca: 'yessign',
      ownerType: 'unknown',
      purposeKo: 'yessign (용도 미상: 1.2.410.200005.1.1.99)',
      purposeEn: 'yessign (purpose unknown: 1.2.410.200005.1.1.99)',
      category: 'unknown',
      conflict: false,
      known: false,
    })
    expect(classifyPolicies(['1.2.410.200012.5']).ca).toBe('TradeSign')
    expect(classifyPolicies(['1.2.410.200004.5.2.1.99']).ca).toBe('KICA')
    expect(classifyPolicies(['1.2.410.100001.3.1'])).toMatchObject({ ca: 'GPKI', category: 'gpki', known: false })
  })

  it('matches arcs on whole components only', () => {
    expect(policyArc('1.2.410.2000051.1')).toBeUndefined()
    expect(policyArc('1.2.410.200005.1.1')).toBeUndefined() // the arc itself is not under the arc
    expect(classifyPolicies(['1.2.410.2000120.1'])).toMatchObject({ ca: 'unknown', known: false })
  })

  it('reports foreign OIDs and missing policies as unknown', () => {
    expect(classifyPolicies(['2.5.29.32.0'])).toMatchObject({
      oid: '2.5.29.32.0',
      ca: 'unknown',
      category: 'unknown',
      known: false,
      purposeEn: 'Unknown policy (2.5.29.32.0)',
    })
    const none = classifyPolicies([])
    expect(none).toMatchObject({ ca: 'unknown', known: false, purposeEn: 'No certificate policy' })
    expect(none.oid).toBeUndefined()
    expect(classifyPolicies(['  ', ''])).toEqual(none)
  })

  it('returns copies that callers cannot use to change the table', () => {
    const p = classifyPolicies(['1.2.410.200005.1.1.4'])
    p.purposeKo = 'changed'
    expect(classifyPolicies(['1.2.410.200005.1.1.4']).purposeKo).toBe('은행·신용카드·보험용')
  })
})

describe('caFromOrganization', () => {
  it.each([
    ['yessign', 'yessign', '금융결제원'],
    ['YESSIGN', 'yessign', '금융결제원'],
    ['SignKorea', 'SignKorea', '코스콤'],
    ['kica', 'KICA', '한국정보인증'],
    ['NCASIGN', 'NCASign', '한국전산원'],
    ['CrossCert', 'CrossCert', '한국전자인증'],
    ['INIPASS', 'INIPASS', '이니텍'],
    ['TradeSign', 'TradeSign', '한국무역정보통신'],
    ['KISA', 'KISA', 'KISA 전자서명인증관리센터'],
  ])('%s', (o, id, nameKo) => {
    expect(caFromOrganization(o)).toMatchObject({ id, nameKo })
  })

  it('keeps the raw O for unknown issuers', () => {
    expect(caFromOrganization('testsign')).toEqual({ id: 'unknown', nameKo: 'testsign', nameEn: 'testsign' })
    expect(caFromOrganization(undefined)).toEqual({ id: 'unknown', nameKo: '알 수 없는 인증기관', nameEn: 'Unknown CA' })
  })
})
