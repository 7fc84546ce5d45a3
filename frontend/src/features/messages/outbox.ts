import { ApiError, errorCode, errorMessage, type ApiErrorCode, type ChatAPI, type Message } from '../../api/chat-api';
import { newClientId } from '../../lib/client-id';

/** OutboxEntry is a message written on this device that the server has not stored yet. */
export interface OutboxEntry {
  clientId: string;
  /** The recipient's namespace. */
  to: string;
  message: string;
  /** When it was written (RFC 3339). */
  date: string;
  /** waiting: queued or waiting for the connection; sending: a request is on its way; failed: refused. */
  state: 'waiting' | 'sending' | 'failed';
  /** Why the last attempt did not go through, for people. */
  error?: string;
  errorCode?: ApiErrorCode;
  /** When the server said it may be sent again (RFC 3339): a send over the person's budget, a busy server. */
  retryAt?: string;
}

/** Codes of failures that heal by themselves (the network, the server, a renewed session): the entry waits. */
const TRANSIENT: ReadonlySet<ApiErrorCode> = new Set(['network', 'internal', 'throttled', 'unavailable', 'conflict', 'unauthorized']);

export interface OutboxOptions {
  api: Pick<ChatAPI, 'addMessage'>;
  /** Where entries survive a reload (localStorage); without it they live as long as the page. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
  /** The storage key, one per signed-in user. */
  key: string;
  /** Delays between automatic retries of a transient failure: doubling from baseMs up to maxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/**
 * Outbox sends messages in the order they were written and keeps those it could not send yet: it persists them
 * (so a reload loses nothing), retries transient failures with backoff and whenever the connection comes back
 * (kick), always with the entry's clientId so the server stores each message once, and lets the person cancel
 * what is still waiting. A refused message (blocked, invalid) stays as failed until retried or cancelled.
 */
export class Outbox {
  private readonly options: OutboxOptions;
  private entries: readonly OutboxEntry[];
  private readonly changeListeners = new Set<() => void>();
  private readonly sentListeners = new Set<(message: Message, entry: OutboxEntry) => void>();
  private flushing = false;
  private again = false;
  private failures = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private stopped = false;

  constructor(options: OutboxOptions) {
    this.options = options;
    // What was on its way when the page went away may or may not be stored: the clientId makes a resend safe.
    this.entries = this.read().map((e) => (e.state === 'sending' ? { ...e, state: 'waiting' } : e));
  }

  /** snapshot is the current list; a new array after every change (for useSyncExternalStore). */
  snapshot = (): readonly OutboxEntry[] => this.entries;

  /** subscribe calls fn after every change of the list. */
  subscribe = (fn: () => void): (() => void) => {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  };

  /** onSent calls fn with the stored message each time an entry goes through. */
  onSent(fn: (message: Message, entry: OutboxEntry) => void): () => void {
    this.sentListeners.add(fn);
    return () => this.sentListeners.delete(fn);
  }

  /** send queues a message to `to` and starts sending. */
  send(to: string, message: string): OutboxEntry {
    const entry: OutboxEntry = { clientId: newClientId(), to, message, date: new Date().toISOString(), state: 'waiting' };
    this.set([...this.entries, entry]);
    this.persist(entry.clientId, entry);
    this.kick();
    return entry;
  }

  /** retry sends a failed or waiting entry again now. */
  retry(clientId: string): void {
    const entry = this.entries.find((e) => e.clientId === clientId);
    if (!entry || entry.state === 'sending') return;
    this.update(clientId, { state: 'waiting' });
    this.kick();
  }

  /** cancel removes an entry that is not on its way; it returns false for one that is being sent. */
  cancel(clientId: string): boolean {
    const entry = this.entries.find((e) => e.clientId === clientId);
    if (!entry) return true;
    if (entry.state === 'sending') return false;
    this.remove(clientId);
    return true;
  }

