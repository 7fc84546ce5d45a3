import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ChatAPIProvider } from '../api/ChatAPIContext';
import { ApiError, type ChatAPI, type Message } from '../api/chat-api';
import { deferred, world } from '../test/render';
import { useConversation } from './useConversation';

function hook(api: ChatAPI, peer = 'bob@example.com', pollMs = 60_000) {
  const wrapper = ({ children }: { children: ReactNode }) => <ChatAPIProvider api={api}>{children}</ChatAPIProvider>;
  return renderHook(() => useConversation(peer, api.me, { pollMs }), { wrapper });
}

describe('useConversation', () => {
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

    await act(async () => stored.resolve({} as Message));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));
    expect(result.current.messages).toHaveLength(1);
    // Same React key: the bubble is updated, not replaced.
    expect(result.current.messages[0]!.key).toBe(key);
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ clientId: key, recipientNamespace: 'bob@example.com' }));
  });

  it('marks a refused message failed with the error, and retries with the same clientId', async () => {
    const { alice, bob } = world();
    const spy = vi
      .spyOn(alice, 'addMessage')
      .mockRejectedValueOnce(new ApiError('blocked', 'This person is not accepting your messages.', 403));
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));

    act(() => result.current.send('Are you there?'));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('failed'));
    expect(result.current.messages[0]).toMatchObject({
      error: 'This person is not accepting your messages.',
      errorCode: 'blocked',
    });

    const clientId = result.current.messages[0]!.clientId!;
    act(() => result.current.retry(clientId));
    expect(result.current.messages[0]?.status).toBe('pending');
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));

    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy.mock.calls[0]![0].clientId).toBe(clientId);
    expect(spy.mock.calls[1]![0].clientId).toBe(clientId);
    expect(await bob.getMessages({ recipientNamespace: 'alice@example.com' })).toHaveLength(1);
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
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('failed'));
    act(() => result.current.retry(result.current.messages[0]!.clientId!));
    await waitFor(() => expect(result.current.messages[0]?.status).toBe('sent'));
    expect(result.current.messages).toHaveLength(1);
    expect(await bob.getMessages({ recipientNamespace: 'alice@example.com' })).toHaveLength(1);
  });

  it('picks up messages from the other side when polling', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'first' });
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.messages.map((m) => m.message)).toEqual(['first']));

    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'second' });
    await act(() => result.current.pollNow());
    expect(result.current.messages.map((m) => m.message)).toEqual(['first', 'second']);
    expect(result.current.lastIncoming?.message).toBe('second');
  });

  it('does not skip a message that arrived before my own sent one', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'first' });
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));

    // Bob writes after the last poll, then Alice sends: her stored message is newer than Bob's.
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'from bob' });
    act(() => result.current.send('from alice'));
    await waitFor(() => expect(result.current.messages.at(-1)?.status).toBe('sent'));

    await act(() => result.current.pollNow());
    expect(result.current.messages.map((m) => m.message)).toEqual(['first', 'from bob', 'from alice']);
    expect(result.current.lastIncoming?.message).toBe('from bob');
  });

  it('closes a gap longer than the catch-up limit by starting over from the newest page', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'old' });
    const { result } = hook(alice);
    await waitFor(() => expect(result.current.status).toBe('ready'));

    for (let i = 0; i < 50 * 7; i++) await bob.addMessage({ recipientNamespace: 'alice@example.com', message: `n${i}` });
    await act(() => result.current.pollNow());
    const shown = result.current.messages.map((m) => m.message);
    // Contiguous up to the newest, and the rest reachable by paging back.
    expect(shown.at(-1)).toBe('n349');
    expect(shown).not.toContain('old');
    expect(result.current.hasOlder).toBe(true);
    const first = Number(shown[0]!.slice(1));
    expect(shown).toEqual(Array.from({ length: 350 - first }, (_, i) => `n${first + i}`));
  });

  it('polls on its own while the tab is visible', async () => {
    const { alice, bob } = world();
    const { result } = hook(alice, 'bob@example.com', 30);
    await waitFor(() => expect(result.current.status).toBe('ready'));
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'ping' });
    await waitFor(() => expect(result.current.messages.map((m) => m.message)).toEqual(['ping']), { timeout: 2000 });
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
});
