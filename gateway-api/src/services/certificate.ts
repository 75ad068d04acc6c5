import { existsSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { CredentialStatusValue } from '@edu-ledger/domain';

/** An organisation's name in both languages, as the registry holds it. */
export interface LocalisedText {
  zh: string;
  en: string;
}

/** Debian's WenQuanYi Zen Hei (fonts-wqy-zenhei): the CJK font the certificate is set in. */
export const DEFAULT_CERTIFICATE_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
/** The face inside the .ttc collection that pdfkit loads, by its PostScript name (fontkit's key). */
const FONT_FACE = 'WenQuanYiZenHei';

/**
 * The largest QR version printed: at 80 dpi a version-30 code (137 modules) in the 250 pt box is
 * still about 2 px per module, what a phone camera or jsQR reads. A credential too big for it gets
 * the status-history link instead (see {@link verifyLinkFor}).
 */
export const MAX_QR_VERSION = 30;

/** What a certificate shows: read from the credential, its issuer and the ledger's status record. */
export interface CertificateFacts {
  credentialId: string;
  issuerName: LocalisedText;
  title: string;
  achievement: string | undefined;
  credits: { value: number; unit: string | undefined } | undefined;
  holderName: string | undefined;
  issuedAt: string | undefined;
  status: CredentialStatusValue;
  /** The text the QR code carries. */
  qrText: string;
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A plain string, or the first `@value` of a JSON-LD language map / value object. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).find((s) => s !== undefined);
  if (isRecord(value) && typeof value['@value'] === 'string') return value['@value'];
  return undefined;
}

function decodeJwtPayload(jwt: string): Json | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return isRecord(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

const ENVELOPE_PREFIX = /^data:application\/vc\+jwt,/;

/**
 * The credential's content: itself, or for a `vc+jwt` copy (an EnvelopedVerifiableCredential)
 * the JWT's payload, which is the credential.
 */
export function credentialContent(stored: unknown): Json {
  if (!isRecord(stored)) return {};
  const id = stored['id'];
  if (typeof id === 'string' && ENVELOPE_PREFIX.test(id)) {
    return decodeJwtPayload(id.replace(ENVELOPE_PREFIX, '')) ?? {};
  }
  return stored;
}

/** The subjects of a credential, one or several. */
export function subjectsOf(content: Json): Json[] {
  const subject = content['credentialSubject'];
  return (Array.isArray(subject) ? subject : [subject]).filter(isRecord);
}

/** Credits of a PD completion (`creditsEarned`) or a credit transfer (`credits`), with their unit. */
function creditsOf(subject: Json): CertificateFacts['credits'] {
  const value = subject['creditsEarned'] ?? subject['credits'];
  if (typeof value !== 'number') return undefined;
  return { value, unit: text(subject['creditUnit']) };
}

/**
 * The verify page's link for this credential: `#vcz=` (deflate-raw, base64url), the form the page
 * opens today. The stored copy goes in as it was issued (a vc+jwt copy as its JWT), so the page
 * checks exactly what the holder holds. When that does not fit a readable QR code, the link is the
 * gateway's status-history of the credential id, which still names it and shows its ledger status.
 */
export function verifyLinkFor(publicUrl: string, credentialId: string, stored: unknown): string {
  const id = isRecord(stored) ? stored['id'] : undefined;
  const payload =
    typeof id === 'string' && ENVELOPE_PREFIX.test(id)
      ? id.replace(ENVELOPE_PREFIX, '')
      : JSON.stringify(stored);
  const link = `${publicUrl}/verify/#vcz=${deflateRawSync(Buffer.from(payload, 'utf8'), { level: 9 }).toString('base64url')}`;
  return qrVersion(link) !== undefined
    ? link
    : `${publicUrl}/credentials/${encodeURIComponent(credentialId)}/status-history`;
}

/** The QR version a text needs at error correction L, or undefined beyond {@link MAX_QR_VERSION}. */
function qrVersion(value: string): number | undefined {
  try {
    const { version } = QRCode.create(value, { errorCorrectionLevel: 'L' });
    return version <= MAX_QR_VERSION ? version : undefined;
  } catch {
    // The qrcode package throws when the data exceeds version 40.
    return undefined;
  }
}

/** Reads what a certificate prints from a stored credential. */
export function certificateFacts(
  stored: unknown,
  known: {
    credentialId: string;
    issuerName: LocalisedText;
    status: CredentialStatusValue;
    publicUrl: string;
  },
): CertificateFacts {
  const content = credentialContent(stored);
  const subject = subjectsOf(content)[0] ?? {};
  const achievement = isRecord(subject['achievement']) ? text(subject['achievement']['name']) : undefined;
  const types = Array.isArray(content['type']) ? content['type'].filter((t) => typeof t === 'string') : [];
  return {
    credentialId: known.credentialId,
    issuerName: known.issuerName,
    title: text(content['name']) ?? types.filter((t) => t !== 'VerifiableCredential').join(', '),
    achievement,
    credits: creditsOf(subject),
    holderName: text(subject['name']),
    issuedAt: text(content['validFrom']) ?? text(content['issuanceDate']),
    status: known.status,
    qrText: verifyLinkFor(known.publicUrl, known.credentialId, stored),
  };
}

const STATUS_LABEL: Readonly<Record<CredentialStatusValue, string>> = {
  active: '有效 Valid',
  suspended: '已暂停 SUSPENDED',
  revoked: '已撤销 REVOKED',
};

/** Thrown when the CJK font is not installed; the route answers 503 rather than print tofu. */
export class CertificateFontMissing extends Error {
  constructor(readonly fontPath: string) {
    super(`certificate font missing: ${fontPath}`);
    this.name = 'CertificateFontMissing';
  }
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 56;
const QR_BOX = 250;

/** Draws the QR code as vector squares: sharp at any zoom or print resolution. */
function drawQr(doc: PDFKit.PDFDocument, value: string, x: number, y: number, box: number): void {
  const { modules } = QRCode.create(value, { errorCorrectionLevel: 'L' });
  // Four modules of quiet zone on each side, as the QR standard asks.
  const unit = box / (modules.size + 8);
  doc.save().rect(x, y, box, box).fill('#ffffff');
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) doc.rect(x + (col + 4) * unit, y + (row + 4) * unit, unit, unit);
    }
  }
  doc.fill('#000000').restore();
}

