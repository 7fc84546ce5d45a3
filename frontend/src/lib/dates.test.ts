import { describe, expect, it } from 'vitest';
import { dayLabel, groupByDay, localDayKey } from './dates';

describe('groupByDay', () => {
  const now = new Date(2024, 2, 15, 10, 0); // 15 March 2024, 10:00 local time

  it('labels today, yesterday and older days, in order', () => {
    const items = [
      { id: 'a', at: new Date(2024, 2, 10, 23, 59) },
      { id: 'b', at: new Date(2024, 2, 14, 0, 1) },
      { id: 'c', at: new Date(2024, 2, 14, 23, 59) },
      { id: 'd', at: new Date(2024, 2, 15, 0, 0) },
      { id: 'e', at: new Date(2024, 2, 15, 9, 59) },
    ];
    const groups = groupByDay(items, (i) => i.at, now, 'en-GB');
    const full = new Intl.DateTimeFormat('en-GB', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
    expect(groups.map((g) => g.label)).toEqual([full.format(items[0]!.at), 'Yesterday', 'Today']);
    expect(groups[0]!.label).toMatch(/Sunday,? 10 March 2024/);
    expect(groups.map((g) => g.items.map((i) => i.id))).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('groups by the local calendar day, not by UTC', () => {
    const late = new Date(2024, 2, 14, 23, 30);
    const early = new Date(2024, 2, 15, 0, 30);
    expect(localDayKey(late)).toBe('2024-03-14');
    expect(localDayKey(early)).toBe('2024-03-15');
    expect(groupByDay([late, early], (d) => d, now, 'en')).toHaveLength(2);
  });

  it("uses the user's locale", () => {
    expect(dayLabel(new Date(2024, 2, 15, 8), now, 'fr')).toBe("Aujourd’hui");
    expect(dayLabel(new Date(2024, 2, 14, 8), now, 'de')).toBe('Gestern');
    expect(dayLabel(new Date(2024, 0, 2), now, 'en-US')).toMatch(/^Tuesday, January 2, 2024$/);
  });

  it('returns no groups for no items', () => {
    expect(groupByDay([], () => now)).toEqual([]);
  });
});
