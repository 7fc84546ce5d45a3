import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './chat-api';
import { RestChatAPI } from './rest-chat-api';

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('travels with the error of a send over budget', async () => {
    const api = new RestChatAPI({
      apiURL: 'https://x.example.com/api/',
      getToken: () => 'token',
      fetch: async () =>
        new Response(JSON.stringify({ code: 'throttled', message: 'You are sending too fast. Try again in 4 s.' }), {
          status: 429,
          headers: { 'Retry-After': '4' },
        }),
    });
    const err = await api.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'c1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'throttled', status: 429, retryAfterMs: 4000 });
  });

  it('is absent when the server gives none', async () => {
    const api = new RestChatAPI({
      apiURL: 'https://x.example.com/api/',
      getToken: () => 'token',
      fetch: async () => new Response(JSON.stringify({ code: 'suspended', message: 'Your account is suspended.' }), { status: 403 }),
    });
    const err = await api.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'suspended', status: 403, retryAfterMs: undefined });
  });
});