  /** kick sends what is waiting now, without waiting for the backoff (the connection is back). */
  kick(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.flush();
  }

  /** stop ends automatic retries (the page or the session goes away). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.again = false;
        await this.sendWaiting();
      } while (this.again && !this.retryTimer && !this.stopped);
    } finally {
      this.flushing = false;
    }
  }

  private async sendWaiting(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const next = this.entries.find((e) => e.state === 'waiting');
      if (!next) return;
      this.update(next.clientId, { state: 'sending' });
      try {
        const saved = await this.options.api.addMessage({ recipientNamespace: next.to, message: next.message, clientId: next.clientId });
        this.failures = 0;
        for (const fn of [...this.sentListeners]) fn(saved, next);
        this.remove(next.clientId);
      } catch (err) {
        const code = errorCode(err);
        if (TRANSIENT.has(code)) {
          const wait = err instanceof ApiError ? err.retryAfterMs : undefined;
          this.update(next.clientId, {
            state: 'waiting',
            error: errorMessage(err),
            errorCode: code,
            ...(wait !== undefined ? { retryAt: new Date(Date.now() + wait).toISOString() } : {}),
          });
          this.scheduleRetry(wait);
          return;
        }
        this.update(next.clientId, { state: 'failed', error: errorMessage(err), errorCode: code });
      }
    }
  }

  /** scheduleRetry tries again after the server's wait when it gave one, else after a jittered backoff. */
  private scheduleRetry(serverWaitMs?: number): void {
    const base = this.options.retryBaseMs ?? 2000;
    const max = this.options.retryMaxMs ?? 60_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.failures, 16));
    this.failures += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        void this.flush();
      },
      serverWaitMs !== undefined ? serverWaitMs : delay / 2 + Math.random() * (delay / 2),
    );
  }

  private update(clientId: string, change: Partial<OutboxEntry>): void {
    let changed: OutboxEntry | undefined;
    this.set(
      this.entries.map((e) => {
        if (e.clientId !== clientId) return e;
        const next: OutboxEntry = { ...e, ...change };
        if (change.state === 'waiting' && !('error' in change)) {
          delete next.error;
          delete next.errorCode;
        }
        if (change.state !== undefined && !('retryAt' in change)) delete next.retryAt;
        changed = next;
        return next;
      }),
    );
    if (changed) this.persist(clientId, changed);
  }

  private remove(clientId: string): void {
    if (!this.entries.some((e) => e.clientId === clientId)) return;
    this.set(this.entries.filter((e) => e.clientId !== clientId));
    this.persist(clientId, undefined);
  }

  private set(entries: readonly OutboxEntry[]): void {
    this.entries = entries;
    for (const fn of [...this.changeListeners]) fn();
  }

  private read(): OutboxEntry[] {
    try {
      const raw = this.options.storage?.getItem(this.options.key);
      const data: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(data) ? data.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  /**
   * persist writes one entry (or its removal) into storage, read-modify-write, so that two tabs of the same
   * user never overwrite each other's entries.
   */
  private persist(clientId: string, entry: OutboxEntry | undefined): void {
    const storage = this.options.storage;
    if (!storage) return;
    try {
      const list = this.read().filter((e) => e.clientId !== clientId);
      if (entry) list.push(entry);
      if (list.length === 0) storage.removeItem(this.options.key);
      else storage.setItem(this.options.key, JSON.stringify(list));
    } catch {
      // Storage full or disabled: the entry still lives in memory for this page.
    }
  }
}

function isEntry(v: unknown): v is OutboxEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.clientId === 'string' &&
    typeof e.to === 'string' &&
    typeof e.message === 'string' &&
    typeof e.date === 'string' &&
    (e.state === 'waiting' || e.state === 'sending' || e.state === 'failed')
  );
}

/** outboxKey is the storage key of a user's outbox. */
export function outboxKey(me: string | undefined): string {
  return `parley.outbox.v1.${me ?? 'anonymous'}`;
}
