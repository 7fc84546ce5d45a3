import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatAPIProvider } from '../../../api/ChatAPIContext';
import { ApiError, type ChatAPI, type Message } from '../../../api/chat-api';
import { MemoryChatAPI } from '../../../api/memory-chat-api';
import { deferred, world } from '../../../test/render';
import { useConnection } from '../../realtime/hooks/useChatEvents';
import { useConversation } from './useConversation';

function hook(api: ChatAPI, peer = 'bob@example.com', pollMs = 60_000) {
  const wrapper = ({ children }: { children: ReactNode }) => <ChatAPIProvider api={api}>{children}</ChatAPIProvider>;
  return renderHook(() => useConversation(peer, api.me, { pollMs }), { wrapper });
}

const texts = (ms: Array<{ message: string }>) => ms.map((m) => m.message);

/**
 * openHook is hook() once the view knows its connection is open and what that started has settled: polls are
 * counted from there. Before, it is connecting and polls, as many times as the machine is slow to open it.
 */
async function openHook(api: ChatAPI, peer: string, pollMs: number) {
  const wrapper = ({ children }: { children: ReactNode }) => <ChatAPIProvider api={api}>{children}</ChatAPIProvider>;
  const { result: both } = renderHook(() => ({ conversation: useConversation(peer, api.me, { pollMs }), connection: useConnection() }), {
    wrapper,
  });
  const result = {
    get current() {
      return both.current.conversation;
    },
  };
  await waitFor(() => expect(result.current.status).toBe('ready'));
  await waitFor(() => expect(both.current.connection).toBe('open'));
  await act(() => result.current.pollNow());
  return { result };
}



