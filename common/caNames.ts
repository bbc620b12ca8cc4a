/**
 * The accredited NPKI certification authorities (npki-format.md §4): the issuer's O value → the names people know.
 * Pure data shared by main (certificate parsing) and every front end (common/format.ts).
 */

export type CaId = 'yessign' | 'SignKorea' | 'KICA' | 'NCASign' | 'CrossCert' | 'INIPASS' | 'TradeSign' | 'KISA' | 'unknown'

export interface CaInfo {
  id: CaId
  nameKo: string
  nameEn: string
}

export const CA_TABLE: readonly CaInfo[] = [
  { id: 'yessign', nameKo: '금융결제원', nameEn: 'KFTC (yessign)' },
  { id: 'SignKorea', nameKo: '코스콤', nameEn: 'Koscom (SignKorea)' },
  { id: 'KICA', nameKo: '한국정보인증', nameEn: 'KICA (signGATE)' },
  { id: 'NCASign', nameKo: '한국전산원', nameEn: 'NCA (NCASign)' },
  { id: 'CrossCert', nameKo: '한국전자인증', nameEn: 'CrossCert' },
  { id: 'INIPASS', nameKo: '이니텍', nameEn: 'Initech (INIPASS)' },
  { id: 'TradeSign', nameKo: '한국무역정보통신', nameEn: 'KTNET (TradeSign)' },
  { id: 'KISA', nameKo: 'KISA 전자서명인증관리센터', nameEn: 'KISA Root CA' },
]

/** A known CA by its id or issuer O value (case-insensitive: folder and DN spellings vary, `NCASIGN`, `kica`). */
export function knownCa(o: string | null | undefined): CaInfo | undefined {
  const key = (o ?? '').normalize('NFC').trim().toLowerCase()
  return key ? CA_TABLE.find((c) => c.id.toLowerCase() === key) : undefined
}

/**
 * Maps an issuer O value to its CA. Unknown issuers keep their own O as the display name so the UI still has
 * something to show.
 */
export function caFromOrganization(o: string | undefined): CaInfo {
  const hit = knownCa(o)
  if (hit) return { ...hit }
  const raw = (o ?? '').normalize('NFC').trim()
  return { id: 'unknown', nameKo: raw || '알 수 없는 인증기관', nameEn: raw || 'Unknown CA' }
}
