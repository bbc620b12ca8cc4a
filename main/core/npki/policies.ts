/**
 * Certificate policy OIDs → (CA, owner type, purpose), from npki-format.md §12, and the issuer-O → CA table of §4.
 *
 * The sources disagree on several rows; those carry `conflict: true` and a neutral label instead of a confident
 * claim. Rows that rest on a single weak source keep a `note` so the UI can show the uncertainty.
 */

// The CA table is pure data shared with the front ends; it lives in common/ and is re-exported here.
export { caFromOrganization, type CaId, type CaInfo } from '../../../common/caNames'

export type OwnerType = 'personal' | 'corporate' | 'server' | 'organization' | 'unknown'

/** 범용 = general; 용도제한 = restricted (bank, card, tax invoice …); 특수목적/특별등급 = special. */
export type PolicyCategory = 'general' | 'restricted' | 'special' | 'cloud' | 'gpki' | 'unknown'

export interface PolicyInfo {
  oid?: string
  /** A CaId, or 'GPKI' for government certificates, or 'unknown'. */
  ca: string
  ownerType: OwnerType
  purposeKo: string
  purposeEn: string
  category: PolicyCategory
  conflict: boolean
  /** false when the OID is not in the table (possibly under a known CA arc). */
  known: boolean
  note?: string
}

/** The generic "accredited CA" policy that some TradeSign certificates list first; never used to classify. */
export const GENERIC_ACCREDITED_POLICY = '1.2.410.200004.2.1'

type Row = Omit<PolicyInfo, 'known' | 'conflict'> & { oid: string; conflict?: boolean }

// Short label helpers keep the table readable and the wording consistent across CAs.
const GENERAL_KO = '범용'
const GENERAL_EN = 'General purpose (범용)'
const UNCONFIRMED = 'single source, unconfirmed'

function general(oid: string, ca: string, ownerType: OwnerType, extraKo = '', extraEn = '', note?: string): Row {
  return {
    oid,
    ca,
    ownerType,
    purposeKo: extraKo ? `${GENERAL_KO} (${extraKo})` : GENERAL_KO,
    purposeEn: extraEn ? `${GENERAL_EN}, ${extraEn}` : GENERAL_EN,
    category: 'general',
    ...(note ? { note } : {}),
  }
}

function row(
  oid: string,
  ca: string,
  ownerType: OwnerType,
  category: PolicyCategory,
  purposeKo: string,
  purposeEn: string,
  note?: string,
  conflict?: boolean,
): Row {
  return { oid, ca, ownerType, category, purposeKo, purposeEn, ...(note ? { note } : {}), ...(conflict ? { conflict } : {}) }
}

const Y = 'yessign'
const SK = 'SignKorea'
const KI = 'KICA'
const NC = 'NCASign'
const CC = 'CrossCert'
const IP = 'INIPASS'
const TS = 'TradeSign'
const GP = 'GPKI'

