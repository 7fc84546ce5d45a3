import { describe, expect, it } from 'vitest';
import { initials } from './people';

describe('initials', () => {
  it.each([
    ['Ada Lovelace', 'ada@x.io', 'AL'],
    ['grace', 'grace@x.io', 'G'],
    ['', 'jean-luc.picard@x.io', 'JP'],
    ['bob@example.com', 'bob@example.com', 'B'],
    ['Émile Zola', 'e@x.io', 'ÉZ'],
  ])('%s <%s> -> %s', (name, email, want) => {
    expect(initials(name, email)).toBe(want);
  });
});
