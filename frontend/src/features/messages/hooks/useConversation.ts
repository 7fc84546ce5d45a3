import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useChatSession } from '../../../api/ChatAPIContext';
import { errorMessage, PAGE_SIZE, TYPING_SEND_EVERY_MS, type ApiErrorCode, type Message, type Tick, type Watermarks } from '../../../api/chat-api';
import type { OutboxEntry } from '../outbox';
import { useAttention, useChatEvents, useConnection } from '../../realtime/hooks/useChatEvents';
import { usePolling } from '../../../lib/usePolling';
import type { LoadStatus } from '../../contacts/hooks/useContacts';

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

export interface ConversationState {
  messages: ChatMessage[];
  status: LoadStatus;
  error?: string;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError?: string;
  /** The newest message from the other side that arrived while the conversation was open. */
  lastIncoming?: Message;
  send: (text: string) => void;
  retry: (clientId: string) => void;
  /** discard cancels a message that is waiting or failed. */
  discard: (clientId: string) => void;
  /** typing tells the other side that I am typing, at most once every 3 s. */
  typing: () => void;
  loadOlder: () => Promise<void>;
  /** pollNow fetches what is newer than what this view has (tests and "retry loading"). */
  pollNow: () => Promise<void>;
}

export interface ConversationOptions {
  /** Polling interval while the connection is down. */
  pollMs?: number;
  /** Called when a message of mine is stored (to update the contact list preview). */
  onSent?: (message: Message) => void;
  /** Called after the conversation was acknowledged as read (to clear its unread badge). */
  onRead?: () => void;
}

/** Most pages fetched in one catch-up; the next catch-up continues from where this one stopped. */
const MAX_CATCH_UP_PAGES = 10;
const CATCH_UP_PAGE = 100;
const TICK_RANK: Record<Tick, number> = { sent: 0, delivered: 1, read: 2 };

