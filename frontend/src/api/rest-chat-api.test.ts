import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './chat-api';
import { RestChatAPI } from './rest-chat-api';

function setup(response: () => Response = () => new Response('[]', { status: 200 })) {
  const fetchFn = vi.fn<typeof fetch>().mockImplementation(async () => response());
  const onUnauthorized = vi.fn();
  const api = new RestChatAPI({
    apiURL: 'https://x.cloudfront.net/api/',
    getToken: () => 'the-id-token',
    onUnauthorized,
    fetch: fetchFn,
  });
  const call = (i = 0) => {
    const [url, init] = fetchFn.mock.calls[i]!;
    return {
      url: String(url),
      method: init?.method,
      headers: init?.headers as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
  };
  return { api, fetchFn, onUnauthorized, call };
}

describe('RestChatAPI', () => {
  it('calls every route of the contract with the ID token', async () => {
    const { api, fetchFn, call } = setup(() => new Response('{}', { status: 200 }));
    fetchFn.mockImplementation(async (url) =>
      new Response(String(url).endsWith('/get-contacts') ? '[]' : '{}', { status: 200 }),
    );
    await api.addContact({ email: 'bob@example.com', name: 'Bob' });
    await api.getContacts();
    await api.blockContact('bob@example.com');
    await api.unblockContact('bob@example.com');
    await api.reportContact('bob@example.com', 'spam');
    await api.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'c1' });
    await api.getMessages({ recipientNamespace: 'bob@example.com', limit: 50, before: '01ABC' });

    const calls = [0, 1, 2, 3, 4, 5, 6].map(call);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://x.cloudfront.net/api/add-contact',
      'GET https://x.cloudfront.net/api/get-contacts',
      'POST https://x.cloudfront.net/api/block-contact',
      'POST https://x.cloudfront.net/api/unblock-contact',
      'POST https://x.cloudfront.net/api/report-contact',
      'POST https://x.cloudfront.net/api/add-message',
      'GET https://x.cloudfront.net/api/get-messages?recipientNamespace=bob%40example.com&limit=50&before=01ABC',
    ]);
    expect(calls.map((c) => c.body)).toEqual([
      { email: 'bob@example.com', name: 'Bob' },
      undefined,
      { email: 'bob@example.com' },
      { email: 'bob@example.com' },
      { email: 'bob@example.com', report: 'spam' },
      { recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'c1' },
      undefined,
    ]);
    for (const c of calls) expect(c.headers.Authorization).toBe('Bearer the-id-token');
  });

  it('surfaces the message and keeps the code of an API error', async () => {
    const { api } = setup(
      () => new Response(JSON.stringify({ code: 'blocked', message: 'You cannot message this person.' }), { status: 403 }),
    );
    const err = await api.addMessage({ recipientNamespace: 'b@x.io', message: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'blocked', status: 403, message: 'You cannot message this person.' });
  });

  it('tells the app when the token is refused', async () => {
    const { api, onUnauthorized } = setup(
      () => new Response(JSON.stringify({ code: 'unauthorized', message: 'token expired' }), { status: 401 }),
    );
    await expect(api.getContacts()).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('copes with an error that is not JSON', async () => {
    const { api } = setup(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(api.getContacts()).rejects.toMatchObject({ code: 'internal', status: 502 });
  });

  it('turns a failed fetch into a network error', async () => {
    const { api, fetchFn } = setup();
    fetchFn.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(api.getContacts()).rejects.toMatchObject({ code: 'network' });
  });

  it('leaves out clientId and before when not given', async () => {
    const { api, call } = setup(() => new Response('{}', { status: 201 }));
    await api.addMessage({ recipientNamespace: 'b@x.io', message: 'hi' });
    await api.getMessages({ recipientNamespace: 'b@x.io' });
    expect(call(0).body).toEqual({ recipientNamespace: 'b@x.io', message: 'hi' });
    expect(call(1).url).toBe('https://x.cloudfront.net/api/get-messages?recipientNamespace=b%40x.io');
  });

  it('gives up on a request that hangs, with a network error', async () => {
    const fetchFn = vi.fn<typeof fetch>().mockImplementation(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
        }),
    );
    const api = new RestChatAPI({ apiURL: 'https://x.test', getToken: () => 't', fetch: fetchFn, timeoutMs: 20 });
    await expect(api.getContacts()).rejects.toMatchObject({ code: 'network', message: expect.stringMatching(/too long/) });
  });
});

describe('RestChatAPI.getContacts', () => {
  it('follows the X-Next-Cursor pages and sorts the whole list by recent activity', async () => {
    const contact = (email: string, lastActivity: string) => ({
      id: email,
      email,
      name: email,
      avatar: '',
      blocked: false,
      lastActivity,
    });
    const pages = [
      new Response(JSON.stringify([contact('a@example.com', '2026-01-01T00:00:01.000Z')]), {
        status: 200,
        headers: { 'X-Next-Cursor': 'YUBleGFtcGxlLmNvbQ' },
      }),
      new Response(JSON.stringify([contact('b@example.com', '2026-01-01T00:00:03.000Z')]), {
        status: 200,
        headers: { 'X-Next-Cursor': 'YkBleGFtcGxlLmNvbQ' },
      }),
      new Response(JSON.stringify([contact('c@example.com', '2026-01-01T00:00:02.000Z')]), { status: 200 }),
    ];
    const { api, fetchFn, call } = setup(() => pages.shift()!);
    const contacts = await api.getContacts();
    expect(contacts.map((c) => c.email)).toEqual(['b@example.com', 'c@example.com', 'a@example.com']);
    expect(fetchFn).toHaveBeenCalledTimes(3);
    expect([0, 1, 2].map((i) => call(i).url)).toEqual([
      'https://x.cloudfront.net/api/get-contacts',
      'https://x.cloudfront.net/api/get-contacts?cursor=YUBleGFtcGxlLmNvbQ',
      'https://x.cloudfront.net/api/get-contacts?cursor=YkBleGFtcGxlLmNvbQ',
    ]);
  });
});

describe('RestChatAPI.channels', () => {
  const hang: typeof fetch = (_url, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
    });

  it('calls through the chat’s one HTTP client: its base, token, timeout and 401 handling', async () => {
    const onUnauthorized = vi.fn();
    const fetchFn = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(new Response(JSON.stringify({ channel: 'finals', email: 'c@x.io', name: 'Cas', addedAt: '' }), { status: 200 }))
      .mockResolvedValueOnce(new Response(JSON.stringify({ code: 'unauthorized', message: 'Sign in again.' }), { status: 401 }))
      .mockImplementationOnce(hang);
    const api = new RestChatAPI({ apiURL: 'https://x.test/api/', getToken: () => 'tok', fetch: fetchFn, timeoutMs: 20, onUnauthorized });

    await api.channels.addPublisher({ channel: 'finals', email: 'c@x.io', name: 'Cas' });
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('https://x.test/api/add-publisher');
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer tok');

    await expect(api.channels.deletePost({ channel: 'finals', id: 'p1' })).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    await expect(api.channels.postToChannel({ channel: 'finals', message: 'hi' })).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(/too long/),
    });
  });

  it('carries Retry-After on a throttled post', async () => {
    const api = new RestChatAPI({
      apiURL: 'https://x.test',
      getToken: () => 'tok',
      fetch: async () => new Response(JSON.stringify({ code: 'throttled', message: 'Slow down.' }), { status: 429, headers: { 'Retry-After': '7' } }),
    });
    await expect(api.channels.postToChannel({ channel: 'finals', message: 'hi' })).rejects.toMatchObject({ code: 'throttled', retryAfterMs: 7000 });
  });
});