const ROWS: readonly Row[] = [
  // §12.1 yessign (금융결제원)
  general('1.2.410.200005.1.1.1', Y, 'personal'),
  general('1.2.410.200005.1.1.1.1', Y, 'personal', '보안매체용', 'hardware medium'),
  row('1.2.410.200005.1.1.1.10', Y, 'personal', 'cloud', '금융인증서', 'Financial certificate (금융인증서, cloud)',
    'cloud certificate, not an NPKI file'),
  row('1.2.410.200005.1.1.2', Y, 'corporate', 'restricted', '은행·보험·신용카드·민원용',
    'Banking, insurance, credit card and civil affairs'),
  row('1.2.410.200005.1.1.2.1', Y, 'corporate', 'restricted', '은행·보험·신용카드·민원용 (보안매체용)',
    'Banking, insurance, credit card and civil affairs; hardware medium'),
  row('1.2.410.200005.1.1.4', Y, 'personal', 'restricted', '은행·신용카드·보험용', 'Banking, credit card and insurance',
    'one source adds civil affairs (민원)'),
  row('1.2.410.200005.1.1.4.1', Y, 'personal', 'restricted', '은행·신용카드·보험용 (보안매체용)',
    'Banking, credit card and insurance; hardware medium'),
  row('1.2.410.200005.1.1.4.8', Y, 'personal', 'restricted', '은행·보험용 (조합원번호용)',
    'Banking and insurance (co-op member number)', UNCONFIRMED),
  row('1.2.410.200005.1.1.4.88', Y, 'personal', 'restricted', '은행·보험용 (조합원번호용)',
    'Banking and insurance (co-op member number)', UNCONFIRMED),
  general('1.2.410.200005.1.1.5', Y, 'corporate'),
  general('1.2.410.200005.1.1.5.1', Y, 'corporate', '보안매체용', 'hardware medium'),
  row('1.2.410.200005.1.1.6', Y, 'unknown', 'restricted', '용도제한', 'Restricted purpose', UNCONFIRMED),
  row('1.2.410.200005.1.1.6.1', Y, 'corporate', 'restricted', '기업뱅킹용', 'Corporate banking'),
  row('1.2.410.200005.1.1.6.2', Y, 'personal', 'restricted', '신용카드용', 'Credit card'),
  row('1.2.410.200005.1.1.6.8', Y, 'corporate', 'restricted', '전자세금계산서용', 'E-tax invoice'),
  row('1.2.410.200005.1.1.6.10', Y, 'corporate', 'cloud', '금융인증서 (은행 전용, 3년)',
    'Financial certificate (bank-specific, 3 years; cloud)', 'cloud certificate, not an NPKI file'),
  row('1.2.410.200005.1.1.8.11', Y, 'corporate', 'cloud', '금융인증서 (1년)', 'Financial certificate (1 year; cloud)',
    'cloud certificate, not an NPKI file'),
  row('1.2.410.200005.1.1.8.12', Y, 'corporate', 'cloud', '금융인증서 (2년)', 'Financial certificate (2 years; cloud)',
    'cloud certificate, not an NPKI file'),
  row('1.2.410.200005.1.1.8.13', Y, 'corporate', 'cloud', '금융인증서 (3년)', 'Financial certificate (3 years; cloud)',
    'cloud certificate, not an NPKI file'),

  // §12.2 KICA 한국정보인증 (signGATE)
  general('1.2.410.200004.5.2.1.1', KI, 'corporate', '', '', 'one source: 1등급 법인'),
  general('1.2.410.200004.5.2.1.2', KI, 'personal'),
  row('1.2.410.200004.5.2.1.3', KI, 'unknown', 'special', '특별등급 (전자입찰용)', 'Special grade (e-bidding)'),
  general('1.2.410.200004.5.2.1.4', KI, 'server', '1등급, 서버용', 'server (grade 1)'),
  row('1.2.410.200004.5.2.1.5', KI, 'corporate', 'special', '특별등급', 'Special grade',
    'one file calls it 데이콤 공인 인증서'),
  row('1.2.410.200004.5.2.1.7.1', KI, 'personal', 'restricted', '은행·보험용', 'Banking and insurance'),
  row('1.2.410.200004.5.2.1.7.2', KI, 'personal', 'restricted', '증권(·보험)용', 'Securities (and insurance)',
    'sources differ on whether insurance is included'),
  row('1.2.410.200004.5.2.1.7.3', KI, 'personal', 'restricted', '신용카드용', 'Credit card'),
  row('1.2.410.200004.5.2.1.5001', KI, 'corporate', 'restricted', '세금계산서용 (국세청)', 'Tax invoice (National Tax Service)',
    UNCONFIRMED),
  row('1.2.410.200004.5.2.1.6.257', KI, 'corporate', 'restricted', '전자세금계산서용', 'E-tax invoice'),
  row('1.2.410.200004.5.2.1.6.115', KI, 'corporate', 'restricted', '전자세금계산서용', 'E-tax invoice', UNCONFIRMED),
  row('1.2.410.200004.5.2.1.6.141', KI, 'unknown', 'unknown', '기타', 'Other', 'seen in one configuration, unconfirmed'),

  // §12.3 SignKorea 코스콤
  row('1.2.410.200004.5.1.1.1', SK, 'personal', 'special', '스페셜 등급', 'Special grade'),
  row('1.2.410.200004.5.1.1.2', SK, 'server', 'special', '스페셜 등급 (개인 서버용)', 'Special grade (personal server)'),
  row('1.2.410.200004.5.1.1.3', SK, 'corporate', 'special', '스페셜 등급', 'Special grade'),
  row('1.2.410.200004.5.1.1.4', SK, 'server', 'special', '스페셜 등급 (서버용)', 'Special grade (server)'),
  general('1.2.410.200004.5.1.1.5', SK, 'personal'),
  general('1.2.410.200004.5.1.1.6', SK, 'server', '개인 서버용', 'personal server'),
  general('1.2.410.200004.5.1.1.7', SK, 'corporate'),
  general('1.2.410.200004.5.1.1.8', SK, 'server', '서버용', 'server'),
  row('1.2.410.200004.5.1.1.9', SK, 'personal', 'restricted', '증권·보험용', 'Securities and insurance',
    'some sources add civil affairs (민원); one calls it 골드개인'),
  row('1.2.410.200004.5.1.1.9.2', SK, 'personal', 'restricted', '신용카드용', 'Credit card'),
  // Gold/silver were old SignKorea grades whose scope is not documented, hence category 'unknown'.
  row('1.2.410.200004.5.1.1.10', SK, 'server', 'unknown', '골드 등급 (개인 서버용)', 'Gold grade (personal server)',
    'legacy grade; scope not documented'),
  row('1.2.410.200004.5.1.1.11', SK, 'personal', 'unknown', '실버 등급', 'Silver grade', 'legacy grade; scope not documented'),
  row('1.2.410.200004.5.1.1.12', SK, 'corporate', 'unknown', '실버 등급', 'Silver grade', 'legacy grade; scope not documented'),
  row('1.2.410.200004.5.1.1.12.908', SK, 'corporate', 'restricted', '신한카드 세금계산서 결제 전용',
    'Shinhan Card tax-invoice payment only', UNCONFIRMED),
  row('1.2.410.200004.5.1.1.13', SK, 'unknown', 'unknown', '코스콤 (용도 미상)', 'Koscom (purpose not documented)',
    'seen in one configuration, unconfirmed'),

  // §12.4 CrossCert 한국전자인증
  general('1.2.410.200004.5.4.1.1', CC, 'personal'),
  general('1.2.410.200004.5.4.1.2', CC, 'corporate'),
  general('1.2.410.200004.5.4.1.3', CC, 'server', '서버용', 'server'),
  row('1.2.410.200004.5.4.1.4', CC, 'personal', 'special', '특수목적용', 'Special purpose'),
  row('1.2.410.200004.5.4.1.5', CC, 'corporate', 'special', '특수목적용', 'Special purpose'),
  row('1.2.410.200004.5.4.1.101', CC, 'personal', 'restricted', '은행·보험용', 'Banking and insurance',
    'one source: internet banking'),
  row('1.2.410.200004.5.4.1.102', CC, 'personal', 'restricted', '증권용', 'Securities'),
  row('1.2.410.200004.5.4.1.103', CC, 'personal', 'restricted', '용도제한 (신용카드 또는 보험: 출처 불일치)',
    'Restricted (credit card or internet insurance; sources disagree)',
    'two sources say credit card, one says internet insurance', true),
  row('1.2.410.200004.5.4.1.104', CC, 'personal', 'restricted', '용도제한 (민원 또는 신용카드: 출처 불일치)',
    'Restricted (civil affairs or credit card; sources disagree)',
    'two sources say civil affairs, one says credit card', true),
  row('1.2.410.200004.5.4.1.105', CC, 'personal', 'restricted', '전자민원용', 'Civil affairs', UNCONFIRMED),
  row('1.2.410.200004.5.4.1.106', CC, 'personal', 'restricted', '은행·민원용', 'Banking and civil affairs', UNCONFIRMED),
  row('1.2.410.200004.5.4.1.107', CC, 'personal', 'restricted', '증권·민원용', 'Securities and civil affairs', UNCONFIRMED),
  row('1.2.410.200004.5.4.1.108', CC, 'personal', 'restricted', '보험·민원용', 'Insurance and civil affairs', UNCONFIRMED),
  row('1.2.410.200004.5.4.1.109', CC, 'personal', 'restricted', '신용카드·민원용', 'Credit card and civil affairs', UNCONFIRMED),

  // §12.5 TradeSign 한국무역정보통신 (KTNET)
  general('1.2.410.200012.1.1.1', TS, 'personal', '전자거래 서명용', 'signing'),
  general('1.2.410.200012.1.1.2', TS, 'personal', '전자거래 암호용', 'encryption (key management)'),
  general('1.2.410.200012.1.1.3', TS, 'corporate', '전자거래 서명용', 'signing'),
  general('1.2.410.200012.1.1.4', TS, 'corporate', '전자거래 암호용', 'encryption (key management)'),
  general('1.2.410.200012.1.1.5', TS, 'server', '서버 서명용', 'server signing'),
  general('1.2.410.200012.1.1.6', TS, 'server', '서버 암호용', 'server encryption'),
  // The sources list .7–.12 only as "personal / corporate / server signing and encryption pairs"; the order
  // below follows the .1–.6 pattern.
  row('1.2.410.200012.1.1.7', TS, 'personal', 'restricted', '전자무역 서명용', 'E-trade signing', 'pairing order inferred'),
  row('1.2.410.200012.1.1.8', TS, 'personal', 'restricted', '전자무역 암호용', 'E-trade encryption', 'pairing order inferred'),
  row('1.2.410.200012.1.1.9', TS, 'corporate', 'restricted', '전자무역 서명용', 'E-trade signing', 'pairing order inferred'),
  row('1.2.410.200012.1.1.10', TS, 'corporate', 'restricted', '전자무역 암호용', 'E-trade encryption', 'pairing order inferred'),
  row('1.2.410.200012.1.1.11', TS, 'server', 'restricted', '전자무역 서명용', 'E-trade signing', 'pairing order inferred'),
  row('1.2.410.200012.1.1.12', TS, 'server', 'restricted', '전자무역 암호용', 'E-trade encryption', 'pairing order inferred'),
  row('1.2.410.200012.1.1.101', TS, 'unknown', 'restricted', '은행·보험용 (개인 또는 법인: 출처 불일치)',
    'Banking and insurance (personal or corporate; sources disagree)',
    'one source says corporate, two say personal; some add civil affairs', true),
  row('1.2.410.200012.1.1.103', TS, 'personal', 'restricted', '용도제한 (증권·신용카드 또는 증권·보험: 출처 불일치)',
    'Restricted (securities and credit card, or securities and insurance; sources disagree)',
    'sources disagree', true),
  row('1.2.410.200012.1.1.105', TS, 'personal', 'restricted', '신용카드용', 'Credit card'),
  row('1.2.410.200012.11.31', TS, 'personal', 'restricted', '은행용 (서명)', 'Banking (signing)', UNCONFIRMED),
  row('1.2.410.200012.11.32', TS, 'personal', 'restricted', '은행용 (암호)', 'Banking (encryption)', UNCONFIRMED),
  row('1.2.410.200012.11.35', TS, 'personal', 'restricted', '증권용 (서명)', 'Securities (signing)', UNCONFIRMED),
  row('1.2.410.200012.11.36', TS, 'personal', 'restricted', '증권용 (암호)', 'Securities (encryption)', UNCONFIRMED),
  row('1.2.410.200012.11.39', TS, 'personal', 'restricted', '보험용 (서명)', 'Insurance (signing)', UNCONFIRMED),
  row('1.2.410.200012.11.40', TS, 'personal', 'restricted', '보험용 (암호)', 'Insurance (encryption)', UNCONFIRMED),
  row('1.2.410.200012.11.43', TS, 'personal', 'restricted', '신용카드용 (서명)', 'Credit card (signing)', UNCONFIRMED),
  row('1.2.410.200012.11.44', TS, 'personal', 'restricted', '신용카드용 (암호)', 'Credit card (encryption)', UNCONFIRMED),

  // §12.6 NCASign 한국전산원 (historical). "1등급" was the general-purpose grade.
  general('1.2.410.200004.5.3.1.1', NC, 'organization', '1등급, 기관·단체', 'institution (grade 1)'),
  general('1.2.410.200004.5.3.1.2', NC, 'corporate', '1등급', 'grade 1'),
  general('1.2.410.200004.5.3.1.3', NC, 'server', '1등급, 서버용', 'server (grade 1)'),
  row('1.2.410.200004.5.3.1.4', NC, 'personal', 'restricted', '용도제한 (기관 임직원용)', 'Restricted (institution employees)'),
  row('1.2.410.200004.5.3.1.5', NC, 'organization', 'special', '특수목적용', 'Special purpose'),
  row('1.2.410.200004.5.3.1.6', NC, 'corporate', 'special', '특수목적용', 'Special purpose'),
  row('1.2.410.200004.5.3.1.7', NC, 'server', 'special', '특수목적용', 'Special purpose'),
  row('1.2.410.200004.5.3.1.8', NC, 'personal', 'special', '특수목적용', 'Special purpose'),
  general('1.2.410.200004.5.3.1.9', NC, 'personal', '1등급', 'grade 1'),

  // §12.7 INIPASS 이니텍
  row('1.2.410.200004.5.5.1.1', IP, 'unknown', 'general', '범용 (개인 또는 법인: 출처 불일치)',
    'General purpose (범용); personal or corporate, sources disagree', 'two sources say personal, one says corporate', true),
  general('1.2.410.200004.5.5.1.2', IP, 'corporate'),
  row('1.2.410.200004.5.5.1.4.2', IP, 'corporate', 'restricted', '세금계산서용', 'Tax invoice'),

  // §12.8 GPKI (government; detected and labelled only)
  row('1.2.410.100001.2.1.1', GP, 'organization', 'gpki', 'GPKI 전자관인', 'GPKI official seal (전자관인)'),
  row('1.2.410.100001.2.1.2', GP, 'server', 'gpki', 'GPKI 컴퓨터용', 'GPKI computer (server)'),
  row('1.2.410.100001.2.1.3', GP, 'organization', 'gpki', 'GPKI 특수목적용', 'GPKI special purpose'),
  row('1.2.410.100001.2.1.4', GP, 'organization', 'gpki', 'GPKI 기관용 (공공·민간 변형)', 'GPKI organization (public/private variant)'),
  row('1.2.410.100001.2.1.5', GP, 'organization', 'gpki', 'GPKI 기관용 (공공·민간 변형)', 'GPKI organization (public/private variant)'),
  row('1.2.410.100001.2.1.6', GP, 'organization', 'gpki', 'GPKI 기관용 (공공·민간 변형)', 'GPKI organization (public/private variant)'),
  row('1.2.410.100001.2.2.1', GP, 'personal', 'gpki', 'GPKI 공무원', 'GPKI civil servant'),
  row('1.2.410.100001.2.2.2', GP, 'personal', 'gpki', 'GPKI 공공·민간 개인', 'GPKI individual (public/private)'),

  // §12.8 generic policy: only reported when nothing more specific is present.
  row(GENERIC_ACCREDITED_POLICY, 'unknown', 'unknown', 'unknown', '공인인증서 일반 정책 (용도 미상)',
    'Generic accredited-CA policy (purpose not stated)'),
]

