import { describe, expect, it } from 'vitest';
import type { ChatEvent } from './chat-api';
import { MemoryChatAPI, MemoryChatServer } from './memory-chat-api';
import { avatar } from './memory-rules';

// What only the in-memory adapter has: a clock to set and a network to cut. What it shares with the server is
// in the ChatAPI contract (memory-chat-api.contract.test.ts).

const DAY = 24 * 60 * 60 * 1000;

function world(now: () => Date) {
  const server = new MemoryChatServer({ now });
  const alice = new MemoryChatAPI(server, 'alice@example.com');
  const bob = new MemoryChatAPI(server, 'bob@example.com');
  server.addContact('alice@example.com', { email: 'bob@example.com', name: 'Bob' });
  server.addContact('bob@example.com', { email: 'alice@example.com', name: 'Alice' });
  return { server, alice, bob };
}

describe('MemoryChatAPI', () => {
  it('dates messages by its clock and forgets a clientId after seven days, as the server does', async () => {
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const { alice } = world(() => new Date(clock));
    const first = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'k' });
    expect(first.date).toBe('2026-03-01T10:00:00.000Z');
    clock += 7 * DAY - 1;
    expect(await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'k' })).toEqual(first);
    clock += 1;
    const later = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'k' });
    expect(later.id).not.toBe(first.id);
    expect(later.date).toBe('2026-03-08T10:00:00.000Z');
  });

  it('fails calls with `network` and closes its connection while offline, and opens it again after', async () => {
    const { alice } = world(() => new Date());
    const events: ChatEvent[] = [];
    alice.subscribe((e) => events.push(e));
    await Promise.resolve();
    expect(alice.connection).toBe('open');
    alice.setOnline(false);
    expect(alice.connection).toBe('closed');
    await expect(alice.getContacts()).rejects.toMatchObject({ code: 'network' });
    alice.setOnline(true);
    await Promise.resolve();
    expect(events).toEqual([
      { type: 'connection', state: 'open' },
      { type: 'connection', state: 'closed' },
      { type: 'connection', state: 'open' },
    ]);
    expect(await alice.getContacts()).toHaveLength(1);
  });

  it('draws the avatar core draws, byte for byte (printed by core.Contact.Avatar)', () => {
    expect(avatar("straße <&> 'x\"", 's@example.org')).toBe(
      'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI2NCIgaGVpZ2h0PSI2NCIgdmlld0JveD0iMCAwIDY0IDY0Ij48cmVjdCB3aWR0aD0iNjQiIGhlaWdodD0iNjQiIHJ4PSIzMiIgZmlsbD0iI2EwNDMxZiIvPjx0ZXh0IHg9IjMyIiB5PSIzMiIgZHk9Ii4zNWVtIiB0ZXh0LWFuY2hvcj0ibWlkZGxlIiBmb250LWZhbWlseT0ic3lzdGVtLXVpLHNhbnMtc2VyaWYiIGZvbnQtc2l6ZT0iMjYiIGZpbGw9IiNmZmYiPlNYPC90ZXh0Pjwvc3ZnPg==',
    );
  });
});
