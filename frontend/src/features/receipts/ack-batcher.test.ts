import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type AckInput } from '../../api/chat-api';
import { AckBatcher } from './ack-batcher';

function fakeAck() {
  return vi.fn(async (input: AckInput) => ({ delivered: input.upTo, read: input.read ? input.upTo : '' }));
}

describe('AckBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one acknowledgement per person and window, for the newest message', async () => {
    const ack = fakeAck();
    const acks = new AckBatcher({ ack }, 250);
    for (const id of ['01', '02', '03']) acks.delivered('bob@example.com', id);
    acks.delivered('carol@example.com', '05');
    expect(ack).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(250);
    expect(ack.mock.calls.map((c) => c[0])).toEqual([
      { recipientNamespace: 'bob@example.com', upTo: '03' },
      { recipientNamespace: 'carol@example.com', upTo: '05' },
    ]);
  });

  it('lets read stand for delivered, and sends delivered only beyond it', async () => {
    const ack = fakeAck();
    const acks = new AckBatcher({ ack }, 250);
    acks.delivered('bob@example.com', '03');
    acks.read('bob@example.com', '03');
    await vi.advanceTimersByTimeAsync(250);
    expect(ack.mock.calls.map((c) => c[0])).toEqual([{ recipientNamespace: 'bob@example.com', upTo: '03', read: true }]);

    acks.read('bob@example.com', '04');
    acks.delivered('bob@example.com', '06');
    await vi.advanceTimersByTimeAsync(250);
    expect(ack.mock.calls.slice(1).map((c) => c[0])).toEqual([
      { recipientNamespace: 'bob@example.com', upTo: '04', read: true },
      { recipientNamespace: 'bob@example.com', upTo: '06' },
    ]);
  });

  it('never sends what the server already has', async () => {
    const ack = fakeAck();
    const acks = new AckBatcher({ ack }, 250);
    acks.read('bob@example.com', '05');
    await vi.advanceTimersByTimeAsync(250);
    acks.read('bob@example.com', '04');
    acks.delivered('bob@example.com', '05');
    await vi.advanceTimersByTimeAsync(250);
    expect(ack).toHaveBeenCalledTimes(1);
  });

  it('keeps a failed acknowledgement for a later batch', async () => {
    const ack = fakeAck().mockRejectedValueOnce(new ApiError('network', 'offline'));
    const acks = new AckBatcher({ ack }, 250);
    acks.read('bob@example.com', '07');
    await vi.advanceTimersByTimeAsync(250);
    expect(ack).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ack).toHaveBeenCalledTimes(2);
    expect(ack.mock.calls[1]![0]).toEqual({ recipientNamespace: 'bob@example.com', upTo: '07', read: true });
  });
});
