import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { useConversation } from '../features/messages/hooks/useConversation';
import { fakeBackend } from '../test/fake-backend';
import { FakeConnectivity, fakeSockets } from '../test/fake-socket';
import { world } from '../test/render';
import { ChatAPIProvider } from './ChatAPIContext';
import type { ChatEvent } from './chat-api';
import { RestChatAPI } from './rest-chat-api';

// The REST adapter with its socket client, against a fake WebSocket and a fake fetch, both served by the
// in-memory server: what the views see when pushes come, are lost, and the connection comes back.
function setup(history: string[] = []) {
  const { server, bob } = world();
  for (const message of history) server.addMessage('bob@example.com', { recipientNamespace: 'alice@example.com', message });
  const backend = fakeBackend(server);
  const fake = fakeSockets({ autoPong: true });
  const net = new FakeConnectivity();
  const alice = new RestChatAPI({
    apiURL: 'http://api.test',
    wsURL: 'ws://api.test/ws',
    getToken: () => 'alice@example.com',
    me: 'alice@example.com',
    fetch: backend.fetch,
    socket: { createSocket: fake.create, connectivity: net, random: () => 0, timing: { backoffBaseMs: 20 } },
  });
  const wrapper = ({ children }: { children: ReactNode }) => <ChatAPIProvider api={alice}>{children}</ChatAPIProvider>;
  const view = renderHook(() => useConversation('bob@example.com', 'alice@example.com', { pollMs: 60_000 }), { wrapper });
  return { server, bob, alice, backend, fake, net, view };
}

const texts = (ms: Array<{ message: string }>) => ms.map((m) => m.message);

describe('RestChatAPI realtime', () => {
  it('opens one socket for all listeners, with the token as a subprotocol', async () => {
    const { alice, fake, backend } = setup();
    await waitFor(() => expect(fake.sockets).toHaveLength(1));
    const events: ChatEvent[] = [];
    const off = alice.subscribe((e) => events.push(e));
    expect(fake.sockets).toHaveLength(1);
    expect(fake.last().protocols).toEqual(['parley.v1', 'bearer.alice@example.com']);
    act(() => void backend.accept(fake.last()));
    expect(alice.connection).toBe('open');
    expect(events).toContainEqual({ type: 'connection', state: 'open' });
    off();
  });

  it('shows a pushed message once even when its frame comes twice and a resync reads it again', async () => {
    const { bob, backend, fake, view } = setup();
    await waitFor(() => expect(fake.sockets).toHaveLength(1));
    act(() => void backend.accept(fake.last()));
    await waitFor(() => expect(view.result.current.status).toBe('ready'));

    const m = await act(() => bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'pushed' }));
    await waitFor(() => expect(texts(view.result.current.messages)).toEqual(['pushed']));
    act(() => fake.last().receive({ type: 'message', message: { ...m, them: true } }));
    await act(() => view.result.current.pollNow());
    expect(texts(view.result.current.messages)).toEqual(['pushed']);
  });

  it('reconnects after a drop and resyncs with after: what was sent meanwhile appears, in order, exactly once', async () => {
    const { server, bob, backend, fake, view } = setup(['zero']);
    const read = vi.spyOn(server, 'getMessages');
    await waitFor(() => expect(fake.sockets).toHaveLength(1));
    act(() => void backend.accept(fake.last()));
    await waitFor(() => expect(texts(view.result.current.messages)).toEqual(['zero']));
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'one' });
    await waitFor(() => expect(texts(view.result.current.messages)).toEqual(['zero', 'one']));

    act(() => fake.last().drop());
    for (const text of ['two', 'three', 'four']) await bob.addMessage({ recipientNamespace: 'alice@example.com', message: text });
    expect(texts(view.result.current.messages)).toEqual(['zero', 'one']);

    await waitFor(() => expect(fake.sockets).toHaveLength(2));
    act(() => void backend.accept(fake.last()));
    const all = ['zero', 'one', 'two', 'three', 'four'];
    await waitFor(() => expect(texts(view.result.current.messages)).toEqual(all));
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'five' });
    await waitFor(() => expect(texts(view.result.current.messages)).toEqual([...all, 'five']));
    expect(read.mock.calls.some(([, query]) => query.after !== undefined)).toBe(true);
  });

  it('sends a message written offline when the network and the socket come back, once, with its clientId', async () => {
    const { bob, backend, fake, net, view } = setup();
    await waitFor(() => expect(fake.sockets).toHaveLength(1));
    act(() => void backend.accept(fake.last()));
    await waitFor(() => expect(view.result.current.status).toBe('ready'));

    backend.state.down = true;
    act(() => net.set(false));
    act(() => view.result.current.send('written offline'));
    await waitFor(() => expect(view.result.current.messages[0]).toMatchObject({ status: 'pending', waiting: true }));

    backend.state.down = false;
    act(() => net.set(true));
    await waitFor(() => expect(fake.sockets).toHaveLength(2));
    act(() => void backend.accept(fake.last()));
    await waitFor(() => expect(view.result.current.messages[0]?.status).toBe('sent'));
    expect(texts(view.result.current.messages)).toEqual(['written offline']);
    expect(texts(await bob.getMessages({ recipientNamespace: 'alice@example.com' }))).toEqual(['written offline']);
  });

  it('sends typing as a frame and acknowledges through POST /ack', async () => {
    const { alice, bob, backend, fake, view } = setup();
    await waitFor(() => expect(fake.sockets).toHaveLength(1));
    act(() => void backend.accept(fake.last()));
    await waitFor(() => expect(view.result.current.status).toBe('ready'));
    act(() => view.result.current.typing());
    expect(fake.last().frames()).toContainEqual({ action: 'typing', to: 'bob@example.com' });

    const m = await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'read me' });
    await waitFor(async () =>
      expect((await bob.getMessages({ recipientNamespace: 'alice@example.com' }))[0]?.status).toBe('read'),
    );
    expect(await alice.ack({ recipientNamespace: 'bob@example.com', upTo: m.id })).toEqual({ delivered: m.id, read: m.id });
  });
});