const BY_OID: ReadonlyMap<string, Row> = new Map(ROWS.map((r) => [r.oid, r]))

/** Every table row as a PolicyInfo, in table order (for documentation screens and tests). */
export const POLICY_TABLE: readonly PolicyInfo[] = ROWS.map(toInfo)

/** Longest arc first so that a nested arc wins over a shorter one. */
const ARCS: readonly { arc: string; ca: string; gpki?: true }[] = [
  { arc: '1.2.410.200004.5.1.1', ca: SK },
  { arc: '1.2.410.200004.5.2.1', ca: KI },
  { arc: '1.2.410.200004.5.3.1', ca: NC },
  { arc: '1.2.410.200004.5.4.1', ca: CC },
  { arc: '1.2.410.200004.5.5.1', ca: IP },
  { arc: '1.2.410.200005.1.1', ca: Y },
  { arc: '1.2.410.100001', ca: GP, gpki: true },
  { arc: '1.2.410.200012', ca: TS },
]

function toInfo(r: Row): PolicyInfo {
  return { ...r, conflict: r.conflict ?? false, known: true }
}

/** Looks one OID up in the table; undefined when it is not a listed row. */
export function lookupPolicy(oid: string): PolicyInfo | undefined {
  const r = BY_OID.get(oid.trim())
  return r ? toInfo(r) : undefined
}

