import type { CSSProperties } from 'react';
import { avatarHue, initials } from '../lib/people';

interface AvatarProps {
  name: string;
  email: string;
  size?: 'sm' | 'md' | 'lg';
}

/**
 * Avatar draws the person's initials on a colour derived from their email, here in the page. It never loads an
 * image (the API's `avatar` field is ignored): a request per contact to a third party would tell it who has whom as
 * a contact, and the Content-Security-Policy allows images only from this origin and data: URIs.
 */
export function Avatar({ name, email, size = 'md' }: AvatarProps) {
  const hue = avatarHue(email);
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ '--avatar-hue': String(hue) } as CSSProperties}
      aria-hidden="true"
    >
      <span className="avatar-initials">{initials(name, email)}</span>
    </span>
  );
}
