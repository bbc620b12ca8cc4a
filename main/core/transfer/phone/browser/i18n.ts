/** The phone page's words, Korean first (the words bank apps use), English second. */
export type Lang = 'ko' | 'en'

const ko = {
  title: '도장 · 인증서 복사',
  otherLanguage: 'English',
  connecting: 'PC에 연결하는 중…',
  codeLabel: '확인 코드',
  codeHelp: 'PC 화면에 같은 코드가 보이는지 확인하고, PC에서 [확인]을 누르세요.',
  waitingPc: 'PC에서 확인을 기다리는 중…',
  receiving: '인증서를 받는 중…',
  readyTitle: '인증서를 받았습니다',
  readyHelp: '필요한 형식으로 저장하세요. 개인키는 여전히 인증서 암호로 보호되어 있습니다.',
  saveP12: '.p12 파일 저장',
  saveZip: 'NPKI 폴더(.zip) 저장',
  passwordCertificate: '.p12 파일의 암호는 PC에서 쓰던 인증서 암호입니다.',
  passwordTransfer: '.p12 파일의 암호는 PC 화면에 표시된 전송 비밀번호입니다(예: abcd-2345-efgh). 가져오는 앱에 그대로 입력하세요.',
  howTitle: '은행 앱으로 가져오는 방법',
  howP12: '.p12: 은행 앱이나 공동인증서 앱에서 [인증서 가져오기] → [파일로 가져오기](또는 PFX 가져오기)를 고르고, 저장한 파일을 선택하세요.',
  howZip: '.zip: 압축을 풀면 NPKI 폴더가 나옵니다. 휴대폰 저장소의 NPKI 폴더를 읽는 앱(일부 안드로이드 앱)에서 쓰세요.',
  howNote: '앱마다 메뉴 이름이 다르고, 파일 가져오기를 지원하지 않는 앱도 있습니다. 다 옮긴 뒤에는 다운로드 폴더의 파일을 지우세요.',
  uploadTitle: 'PC로 보낼 인증서 파일을 고르세요',
  uploadHelp: '.p12 / .pfx 파일, 또는 NPKI 폴더를 압축한 .zip 파일. 파일은 이 페이지에서 암호화되어 PC로만 전송됩니다.',
  send: 'PC로 보내기',
  sending: '보내는 중…',
  sentTitle: 'PC로 보냈습니다',
  sentHelp: 'PC 화면에서 인증서 암호를 입력해 가져오기를 마치세요.',
  errNoKey: '주소에 암호키가 없습니다. 이 페이지를 새로 고치면 키가 사라집니다. PC 화면의 QR 코드를 다시 스캔하세요.',
  errClaimed: '이 QR 코드는 이미 다른 기기가 사용했습니다. PC에서 [취소]를 누르고 새 QR 코드로 다시 시도하세요.',
  errExpired: '시간이 지나 연결이 끝났습니다. PC에서 새 QR 코드를 만드세요.',
  errDeclined: 'PC에서 거절했습니다. 연결이 끝났습니다.',
  errNetwork: 'PC에 연결할 수 없습니다. 휴대폰과 PC가 같은 Wi-Fi에 연결되어 있는지 확인하세요.',
  errEnded: 'PC와의 연결이 끝났습니다. PC에서 취소했거나 시간이 지났을 수 있습니다. PC에서 새 QR 코드로 다시 시도하세요.',
  errTampered: '받은 데이터가 손상되었거나 바뀌었습니다. 아무것도 저장하지 않았습니다. 믿을 수 있는 네트워크에서 다시 시도하세요.',
  errFileType: '.p12, .pfx 또는 .zip 파일만 보낼 수 있습니다.',
  errFileSize: '파일이 너무 큽니다.',
  errUpload: 'PC가 파일을 받지 못했습니다. 다시 시도하세요.',
  trustNote: '내 집이나 회사처럼 믿을 수 있는 네트워크에서만 쓰세요.',
}

export type MessageKey = keyof typeof ko

const en: Record<MessageKey, string> = {
  title: 'Dojang · Copy certificate',
  otherLanguage: '한국어',
  connecting: 'Connecting to the PC…',
  codeLabel: 'Confirmation code',
  codeHelp: 'Check that the PC shows the same code, then press Confirm on the PC.',
  waitingPc: 'Waiting for confirmation on the PC…',
  receiving: 'Receiving the certificate…',
  readyTitle: 'Certificate received',
  readyHelp: 'Save it in the format you need. The private key is still protected by the certificate password.',
  saveP12: 'Save .p12 file',
  saveZip: 'Save NPKI folder (.zip)',
  passwordCertificate: 'The .p12 file opens with your certificate password from the PC.',
  passwordTransfer: 'The .p12 file opens with the transfer password shown on the PC screen (like abcd-2345-efgh). Type it into the app that imports the file.',
  howTitle: 'Importing into a banking app',
  howP12: '.p12: in the bank app or the certificate app choose Import certificate → From file (or Import PFX), then pick the saved file.',
  howZip: '.zip: unpacking it gives an NPKI folder, for apps that read the NPKI folder in the phone storage (some Android apps).',
  howNote: 'Menu names differ between apps, and some apps cannot import files. Delete the files from Downloads when you are done.',
  uploadTitle: 'Choose the certificate file to send to the PC',
  uploadHelp: 'A .p12 / .pfx file, or a .zip of an NPKI folder. The file is encrypted on this page and goes only to the PC.',
  send: 'Send to PC',
  sending: 'Sending…',
  sentTitle: 'Sent to the PC',
  sentHelp: 'Finish the import on the PC by entering the certificate password there.',
  errNoKey: 'The address carries no key (reloading this page removes it). Scan the QR code on the PC again.',
  errClaimed: 'Another device already used this QR code. Press Cancel on the PC and try again with a new QR code.',
  errExpired: 'Time is up and the connection has ended. Make a new QR code on the PC.',
  errDeclined: 'The PC declined. The connection has ended.',
  errNetwork: 'Cannot reach the PC. Check that the phone and the PC are on the same Wi-Fi.',
  errEnded: 'The connection to the PC has ended: it was cancelled on the PC or time ran out. Try again with a new QR code from the PC.',
  errTampered: 'The data received is damaged or was altered. Nothing was saved. Try again on a network you trust.',
  errFileType: 'Only .p12, .pfx or .zip files can be sent.',
  errFileSize: 'The file is too large.',
  errUpload: 'The PC did not accept the file. Please try again.',
  trustNote: 'Use this only on a network you trust, such as your home or office.',
}

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { ko, en }

/** Korean unless the phone's first language is something else (then English, the only other one). */
export function initialLanguage(languages: readonly string[]): Lang {
  const first = languages[0]?.toLowerCase()
  return first === undefined || first.startsWith('ko') ? 'ko' : 'en'
}