function mergeById(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  let changed = false;
  for (const m of incoming) {
    const old = byId.get(m.id);
    if (!old || old.status !== m.status) changed = true;
    // Never let a late copy take a tick back.
    byId.set(m.id, old?.status && m.status && TICK_RANK[old.status] > TICK_RANK[m.status] ? { ...m, status: old.status } : m);
  }
  if (!changed) return current;
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function tickOf(m: Message, theirs: Watermarks): Tick {
  if (theirs.read && m.id <= theirs.read) return 'read';
  const server = m.status ?? 'sent';
  if (server === 'read') return 'read';
  if ((theirs.delivered && m.id <= theirs.delivered) || server === 'delivered') return 'delivered';
  return 'sent';
}

const noEntries: readonly OutboxEntry[] = [];

/**
 * useConversation shows one conversation live: it loads the newest page, merges pushed messages (in id order,
 * never twice; my own optimistic copy gives way to the stored one by clientId), catches up with `after` on
 * every (re)connect and, while the connection is down, by polling (every 2 s by default, paused while the tab
 * is hidden). Ticks follow the other member's watermarks. The conversation is acknowledged as read (batched)
 * while it is before the person's eyes. Sending goes through the session's outbox.
 */
export function useConversation(peer: string, me: string | undefined, options: ConversationOptions = {}): ConversationState {
  const { api, outbox, acks } = useChatSession();
  const { pollMs = 2000 } = options;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const connection = useConnection();
  const attending = useAttention();

  const [stored, setStored] = useState<Message[]>([]);
  const [status, setStatus] = useState<LoadStatus>('loading');
  const [error, setError] = useState<string>();
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string>();
  const [lastIncoming, setLastIncoming] = useState<Message>();
  const [theirs, setTheirs] = useState<Watermarks>({ delivered: '', read: '' });

  const storedRef = useRef(stored);
  storedRef.current = stored;
  const loadedRef = useRef(false);
  // The newest id read through REST: every message up to it is here. Pushed messages do not move it, so a
  // catch-up never skips one whose push was lost.
  const syncedRef = useRef<string | undefined>(undefined);
  const catchingUp = useRef<Promise<void> | undefined>(undefined);
  const catchUpAgain = useRef(false);
  const loadingOlderRef = useRef(false);
  const peerRef = useRef(peer);
  const lastTypingSent = useRef(0);
  const readAcked = useRef('');

  const entries = useSyncExternalStore(outbox.subscribe, outbox.snapshot, () => noEntries);

  const received = useCallback(
    (incoming: Message[]) => {
      const known = new Set(storedRef.current.map((m) => m.id));
      const fresh = incoming.filter((m) => m.sender === peer && !known.has(m.id));
      if (fresh.length === 0) return;
      setLastIncoming(fresh.at(-1));
    },
    [peer],
  );

  const catchUp = useCallback(async () => {
    let after = syncedRef.current;
    const collected: Message[] = [];
    for (let i = 0; i < (after ? MAX_CATCH_UP_PAGES : 1); i++) {
      const page = await api.getMessages({ recipientNamespace: peer, limit: CATCH_UP_PAGE, ...(after ? { after } : {}) });
      collected.push(...page);
      if (page.length === 0) break;
      after = page.at(-1)!.id;
      if (page.length < CATCH_UP_PAGE) break;
    }
    if (peerRef.current !== peer) return;
    received(collected);
    // From an empty start the first page is the newest one: anything before it is reached by paging back.
    if (!syncedRef.current && collected.length >= CATCH_UP_PAGE) setHasOlder(true);
    syncedRef.current = after;
    setStored((cur) => mergeById(cur, collected));
    setError(undefined);
  }, [api, peer, received]);

  const load = useCallback(async () => {
    try {
      const page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE });
      if (peerRef.current !== peer) return;
      loadedRef.current = true;
      syncedRef.current = page.at(-1)?.id;
      setStored((cur) => mergeById(cur, page));
      setHasOlder(page.length >= PAGE_SIZE);
      setStatus('ready');
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
      setStatus((s) => (s === 'ready' ? s : 'error'));
    }
  }, [api, peer]);

  /** sync brings the view up to date: the first page, or everything newer than what it has. Never two at once. */
  const sync = useCallback(async (): Promise<void> => {
    if (catchingUp.current) {
      catchUpAgain.current = true;
      return catchingUp.current;
    }
    const run = async () => {
      do {
        catchUpAgain.current = false;
        try {
          if (!loadedRef.current) await load();
          else await catchUp();
        } catch (err) {
          setError(errorMessage(err));
        }
      } while (catchUpAgain.current && peerRef.current === peer);
    };
    catchingUp.current = run().finally(() => {
      catchingUp.current = undefined;
    });
    return catchingUp.current;
  }, [catchUp, load, peer]);

  useEffect(() => {
    peerRef.current = peer;
    loadedRef.current = false;
    syncedRef.current = undefined;
    readAcked.current = '';
    setStored([]);
    setStatus('loading');
    setError(undefined);
    setHasOlder(false);
    setLastIncoming(undefined);
    setTheirs({ delivered: '', read: '' });
    void sync();
  }, [sync, peer]);

  usePolling(sync, pollMs, connection !== 'open');

  const theirsRef = useRef(theirs);
  theirsRef.current = theirs;

  /**
   * refreshTicks rereads the newest page when some of my messages there are not read yet: receipts pushed while
   * the connection was down are lost, and a catch-up with `after` does not return messages already here.
   */
  const refreshTicks = useCallback(async () => {
    const mineUnread = storedRef.current.some((m) => m.sender !== peer && tickOf(m, theirsRef.current) !== 'read');
    if (!loadedRef.current || !mineUnread) return;
    try {
      const page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE });
      if (peerRef.current === peer) setStored((cur) => mergeById(cur, page));
    } catch {
      // The next reconnect or receipt brings them.
    }
  }, [api, peer]);

  useChatEvents((event) => {
    switch (event.type) {
      case 'connection':
        if (event.state === 'open') void sync().then(refreshTicks);
        break;
      case 'message': {
        const m = event.message;
        const other = m.sender === me ? m.recipient : m.sender;
        // Merged even before the first page is in: that page may have been read before this message was stored.
        if (other !== peer) return;
        const message = { ...m, them: m.sender !== me };
        received([message]);
        setStored((cur) => mergeById(cur, [message]));
        break;
      }
      case 'receipt':
        if (event.with !== peer) return;
        setTheirs((cur) => ({
          delivered: event.delivered > cur.delivered ? event.delivered : cur.delivered,
          read: event.read > cur.read ? event.read : cur.read,
        }));
        break;
      default:
    }
  });

  useEffect(
    () =>
      outbox.onSent((saved, entry) => {
        if (entry.to !== peer || peerRef.current !== peer) return;
        setStored((cur) => mergeById(cur, [saved]));
        optionsRef.current.onSent?.(saved);
      }),
    [outbox, peer],
  );

  // Read receipts: what is on screen while the person is looking at it.
  const newestIncoming = useMemo(() => {
    for (let i = stored.length - 1; i >= 0; i--) if (stored[i]!.sender === peer) return stored[i]!.id;
    return '';
  }, [stored, peer]);
  useEffect(() => {
    if (!attending || status !== 'ready') return;
    if (newestIncoming && newestIncoming > readAcked.current) {
      readAcked.current = newestIncoming;
      acks.read(peer, newestIncoming);
    }
    optionsRef.current.onRead?.();
  }, [acks, attending, newestIncoming, peer, status]);

  const send = useCallback(
    (text: string) => {
      if (!text.trim()) return;
      lastTypingSent.current = 0;
      outbox.send(peer, text);
    },
    [outbox, peer],
  );

  const retry = useCallback((clientId: string) => outbox.retry(clientId), [outbox]);
  const discard = useCallback((clientId: string) => void outbox.cancel(clientId), [outbox]);

  const typing = useCallback(() => {
    const now = Date.now();
    if (now - lastTypingSent.current < TYPING_SEND_EVERY_MS) return;
    lastTypingSent.current = now;
    api.typing(peer);
  }, [api, peer]);

  const loadOlder = useCallback(async () => {
    const oldest = storedRef.current[0]?.id;
    if (!oldest || loadingOlderRef.current) return;
    loadingOlderRef.current = true;
    setLoadingOlder(true);
    setOlderError(undefined);
    try {
      const page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE, before: oldest });
      if (peerRef.current !== peer) return;
      setStored((cur) => mergeById(cur, page));
      setHasOlder(page.length >= PAGE_SIZE);
    } catch (err) {
      setOlderError(errorMessage(err));
    } finally {
      loadingOlderRef.current = false;
      setLoadingOlder(false);
    }
  }, [api, peer]);

  // The same object for a message that did not change, so its bubble does not render again.
  const shownCache = useRef(new WeakMap<Message, ChatMessage>());
  const messages = useMemo<ChatMessage[]>(() => {
    const storedClientIds = new Set(stored.map((m) => m.clientId).filter(Boolean));
    const shown: ChatMessage[] = stored.map((m) => {
      const status = m.sender === peer ? 'sent' : tickOf(m, theirs);
      const cached = shownCache.current.get(m);
      if (cached?.status === status) return cached;
      const view: ChatMessage = { ...m, key: m.clientId ?? m.id, status };
      shownCache.current.set(m, view);
      return view;
    });
    for (const e of entries) {
      if (e.to !== peer || storedClientIds.has(e.clientId)) continue;
      shown.push({
        id: `local-${e.clientId}`,
        key: e.clientId,
        message: e.message,
        date: e.date,
        sender: me ?? '',
        recipient: peer,
        them: false,
        clientId: e.clientId,
        status: e.state === 'failed' ? 'failed' : 'pending',
        ...(e.state === 'waiting' ? { waiting: true } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
        ...(e.errorCode !== undefined ? { errorCode: e.errorCode } : {}),
        ...(e.retryAt !== undefined ? { retryAt: e.retryAt } : {}),
      });
    }
    return shown;
  }, [stored, entries, theirs, me, peer]);

  return {
    messages,
    status,
    error,
    hasOlder,
    loadingOlder,
    olderError,
    lastIncoming,
    send,
    retry,
    discard,
    typing,
    loadOlder,
    pollNow: sync,
  };
}
