/** initials returns one or two letters for an avatar placeholder. */
export function initials(name: string, email: string): string {
  const source = name.trim() && name.trim() !== email ? name.trim() : email.split('@')[0] ?? '';
  const words = source.split(/[\s._-]+/u).filter(Boolean);
  const letters =
    words.length >= 2 ? [words[0], words[words.length - 1]].map((w) => [...(w ?? '')][0] ?? '') : [...source].slice(0, 1);
  return letters.join('').toLocaleUpperCase() || '?';
}

/** avatarHue picks a stable hue for a placeholder avatar from the email. */
export function avatarHue(email: string): number {
  let h = 0;
  for (const ch of email) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

/** displayName is the contact's name, or the email when no name is set. */
export function displayName(contact: { name: string; email: string }): string {
  return contact.name.trim() || contact.email;
}

/** isValidEmail is a light check; the API has the last word. */
export function isValidEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