describe('useConversation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows a message at once as pending, then as sent when stored', async () => {
    const { alice } = world();
    const stored = deferred<Message>();
    const real = alice.addMessage.bind(alice);
    const spy = vi.spyOn(alice, 'addMessage').mockImplementationOnce(async (input) => {
      const m = await real(input);
      await stored.promise;
      return m;
    });
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));

    act(() => result.current.send('Hello Bob'));
    expect(result.current.messages).toHaveLength(1);
    expect(result.current.messages[0]).toMatchObject({ message: 'Hello Bob', status: 'pending', them: false });
    const key = result.current.messages[0]!.key;

    // The pushed copy arrives before the answer: it replaces the optimistic one, never beside it.
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));
    expect(result.current.messages).toHaveLength(1);
    await act(async () => stored.resolve({} as Message));
    expect(result.current.messages).toHaveLength(1);
    // Same React key: the bubble is updated, not replaced.
    expect(result.current.messages[0]!.key).toBe(key);
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ clientId: key, recipientNamespace: 'bob@example.com' }));
  });

  it('marks a refused message failed with the error, and retries with the same clientId', async () => {
    const { alice, bob } = world();
    const spy = vi
      .spyOn(alice, 'addMessage')
      .mockRejectedValueOnce(new ApiError('blocked', 'bob@example.com does not accept your messages.', 403));
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));

    act(() => result.current.send('Are you there?'));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('failed'));
    expect(result.current.messages[0]).toMatchObject({
      error: 'bob@example.com does not accept your messages.',
      errorCode: 'blocked',
    });

    const clientId = result.current.messages[0]!.clientId!;
    act(() => result.current.retry(clientId));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));

    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy.mock.calls[0]![0].clientId).toBe(clientId);
    expect(spy.mock.calls[1]![0].clientId).toBe(clientId);
    expect(await bob.getMessages({ recipientNamespace: 'alice@example.com' })).toHaveLength(1);
  });

  it('keeps a message sent while offline waiting, cancellable, and sends it once when the network is back', async () => {
    const { alice, bob } = world();
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));

    alice.setOnline(false);
    act(() => result.current.send('first'));
    act(() => result.current.send('second'));
    await waitFor(() => expect(result.current.messages.every((m) => m.waiting)).toBe(true));
    expect(texts(result.current.messages)).toEqual(['first', 'second']);
    expect(result.current.messages[0]).toMatchObject({ status: 'pending', waiting: true, errorCode: 'network' });

    act(() => result.current.discard(result.current.messages[1]!.clientId!));
    expect(texts(result.current.messages)).toEqual(['first']);

    alice.setOnline(true);
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));
    expect(texts(result.current.messages)).toEqual(['first']);
    expect(texts(await bob.getMessages({ recipientNamespace: 'alice@example.com' }))).toEqual(['first']);
  });

  it('does not duplicate a message stored by an attempt that looked failed', async () => {
    const { alice, bob } = world();
    const real = alice.addMessage.bind(alice);
    vi.spyOn(alice, 'addMessage').mockImplementationOnce(async (input) => {
      await real(input); // stored, but the answer is lost
      throw new ApiError('network', 'Connection lost.');
    });
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));
    act(() => result.current.send('once'));
    // The push of the stored copy shows it as sent even before the outbox tries again.
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));
    act(() => result.current.retry(result.current.messages[0]!.clientId!));
    await waitFor(() => expect(result.current.messages).toHaveLength(1));
    expect(result.current.messages).toHaveLength(1);
    expect(await bob.getMessages({ recipientNamespace: 'alice@example.com' })).toHaveLength(1);
  });

  it('shows pushed messages at once, in order, without polling', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'first' });
    const spy = vi.spyOn(alice, 'getMessages');
    const { result } = await openHook(alice, 'bob@example.com', 20);
    expect(texts(result.current.messages)).toEqual(['first']);
    const calls = spy.mock.calls.length;

    await act(async () => {
      await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'second' });
      await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'third' });
    });
    expect(texts(result.current.messages)).toEqual(['first', 'second', 'third']);
    expect(result.current.lastIncoming?.message).toBe('second');
    await act(() => new Promise((r) => setTimeout(r, 100)));
    expect(spy.mock.calls.length).toBe(calls);
  });

  it('catches up with after on reconnect: everything sent while the connection was down, exactly once', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'before' });
    const spy = vi.spyOn(alice, 'getMessages');
    const { result } = hook(alice);
    await waitFor(() => expect(texts(result.current.messages)).toEqual(['before']));
    const synced = result.current.messages[0]!.id;

    act(() => alice.setConnected(false));
    for (let i = 0; i < 230; i++) await bob.addMessage({ recipientNamespace: 'alice@example.com', message: `n${i}` });
    expect(texts(result.current.messages)).toEqual(['before']);

    const before = spy.mock.calls.length;
    act(() => alice.setConnected(true));
    await waitFor(() => expect(result.current.messages).toHaveLength(231));
    expect(texts(result.current.messages)).toEqual(['before', ...Array.from({ length: 230 }, (_, i) => `n${i}`)]);
    expect(spy).toHaveBeenCalledWith({ recipientNamespace: 'bob@example.com', limit: 100, after: synced });
    // Pages of 100 walk forward from the last message read.
    const afters = spy.mock.calls.slice(before).map((c) => c[0].after);
    expect(afters).toHaveLength(3);
    expect(afters[0]).toBe(synced);
  });

  it('polls only while the connection is down', async () => {
    const { alice, bob } = world();
    const spy = vi.spyOn(alice, 'getMessages');
    const { result } = await openHook(alice, 'bob@example.com', 30);
    const whileOpen = spy.mock.calls.length;
    await act(() => new Promise((r) => setTimeout(r, 150)));
    expect(spy.mock.calls.length).toBe(whileOpen); // five intervals, no poll

    act(() => alice.setConnected(false));
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'ping' });
    await waitFor(() => expect(texts(result.current.messages)).toEqual(['ping']), { timeout: 2000 });
    expect(spy.mock.calls.length).toBeGreaterThan(whileOpen);
  });

  it('turns my ticks delivered, then read, from the other side’s receipts', async () => {
    const { alice, bob } = world();
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));
    act(() => result.current.send('tick me'));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));
    const id = result.current.messages[0]!.id;

    await act(() => bob.ack({ recipientNamespace: 'alice@example.com', upTo: id }));
    expect(result.current.messages[0]?.status).toBe('delivered');
    await act(() => bob.ack({ recipientNamespace: 'alice@example.com', upTo: id, read: true }));
    expect(result.current.messages[0]?.status).toBe('read');
    // Watermarks never move back: delivered again, it stays read.
    await act(() => bob.ack({ recipientNamespace: 'alice@example.com', upTo: id }));
    expect(result.current.messages[0]?.status).toBe('read');
  });

  it('catches up on ticks whose receipts were pushed while the connection was down', async () => {
    const { alice, bob } = world();
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));
    act(() => result.current.send('read while you were away'));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));
    await act(() => result.current.pollNow()); // the message is now behind the catch-up point
    const id = result.current.messages[0]!.id;

    act(() => alice.setConnected(false));
    await bob.ack({ recipientNamespace: 'alice@example.com', upTo: id, read: true });
    expect(result.current.messages[0]?.status).toBe('sent');
    act(() => alice.setConnected(true));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('read'));
  });

  it('acknowledges what it shows as read, in one batched call', async () => {
    const { alice, bob } = world();
    for (let i = 0; i < 5; i++) await bob.addMessage({ recipientNamespace: 'alice@example.com', message: `m${i}` });
    const ack = vi.spyOn(alice, 'ack');
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.messages).toHaveLength(5));
    await waitFor(() => expect(ack).toHaveBeenCalled());
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack).toHaveBeenCalledWith({ recipientNamespace: 'bob@example.com', upTo: result.current.messages[4]!.id, read: true });
    expect((await bob.getMessages({ recipientNamespace: 'alice@example.com' })).map((m) => m.status)).toEqual(
      Array(5).fill('read'),
    );
    expect((await alice.getContacts())[0]).toMatchObject({ email: 'bob@example.com', unread: 0 });
  });

  it('does not acknowledge as read while the window is not focused', async () => {
    const { alice, bob } = world();
    const focus = vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'hidden' });
    const ack = vi.spyOn(alice, 'ack');
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.messages).toHaveLength(1));
    await act(() => new Promise((r) => setTimeout(r, 400)));
    expect(ack.mock.calls.filter((c) => c[0].read)).toHaveLength(0);

    focus.mockReturnValue(true);
    act(() => window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(ack).toHaveBeenCalledWith(expect.objectContaining({ read: true })));
  });

  it('sends typing at most once every 3 s', async () => {
    const { alice } = world();
    const typing = vi.spyOn(alice, 'typing');
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const { result } = hook(alice);
    for (let i = 0; i < 10; i++) result.current.typing();
    expect(typing).toHaveBeenCalledTimes(1);
    expect(typing).toHaveBeenCalledWith('bob@example.com');
    now.mockReturnValue(1_002_999);
    result.current.typing();
    expect(typing).toHaveBeenCalledTimes(1);
    now.mockReturnValue(1_003_000);
    result.current.typing();
    expect(typing).toHaveBeenCalledTimes(2);
  });

  it('loads older pages with before = the oldest id', async () => {
    const { alice } = world();
    for (let i = 0; i < 60; i++) await alice.addMessage({ recipientNamespace: 'bob@example.com', message: `m${i}` });
    const spy = vi.spyOn(alice, 'getMessages');
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.messages).toHaveLength(50));
    expect(result.current.hasOlder).toBe(true);
    const oldest = result.current.messages[0]!.id;

    await act(() => result.current.loadOlder());
    expect(spy).toHaveBeenLastCalledWith({ recipientNamespace: 'bob@example.com', limit: 50, before: oldest });
    expect(result.current.messages).toHaveLength(60);
    expect(result.current.messages[0]!.message).toBe('m0');
    expect(result.current.hasOlder).toBe(false);
  });

  it('survives a reload: a waiting message is still there and goes out with its clientId', async () => {
    const { server, alice, bob } = world();
    const first = hook(alice);
    await waitFor(() => expect(first.result.current.status).toBe('ready'));
    alice.setOnline(false);
    act(() => first.result.current.send('across a reload'));
    await waitFor(() => expect(first.result.current.messages[0]?.waiting).toBe(true));
    const clientId = first.result.current.messages[0]!.clientId;
    first.unmount();

    // A new page: a new adapter on the same storage.
    const again = new MemoryChatAPI(server, 'alice@example.com');
    const spy = vi.spyOn(again, 'addMessage');
    const second = hook(again);
    await waitFor(() => expect(second.result.current.messages[0]?.status).toBe('sent'));
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ clientId, message: 'across a reload' }));
    expect(texts(await bob.getMessages({ recipientNamespace: 'alice@example.com' }))).toEqual(['across a reload']);
  });
});
