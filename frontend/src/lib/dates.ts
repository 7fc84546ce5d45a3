/** A run of items that share one local calendar day. */
export interface DayGroup<T> {
  /** Local date key, YYYY-MM-DD. */
  key: string;
  /** "Today", "Yesterday" or the full date, in the user's locale. */
  label: string;
  items: T[];
}

/** localDayKey returns YYYY-MM-DD of d in the local time zone. */
export function localDayKey(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Building an Intl formatter costs far more than using one, and a conversation formats every bubble's time
// on each render: keep one formatter per locale and options.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, f);
  }
  return f;
}

function capitalize(s: string, locale?: string): string {
  return s.charAt(0).toLocaleUpperCase(locale) + s.slice(1);
}

/** dayLabel names the day of d relative to now: Today, Yesterday, or the full date. */
export function dayLabel(d: Date, now: Date = new Date(), locale?: string): string {
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  // Round, not floor: days around a daylight-saving change are 23 or 25 hours long.
  const diffDays = Math.round((startOf(now) - startOf(d)) / 86_400_000);
  if (diffDays === 0 || diffDays === 1) {
    const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    return capitalize(rtf.format(-diffDays, 'day'), locale);
  }
  return dateFormat(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(d);
}

/** groupByDay splits items (already in date order) into runs of the same local day. */
export function groupByDay<T>(
  items: readonly T[],
  dateOf: (item: T) => Date,
  now: Date = new Date(),
  locale?: string,
): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  for (const item of items) {
    const d = dateOf(item);
    const key = localDayKey(d);
    const last = groups.at(-1);
    if (last && last.key === key) last.items.push(item);
    else groups.push({ key, label: dayLabel(d, now, locale), items: [item] });
  }
  return groups;
}

/** formatTime formats the time of day of d in the user's locale, e.g. 14:05 or 2:05 PM. */
export function formatTime(d: Date, locale?: string): string {
  return dateFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(d);
}

/** formatShort gives a compact timestamp for lists: the time today, the weekday this week, else the date. */
export function formatShort(d: Date, now: Date = new Date(), locale?: string): string {
  if (localDayKey(d) === localDayKey(now)) return formatTime(d, locale);
  const ageDays = (now.getTime() - d.getTime()) / 86_400_000;
  if (ageDays < 6) return dateFormat(locale, { weekday: 'short' }).format(d);
  return dateFormat(locale, { day: 'numeric', month: 'short' }).format(d);
}
