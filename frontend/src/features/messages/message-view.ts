import type { ApiErrorCode, Message, Tick, Watermarks } from '../../api/chat-api';

/** DeliveryStatus is what a bubble shows: still on this device (pending, failed) or how far it got (ticks). */
export type DeliveryStatus = 'pending' | 'failed' | Tick;

/** ChatMessage is a message as the views show it: stored, or still in this device's outbox. */
export interface ChatMessage extends Omit<Message, 'status'> {
  /** Stable React key: the clientId when there is one, so pending -> sent keeps the same element. */
  key: string;
  status: DeliveryStatus;
  /** A pending message that waits for the connection (it can be cancelled), rather than one on its way. */
  waiting?: boolean;
  /** Why sending failed or waits, for people. */
  error?: string;
  errorCode?: ApiErrorCode;
  /** When a waiting message may be sent again, as the server said (RFC 3339). */
  retryAt?: string;
}

const TICK_RANK: Record<Tick, number> = { sent: 0, delivered: 1, read: 2 };

/** mergeById merges incoming into current in id order, never twice, never taking a tick back; current when unchanged. */
export function mergeById(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  let changed = false;
  for (const m of incoming) {
    const old = byId.get(m.id);
    if (!old || old.status !== m.status || old.deleted !== m.deleted) changed = true;
    // Never let a late copy take a tick back, nor an erased message come back with its text.
    let merged = old?.status && (!m.status || TICK_RANK[old.status] > TICK_RANK[m.status]) ? { ...m, status: old.status } : m;
    if (old?.deleted && !merged.deleted) merged = old;
    byId.set(m.id, merged);
  }
  if (!changed) return current;
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** tickOf is how far my message m got: its stored status, moved forward by the other member's watermarks. */
export function tickOf(m: Message, theirs: Watermarks): Tick {
  if (theirs.read && m.id <= theirs.read) return 'read';
  const server = m.status ?? 'sent';
  if (server === 'read') return 'read';
  if ((theirs.delivered && m.id <= theirs.delivered) || server === 'delivered') return 'delivered';
  return 'sent';
}
