import { ApiError, LIMITS } from './chat-api';

/**
 * The rules of core (core/limits.go, core/errors.go, core/messages.go, core/contacts.go) for the in-memory adapter,
 * in the same words, so it refuses what the server refuses and says so the way the server says it. The ChatAPI
 * contract suite (contract/chat-api.contract.ts) runs against both and keeps them together.
 */

const ADDRESS_LOCAL_MAX = 64;
const DOMAIN_LABEL_MAX = 63;
const TOKEN_MAX = 64;

/** statusOf maps core's error codes to the HTTP statuses of adapters/apigateway. */
const statusOf: Record<string, number> = { invalid: 400, not_found: 404, blocked: 403, forbidden: 403, conflict: 409 };

/** refusal is core's Errorf: code and a message for people. */
export function refusal(code: 'invalid' | 'not_found' | 'blocked' | 'forbidden' | 'conflict', message: string): ApiError {
  return new ApiError(code, message, statusOf[code]);
}

/** invalidField is core's invalidField: an `invalid` error whose message starts with the field. */
export function invalidField(field: string, message: string): ApiError {
  return refusal('invalid', `${field}: ${message}`);
}

/** renameField is core's renameField: the same refusal, naming the request's field instead. */
export function renameField(err: unknown, field: string): unknown {
  if (!(err instanceof ApiError) || err.code !== 'invalid') return err;
  const colon = err.message.indexOf(':');
  return colon < 0 ? err : invalidField(field, err.message.slice(colon + 2));
}

export const notAContact = (email: string) => refusal('not_found', `${email} is not one of your contacts.`);
export const noContactWithID = (id: string) => refusal('not_found', `No contact of yours has the ID ${id}.`);
export const youBlocked = (email: string) => refusal('blocked', `You blocked ${email}. Unblock them to send messages.`);
export const blockedByRecipient = (email: string) => refusal('blocked', `${email} does not accept your messages.`);
export const notInConversation = () => refusal('not_found', 'upTo: is not a message of this conversation');

/** normalizeEmail is core.NormalizeEmail: trimmed, lower-cased ASCII, a deliverable address, or `invalid`. */
export function normalizeEmail(raw: string): string {
  const email = trimSpace(raw);
  if (email === '') throw invalidField('email', 'is required');
  if (new TextEncoder().encode(email).length > LIMITS.email) {
    throw invalidField('email', `must be at most ${LIMITS.email} bytes`);
  }
  if (/[^\x21-\x7e]/.test(email)) {
    throw invalidField(
      'email',
      'must be plain ASCII without spaces or control characters (write an international domain in its xn-- form)',
    );
  }
  const lower = email.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const at = lower.indexOf('@');
  if (at < 0 || lower.indexOf('@', at + 1) >= 0) throw invalidField('email', 'must hold exactly one @');
  if (!validLocalPart(lower.slice(0, at))) {
    throw invalidField(
      'email',
      `is not a valid email address: the part before @ must be 1 to ${ADDRESS_LOCAL_MAX} letters, digits, dots (not first, last or doubled) or !#$%&'*+-/=?^_\`{|}~`,
    );
  }
  if (!validDomain(lower.slice(at + 1))) {
    throw invalidField(
      'email',
      'is not a valid email address: the domain must be labels of letters, digits and inner hyphens, separated by dots',
    );
  }
  return lower;
}

