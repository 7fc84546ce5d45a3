import type { ChatAPI, Watermarks } from '../../api/chat-api';

interface Pending {
  delivered?: string;
  read?: string;
}

const maxId = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b;

/**
 * AckBatcher gathers receipts and sends them together: within one window, any number of messages from one
 * person become at most one `read` and one `delivered` acknowledgement (read implies delivered), and nothing is
 * sent for what the server already has. A failed acknowledgement is kept and goes with the next batch.
 */
export class AckBatcher {
  private readonly api: Pick<ChatAPI, 'ack'>;
  private readonly windowMs: number;
  private readonly pending = new Map<string, Pending>();
  private readonly acked = new Map<string, Watermarks>();
  private timer?: ReturnType<typeof setTimeout>;
  private flushing?: Promise<void>;
  private stopped = false;

  constructor(api: Pick<ChatAPI, 'ack'>, windowMs = 250) {
    this.api = api;
    this.windowMs = windowMs;
  }

  /** delivered records that this device has the messages from peer up to id. */
  delivered(peer: string, id: string): void {
    this.add(peer, { delivered: id });
  }

  /** read records that the messages from peer up to id were displayed. */
  read(peer: string, id: string): void {
    this.add(peer, { read: id });
  }

  /** stop drops what is pending (sign-out). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.pending.clear();
  }

  /** flush sends what is pending now. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    const batch = [...this.pending];
    this.pending.clear();
    if (batch.length === 0) return;
    this.flushing = Promise.all(batch.map(([peer, p]) => this.send(peer, p))).then(() => undefined);
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private add(peer: string, p: Pending): void {
    if (this.stopped || !id(p)) return;
    const old = this.pending.get(peer) ?? {};
    const next: Pending = {};
    const read = maxId(old.read, p.read);
    const delivered = maxId(old.delivered, p.delivered);
    if (read !== undefined) next.read = read;
    if (delivered !== undefined) next.delivered = delivered;
    this.pending.set(peer, next);
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
  }

  private async send(peer: string, p: Pending): Promise<void> {
    const have = this.acked.get(peer) ?? { delivered: '', read: '' };
    const read = p.read !== undefined && p.read > have.read ? p.read : undefined;
    const deliveredFloor = maxId(read, have.delivered) ?? '';
    const delivered = p.delivered !== undefined && p.delivered > deliveredFloor ? p.delivered : undefined;
    try {
      if (read !== undefined) this.record(peer, await this.api.ack({ recipientNamespace: peer, upTo: read, read: true }));
      if (delivered !== undefined) this.record(peer, await this.api.ack({ recipientNamespace: peer, upTo: delivered }));
    } catch {
      // Keep it for the next batch; a later acknowledgement covers it anyway.
      this.add(peer, p);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.flush(), Math.max(this.windowMs, 5000));
    }
  }

  private record(peer: string, w: Watermarks | undefined): void {
    if (!w) return;
    const old = this.acked.get(peer) ?? { delivered: '', read: '' };
    this.acked.set(peer, {
      delivered: maxId(old.delivered, w.delivered ?? '') ?? '',
      read: maxId(old.read, w.read ?? '') ?? '',
    });
  }
}

function id(p: Pending): string | undefined {
  return p.read ?? p.delivered;
}
