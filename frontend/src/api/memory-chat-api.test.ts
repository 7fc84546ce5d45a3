import { describe, expect, it } from 'vitest';
import { world } from '../test/render';
import { MemoryChatAPI } from './memory-chat-api';

describe('MemoryChatAPI', () => {
  it('stores one message for a repeated clientId', async () => {
    const { alice, bob } = world();
    const first = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'c1' });
    const again = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'c1' });
    expect(again).toEqual(first);
    const seen = await bob.getMessages({ recipientNamespace: 'alice@example.com' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ message: 'hi', them: true, sender: 'alice@example.com' });
  });

  it('refuses messages across a block, both ways', async () => {
    const { alice, bob } = world();
    await alice.blockContact('bob@example.com');
    await expect(bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'hi' })).rejects.toMatchObject({
      code: 'blocked',
      status: 403,
    });
    await expect(alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi' })).rejects.toMatchObject({
      code: 'blocked',
    });
  });

  it('shows a stranger who wrote as a request', async () => {
    const { server, alice } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    await carol.addContact({ email: 'alice@example.com', name: 'Alice' });
    await carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'hello?' });
    const contacts = await alice.getContacts();
    expect(contacts[0]).toMatchObject({ email: 'carol@example.com', request: true, unread: 1 });
  });

  it('pages older messages with before', async () => {
    const { alice } = world();
    for (let i = 0; i < 7; i++) await alice.addMessage({ recipientNamespace: 'bob@example.com', message: `m${i}` });
    const newest = await alice.getMessages({ recipientNamespace: 'bob@example.com', limit: 3 });
    expect(newest.map((m) => m.message)).toEqual(['m4', 'm5', 'm6']);
    const older = await alice.getMessages({ recipientNamespace: 'bob@example.com', limit: 3, before: newest[0]!.id });
    expect(older.map((m) => m.message)).toEqual(['m1', 'm2', 'm3']);
  });
});
