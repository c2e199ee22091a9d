/** The longest X-Operator recorded (the operator / created_by columns are VARCHAR(64)). */
export const MAX_OPERATOR_LENGTH = 64;
const ANONYMOUS = 'anonymous';
const CONTROL = /\p{Cc}+/gu;

/**
 * X-Operator as recorded on a change. Never a reason to refuse a write: it is an untrusted
 * label (DESIGN 21). Sent as UTF-8 it is read as UTF-8 (Node hands header bytes over as
 * latin1); control characters are dropped, surrounding space trimmed, and it is cut at
 * MAX_OPERATOR_LENGTH characters. Absent or empty: `anonymous`.
 */
export function operatorOf(header: string | undefined): string {
  if (header === undefined) return ANONYMOUS;
  const bytes = Buffer.from(header, 'latin1');
  const text = bytes.toString('latin1') === header ? decodeUtf8(bytes, header) : header;
  const clean = text.replace(CONTROL, '').trim();
  const characters = Array.from(clean);
  const cut = characters.length > MAX_OPERATOR_LENGTH;
  const operator = cut ? characters.slice(0, MAX_OPERATOR_LENGTH).join('') : clean;
  return operator === '' ? ANONYMOUS : operator;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer, fallback: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    return fallback;
  }
}
