/** The session URL as a QR code: a PNG data URL for the 휴대폰으로 복사 screen, text for a terminal (CLI). */
import QRCode from 'qrcode'

/** Error correction M (qrcode's default): the ~100-character URL is a version 6 symbol, easy for phone cameras. */
export function qrPngDataUrl(text: string, scale = 6): Promise<string> {
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 4, scale })
}

/** The same code as PNG bytes (tests decode it; the CLI could save it). */
export function qrPng(text: string, scale = 6): Promise<Buffer> {
  return QRCode.toBuffer(text, { errorCorrectionLevel: 'M', margin: 4, scale, type: 'png' })
}

/** Half-block characters (two modules per character row) that fit an 80×24 terminal for this URL length. */
export function qrTerminalText(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' })
}