/** A label line (small, grey) and its value. */
function field(doc: PDFKit.PDFDocument, label: string, value: string, size = 13): void {
  const width = A4.width - 2 * MARGIN;
  doc.fontSize(9).fillColor('#555555').text(label, MARGIN, undefined, { width, align: 'center' });
  doc.fontSize(size).fillColor('#000000').text(value, MARGIN, undefined, { width, align: 'center' });
  doc.moveDown(0.6);
}

/**
 * The large diagonal mark on a revoked or suspended credential's certificate, across the text and
 * clear of the QR code (a mark over its finder patterns would make it unreadable).
 */
function statusMark(doc: PDFKit.PDFDocument, status: CredentialStatusValue): void {
  if (status === 'active') return;
  const centreY = 300;
  doc
    .save()
    .rotate(-30, { origin: [A4.width / 2, centreY] })
    .fontSize(64)
    .fillColor('#c00000')
    .fillOpacity(0.35)
    .text(STATUS_LABEL[status], 0, centreY - 40, { width: A4.width, align: 'center' })
    .restore();
}

function layout(doc: PDFKit.PDFDocument, facts: CertificateFacts): void {
  const width = A4.width - 2 * MARGIN;
  doc
    .lineWidth(2)
    .rect(28, 28, A4.width - 56, A4.height - 56)
    .stroke('#8a6d3b');
  doc.fontSize(28).fillColor('#000000').text('证书 Certificate', MARGIN, 60, { width, align: 'center' });
  doc.moveDown(0.3);
  doc.fontSize(16).text(facts.issuerName.zh, { width, align: 'center' });
  doc.fontSize(12).text(facts.issuerName.en, { width, align: 'center' });
  doc.moveDown(1);
  if (facts.holderName) field(doc, '兹证明 This certifies that', facts.holderName, 18);
  field(doc, '凭证 Credential', facts.title, 15);
  if (facts.achievement) field(doc, '成就 Achievement', facts.achievement);
  if (facts.credits) {
    const { value, unit } = facts.credits;
    field(doc, '学分 Credits', unit ? `${value} ${unit}` : String(value));
  }
  if (facts.issuedAt) field(doc, '签发日期 Issued on', facts.issuedAt.slice(0, 10));
  field(doc, '状态 Status', STATUS_LABEL[facts.status]);
  field(doc, '凭证编号 Credential ID', facts.credentialId, 9);
  const qrY = A4.height - MARGIN - QR_BOX - 30;
  drawQr(doc, facts.qrText, (A4.width - QR_BOX) / 2, qrY, QR_BOX);
  doc
    .fontSize(9)
    .fillColor('#555555')
    .text('扫码在线核验 Scan to verify online', MARGIN, qrY + QR_BOX + 6, { width, align: 'center' });
  statusMark(doc, facts.status);
}

/** The certificate as an A4 PDF, in Chinese and English. */
export async function renderCertificate(facts: CertificateFacts, fontPath: string): Promise<Buffer> {
  if (!existsSync(fontPath)) throw new CertificateFontMissing(fontPath);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `证书 Certificate — ${facts.title}`, Author: facts.issuerName.en },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontPath, FONT_FACE);
  doc.font('cjk');
  layout(doc, facts);
  doc.end();
  return done;
}