function validLocalPart(s: string): boolean {
  return s.length > 0 && s.length <= ADDRESS_LOCAL_MAX && s.split('.').every((atom) => /^[a-z0-9!#$%&'*+\-/=?^_`{|}~]+$/.test(atom));
}

function validDomain(s: string): boolean {
  const labels = s.split('.');
  if (labels.length < 2) return false;
  const ok = labels.every((l) => l.length > 0 && l.length <= DOMAIN_LABEL_MAX && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(l));
  return ok && !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

/** Go's strings.TrimSpace: Unicode White_Space at both ends (not U+FEFF, which JavaScript's trim also removes). */
function trimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/, '').replace(
    /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/,
    '',
  );
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const VISIBLE = /[^\s\p{Cf}\p{Zs}\p{Variation_Selector}\p{Default_Ignorable_Code_Point}\u2800\u180e]/u;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/** normalizeText is core's normalizeText: trimmed, 1 to maxChars characters, no control characters, something visible. */
export function normalizeText(field: string, raw: string, maxChars: number, multiline: boolean): string {
  if (LONE_SURROGATE.test(raw)) throw invalidField(field, 'must be valid UTF-8 text (no invalid bytes, no lone surrogates)');
  const text = trimSpace(raw);
  const n = [...text].length;
  if (n === 0) throw invalidField(field, 'is required');
  if (n > maxChars) throw invalidField(field, `must be at most ${maxChars} characters`);
  if ((multiline ? /(?![\n\t])\p{Cc}/u : /\p{Cc}/u).test(text)) throw invalidField(field, 'must not contain control characters');
  if (!VISIBLE.test(text)) throw invalidField(field, 'must contain a visible character, not only spaces or invisible ones');
  return text;
}

/** normalizeName is core's normalizeName: normalizeText on one line, without bidirectional overrides. */
export function normalizeName(raw: string): string {
  const name = normalizeText('name', raw, LIMITS.name, false);
  if (BIDI_CONTROL.test(name)) {
    throw invalidField('name', 'must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)');
  }
  return name;
}

/** validToken is core's validToken: 1 to 64 letters, digits, '-' and '_', the shape of message and client IDs. */
export function validToken(s: string): boolean {
  return s.length > 0 && s.length <= TOKEN_MAX && /^[A-Za-z0-9_-]+$/.test(s);
}

export const CLIENT_ID_RULE = `must be 1 to ${TOKEN_MAX} letters, digits, '-' or '_'`;

/** preview is core's Message.Preview: the text cut to 140 characters. */
export function preview(text: string): string {
  const chars = [...text];
  return chars.length > 140 ? chars.slice(0, 140).join('') : text;
}

const PALETTE = ['#b3261e', '#a3367a', '#6d3fb5', '#3b52b4', '#0b6a9e', '#00796b', '#2e7d32', '#5d6b10', '#8a5300', '#a0431f', '#5f6368', '#7b3f61'];
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** avatar is core's Contact.Avatar, byte for byte: an SVG of the initials on a colour from the email's SHA-256, as a data: URI. */
export function avatar(name: string, email: string): string {
  const colour = PALETTE[sha256(new TextEncoder().encode(email))[0]! % PALETTE.length]!;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="32" fill="${colour}"/>` +
    `<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="26" fill="#fff">` +
    `${initials(name, email).replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!)}</text></svg>`;
  let binary = '';
  for (const b of new TextEncoder().encode(svg)) binary += String.fromCharCode(b);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** initials is core.Initials: the first letters of the first and last words of the name (or the email's local part). */
export function initials(name: string, email: string): string {
  let source = trimSpace(name);
  if (source === '' || source === email) source = email.split('@')[0] ?? '';
  const words = source.split(/[^\p{L}\p{Nd}]+/u).filter(Boolean);
  const letters = words.filter((_, i) => i === 0 || i === words.length - 1).map((w) => [...w][0]!);
  // Go upper-cases rune by rune: a letter with no one-letter capital (ß) stays as it is.
  const upper = letters.map((c) => (c.toUpperCase().length === c.length ? c.toUpperCase() : c));
  return upper.length ? upper.join('') : '?';
}

const K = Uint32Array.from(
  '428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5 d807aa98 12835b01 243185be 550c7dc3 72be5d74 80deb1fe 9bdc06a7 c19bf174 e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da 983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967 27b70a85 2e1b2138 4d2c6dfc 53380d13 650a7354 766a0abb 81c2c92e 92722c85 a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070 19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3 748f82ee 78a5636f 84c87814 8cc70208 90befffa a4506ceb bef9a3f7 c67178f2'
    .split(' ')
    .map((h) => parseInt(h, 16)),
);

/** sha256 is SHA-256 (FIPS 180-4), synchronous: the browser's crypto.subtle only has it as a promise. */
function sha256(data: Uint8Array): Uint8Array {
  const padded = new Uint8Array(((data.length + 9 + 63) >> 6) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(data.length / 0x20000000));
  view.setUint32(padded.length - 4, data.length << 3);
  const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + i * 4);
    for (let i = 16; i < 64; i++) {
      const [a, b] = [w[i - 15]!, w[i - 2]!];
      w[i] = w[i - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + w[i - 7]! + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10));
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, hh].forEach((x, i) => (h[i] = h[i]! + x));
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((x, i) => outView.setUint32(i * 4, x));
  return out;
}
