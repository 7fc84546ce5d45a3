/** Logo is Parley's mark: two overlapping speech bubbles. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="16" fill="var(--accent)" />
      <path d="M14 18h26a5 5 0 0 1 5 5v12a5 5 0 0 1-5 5H26l-8 7v-7h-4a5 5 0 0 1-5-5V23a5 5 0 0 1 5-5Z" fill="#fff" />
      <path d="M48 26h2a5 5 0 0 1 5 5v10a5 5 0 0 1-5 5h-2v6l-7-6H30a5 5 0 0 1-4.6-3H40a8 8 0 0 0 8-8V26Z" fill="#fff" opacity=".6" />
    </svg>
  );
}
