import { describe, expect, it } from 'vitest';
import { world } from '../test/render';
import type { ChatEvent } from './chat-api';
import { MemoryChatAPI } from './memory-chat-api';

function listen(api: MemoryChatAPI): ChatEvent[] {
  const events: ChatEvent[] = [];
  api.subscribe((e) => events.push(e));
  return events;
}
const pushed = (events: ChatEvent[]) => events.filter((e) => e.type !== 'connection');

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

  it('pushes a message to both members, never to a stranger', async () => {
    const { server, alice, bob } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    const [a, b, c] = [listen(alice), listen(bob), listen(carol)];
    const m = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi', clientId: 'k1' });
    expect(pushed(a)).toEqual([{ type: 'message', message: { ...m, status: 'sent' } }]);
    expect(pushed(b)).toEqual([{ type: 'message', message: { ...m, them: true } }]);
    expect(pushed(c)).toEqual([]);
  });

  it('pushes a request to the recipient of a stranger’s first message', async () => {
    const { server, alice } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    await carol.addContact({ email: 'alice@example.com', name: 'Alice' });
    const a = listen(alice);
    await carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'hello?' });
    await carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'anyone?' });
    const contacts = pushed(a).filter((e) => e.type === 'contact');
    expect(contacts).toEqual([{ type: 'contact', contact: expect.objectContaining({ email: 'carol@example.com', request: true, unread: 1 }) }]);
  });

  it('moves watermarks forward only, pushes receipts, and counts unread from the read watermark', async () => {
    const { alice, bob } = world();
    const a = listen(alice);
    const m1 = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'one' });
    const m2 = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'two' });
    expect((await bob.getContacts())[0]?.unread).toBe(2);
    expect(await bob.ack({ recipientNamespace: 'alice@example.com', upTo: m2.id })).toEqual({ delivered: m2.id, read: '' });
    expect(await bob.ack({ recipientNamespace: 'alice@example.com', upTo: m1.id, read: true })).toEqual({ delivered: m2.id, read: m1.id });
    expect(await bob.ack({ recipientNamespace: 'alice@example.com', upTo: m1.id })).toEqual({ delivered: m2.id, read: m1.id });
    expect((await bob.getContacts())[0]?.unread).toBe(1);
    expect(pushed(a).filter((e) => e.type === 'receipt')).toEqual([
      { type: 'receipt', with: 'bob@example.com', delivered: m2.id, read: '' },
      { type: 'receipt', with: 'bob@example.com', delivered: m2.id, read: m1.id },
    ]);
    expect((await alice.getMessages({ recipientNamespace: 'bob@example.com' })).map((m) => m.status)).toEqual(['read', 'delivered']);
  });

  it('sends typing only to a member who has the sender as a contact, and not across a block', async () => {
    const { server, alice, bob } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    await carol.addContact({ email: 'alice@example.com', name: 'Alice' });
    const [a, b] = [listen(alice), listen(bob)];
    listen(carol);
    await Promise.resolve();
    bob.typing('alice@example.com');
    carol.typing('alice@example.com'); // Alice has not added Carol
    await alice.blockContact('bob@example.com');
    alice.typing('bob@example.com');
    expect(pushed(a)).toEqual([{ type: 'typing', from: 'bob@example.com' }]);
    expect(pushed(b)).toEqual([]);
  });

  it('reads the oldest messages after an id, and refuses after with before', async () => {
    const { alice } = world();
    for (let i = 0; i < 7; i++) await alice.addMessage({ recipientNamespace: 'bob@example.com', message: `m${i}` });
    const all = await alice.getMessages({ recipientNamespace: 'bob@example.com' });
    const page = await alice.getMessages({ recipientNamespace: 'bob@example.com', after: all[1]!.id, limit: 3 });
    expect(page.map((m) => m.message)).toEqual(['m2', 'm3', 'm4']);
    await expect(
      alice.getMessages({ recipientNamespace: 'bob@example.com', after: all[1]!.id, before: all[5]!.id }),
    ).rejects.toMatchObject({ code: 'invalid' });
  });
});