/** The CA arc an OID falls under, if any. */
export function policyArc(oid: string): { arc: string; ca: string } | undefined {
  const o = oid.trim()
  const hit = ARCS.find((a) => o.startsWith(a.arc + '.'))
  return hit ? { arc: hit.arc, ca: hit.ca } : undefined
}

/**
 * Classifies a certificate from all its policy OIDs (in certificate order).
 * Preference: first OID in the table (excluding the generic accredited-CA policy), then the first OID under a known
 * CA arc (known=false), then any other OID (known=false), then the generic policy, then "no policy".
 */
export function classifyPolicies(oids: readonly string[]): PolicyInfo {
  const list = oids.map((o) => o.trim()).filter((o) => o.length > 0)
  const specific = list.filter((o) => o !== GENERIC_ACCREDITED_POLICY)

  for (const oid of specific) {
    const hit = lookupPolicy(oid)
    if (hit) return hit
  }
  for (const oid of specific) {
    const arc = ARCS.find((a) => oid.startsWith(a.arc + '.'))
    if (arc) {
      return {
        oid,
        ca: arc.ca,
        ownerType: 'unknown',
        purposeKo: `${arc.ca} (용도 미상: ${oid})`,
        purposeEn: `${arc.ca} (purpose unknown: ${oid})`,
        category: arc.gpki ? 'gpki' : 'unknown',
        conflict: false,
        known: false,
      }
    }
  }
  const first = specific[0]
  if (first !== undefined) {
    return {
      oid: first,
      ca: 'unknown',
      ownerType: 'unknown',
      purposeKo: `알 수 없는 정책 (${first})`,
      purposeEn: `Unknown policy (${first})`,
      category: 'unknown',
      conflict: false,
      known: false,
    }
  }
  if (list.includes(GENERIC_ACCREDITED_POLICY)) return lookupPolicy(GENERIC_ACCREDITED_POLICY) as PolicyInfo
  return {
    ca: 'unknown',
    ownerType: 'unknown',
    purposeKo: '정책 정보 없음',
    purposeEn: 'No certificate policy',
    category: 'unknown',
    conflict: false,
    known: false,
  }
}
