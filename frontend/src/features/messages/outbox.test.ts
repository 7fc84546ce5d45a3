import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type AddMessageInput, type Message } from '../../api/chat-api';
import { Outbox, outboxKey } from './outbox';

function stored(input: AddMessageInput): Message {
  return {
    id: `id-${input.clientId}`,
    message: input.message,
    date: new Date().toISOString(),
    sender: 'alice@example.com',
    recipient: input.recipientNamespace,
    them: false,
    ...(input.clientId ? { clientId: input.clientId } : {}),
  };
}

describe('Outbox', () => {
  const key = outboxKey('alice@example.com');

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends in order, tells who listens, and forgets what went through', async () => {
    const sent: string[] = [];
    const addMessage = vi.fn(async (input: AddMessageInput) => stored(input));
    const outbox = new Outbox({ api: { addMessage }, storage: localStorage, key });
    outbox.onSent((m) => sent.push(m.message));
    outbox.send('bob@example.com', 'one');
    outbox.send('carol@example.com', 'two');
    expect(outbox.snapshot().map((e) => e.message)).toEqual(['one', 'two']);
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['one', 'two']);
    expect(outbox.snapshot()).toEqual([]);
    expect(localStorage.getItem(key)).toBeNull();
  });

  it('keeps a message through a network failure, retries with backoff and the same clientId', async () => {
    const addMessage = vi
      .fn(async (input: AddMessageInput) => stored(input))
      .mockRejectedValueOnce(new ApiError('network', 'offline'))
      .mockRejectedValueOnce(new ApiError('internal', 'server trouble', 500));
    const outbox = new Outbox({ api: { addMessage }, storage: localStorage, key, retryBaseMs: 1000 });
    const entry = outbox.send('bob@example.com', 'hello');
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.snapshot()[0]).toMatchObject({ state: 'waiting', errorCode: 'network' });
    await vi.advanceTimersByTimeAsync(1000); // first retry within 500-1000 ms
    expect(addMessage).toHaveBeenCalledTimes(2);
    expect(outbox.snapshot()[0]).toMatchObject({ state: 'waiting', errorCode: 'internal' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(addMessage).toHaveBeenCalledTimes(3);
    expect(outbox.snapshot()).toEqual([]);
    expect(addMessage.mock.calls.map((c) => c[0].clientId)).toEqual([entry.clientId, entry.clientId, entry.clientId]);
  });

  it('waits exactly as long as the server says when a send is over budget, and says until when', async () => {
    vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
    const addMessage = vi
      .fn(async (input: AddMessageInput) => stored(input))
      .mockRejectedValueOnce(new ApiError('throttled', 'You are sending too fast. Try again in 7 s.', 429, 7000));
    const outbox = new Outbox({ api: { addMessage }, storage: localStorage, key, retryBaseMs: 60_000 });
    const entry = outbox.send('bob@example.com', 'hello');
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.snapshot()[0]).toMatchObject({ state: 'waiting', errorCode: 'throttled', retryAt: '2026-03-01T12:00:07.000Z' });
    await vi.advanceTimersByTimeAsync(6999);
    expect(addMessage).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(addMessage).toHaveBeenCalledTimes(2);
    expect(addMessage.mock.calls[1]![0].clientId).toBe(entry.clientId);
    expect(outbox.snapshot()).toEqual([]);
  });

  it('keeps a message from a suspended account as failed', async () => {
    const addMessage = vi.fn(async (input: AddMessageInput) => stored(input)).mockRejectedValue(new ApiError('suspended', 'Your account is suspended.', 403));
    const outbox = new Outbox({ api: { addMessage }, storage: localStorage, key });
    outbox.send('bob@example.com', 'hello');
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.snapshot()[0]).toMatchObject({ state: 'failed', errorCode: 'suspended' });
    expect(outbox.snapshot()[0]).not.toHaveProperty('retryAt');
  });

  it('goes out at once when kicked (the connection is back), without waiting for the backoff', async () => {
    const addMessage = vi.fn(async (input: AddMessageInput) => stored(input)).mockRejectedValueOnce(new ApiError('network', 'offline'));
    const outbox = new Outbox({ api: { addMessage }, storage: localStorage, key, retryBaseMs: 60_000 });
    outbox.send('bob@example.com', 'hello');
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.snapshot()).toHaveLength(1);
    outbox.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.snapshot()).toEqual([]);
  });

  it('marks a refused message failed, and carries on with the next', async () => {
    const addMessage = vi
      .fn(async (input: AddMessageInput) => stored(input))
      .mockRejectedValueOnce(new ApiError('blocked', 'bob@example.com does not accept your messages.', 403));
    const outbox = new Outbox({ api: { addMessage }, storage: localStorage, key });
    outbox.send('bob@example.com', 'refused');
    outbox.send('carol@example.com', 'fine');
    await vi.runAllTimersAsync();
    expect(outbox.snapshot()).toEqual([
      expect.objectContaining({ message: 'refused', state: 'failed', errorCode: 'blocked' }),
    ]);
  });

  it('cancels a waiting message, but not one on its way', async () => {
    let release!: () => void;
    const addMessage = vi.fn(
      (input: AddMessageInput) => new Promise<Message>((resolve) => (release = () => resolve(stored(input)))),
    );
    const outbox = new Outbox({ api: { addMessage }, storage: localStorage, key });
    const first = outbox.send('bob@example.com', 'on its way');
    const second = outbox.send('bob@example.com', 'waiting');
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.cancel(first.clientId)).toBe(false);
    expect(outbox.cancel(second.clientId)).toBe(true);
    release();
    await vi.runAllTimersAsync();
    expect(addMessage).toHaveBeenCalledTimes(1);
    expect(outbox.snapshot()).toEqual([]);
  });

  it('survives a reload: entries are read back, one on its way is sent again with its clientId', async () => {
    const hang = vi.fn(() => new Promise<Message>(() => {}));
    const page1 = new Outbox({ api: { addMessage: hang }, storage: localStorage, key });
    const entry = page1.send('bob@example.com', 'across a reload');
    await vi.advanceTimersByTimeAsync(0);
    expect(page1.snapshot()[0]?.state).toBe('sending');
    page1.stop();

    const addMessage = vi.fn(async (input: AddMessageInput) => stored(input));
    const page2 = new Outbox({ api: { addMessage }, storage: localStorage, key });
    expect(page2.snapshot()).toEqual([expect.objectContaining({ clientId: entry.clientId, state: 'waiting' })]);
    page2.kick();
    await vi.runAllTimersAsync();
    expect(addMessage).toHaveBeenCalledWith({ recipientNamespace: 'bob@example.com', message: 'across a reload', clientId: entry.clientId });
  });

  it('does not overwrite the entries another tab wrote', () => {
    const never = vi.fn(() => new Promise<Message>(() => {}));
    const tabA = new Outbox({ api: { addMessage: never }, storage: localStorage, key });
    const tabB = new Outbox({ api: { addMessage: never }, storage: localStorage, key });
    tabA.send('bob@example.com', 'from A');
    tabB.send('bob@example.com', 'from B');
    const saved = JSON.parse(localStorage.getItem(key) ?? '[]') as Array<{ message: string }>;
    expect(saved.map((e) => e.message).sort()).toEqual(['from A', 'from B']);
  });

  it('ignores storage it cannot read', () => {
    localStorage.setItem(key, '{not json');
    const outbox = new Outbox({ api: { addMessage: vi.fn() }, storage: localStorage, key });
    expect(outbox.snapshot()).toEqual([]);
  });
});
