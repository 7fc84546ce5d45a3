import { useState, type CSSProperties } from 'react';
import { avatarHue, initials } from '../lib/people';

interface AvatarProps {
  name: string;
  email: string;
  src?: string;
  size?: 'sm' | 'md' | 'lg';
}

/** Avatar shows the Gravatar image, or the person's initials when there is none or it fails to load. */
export function Avatar({ name, email, src, size = 'md' }: AvatarProps) {
  const [failedSrc, setFailedSrc] = useState<string>();
  const showImage = Boolean(src) && failedSrc !== src;
  const hue = avatarHue(email);
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ '--avatar-hue': String(hue) } as CSSProperties}
      aria-hidden="true"
    >
      <span className="avatar-initials">{initials(name, email)}</span>
      {showImage && (
        <img
          src={src}
          alt=""
          loading="lazy"
          decoding="async"
          referrerPolicy="no-referrer"
          onError={() => setFailedSrc(src)}
        />
      )}
    </span>
  );
}
