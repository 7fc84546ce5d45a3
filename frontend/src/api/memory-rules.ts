import { ApiError, LIMITS } from './chat-api';

/**
 * The rules of core (core/limits.go, core/errors.go, core/message.go, core/avatar.go) for the in-memory adapter,
 * in the same words, so it refuses what the server refuses and says so the way the server says it. The ChatAPI
 * contract suite (contract/chat-api.contract.ts) runs against both and keeps them together.
 */

const ADDRESS_LOCAL_MAX = 64;
const DOMAIN_LABEL_MAX = 63;
const TOKEN_MAX = 64;

/** statusOf maps core's error codes to the HTTP statuses of adapters/apigateway. */
const statusOf: Record<string, number> = { invalid: 400, not_found: 404, blocked: 403 };

/** refusal is core's Errorf: code and a message for people. */
export function refusal(code: 'invalid' | 'not_found' | 'blocked', message: string): ApiError {
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

/**
 * avatar is core's Contact.Avatar: an SVG of the initials as a data: URI. The colour comes from the palette by a
 * hash of the email (core takes SHA-256, which the browser only has asynchronously; the colour is not contract).
 */
export function avatar(name: string, email: string): string {
  let hash = 2166136261;
  for (const c of email) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
  const colour = PALETTE[hash % PALETTE.length]!;
  const escaped = initials(name, email).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="32" fill="${colour}"/>` +
    `<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="26" fill="#fff">` +
    `${escaped}</text></svg>`;
  let binary = '';
  for (const b of new TextEncoder().encode(svg)) binary += String.fromCharCode(b);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** initials is core.Initials: the first letters of the first and last words of the name (or the email's local part). */
export function initials(name: string, email: string): string {
  let source = name.trim();
  if (source === '' || source === email) source = email.split('@')[0] ?? '';
  const words = source.split(/[^\p{L}\p{Nd}]+/u).filter(Boolean);
  const letters = words.filter((_, i) => i === 0 || i === words.length - 1).map((w) => [...w][0]);
  return letters.length ? letters.join('').toUpperCase() : '?';
}
