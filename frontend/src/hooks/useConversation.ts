import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useChatAPI } from '../api/ChatAPIContext';
import { errorCode, errorMessage, PAGE_SIZE, type ApiErrorCode, type Message } from '../api/chat-api';
import { newClientId } from '../lib/client-id';
import { usePolling } from './usePolling';
import type { LoadStatus } from './useContacts';

export type DeliveryStatus = 'sent' | 'pending' | 'failed';

/** ChatMessage is a message as the views show it: stored, or still on its way from this device. */
export interface ChatMessage extends Message {
  /** Stable React key: the clientId when there is one, so pending -> sent keeps the same element. */
  key: string;
  status: DeliveryStatus;
  /** Why sending failed, for people. */
  error?: string;
  errorCode?: ApiErrorCode;
}

interface LocalMessage {
  clientId: string;
  message: string;
  date: string;
  status: 'pending' | 'failed';
  error?: string;
  errorCode?: ApiErrorCode;
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
  discard: (clientId: string) => void;
  loadOlder: () => Promise<void>;
  /** pollNow fetches newer messages at once (tests and "retry loading"). */
  pollNow: () => Promise<void>;
}

export interface ConversationOptions {
  pollMs?: number;
  /** Called when a message of mine is stored (to update the contact list preview). */
  onSent?: (message: Message) => void;
  /** Called when new messages arrive from the other side. */
  onReceived?: (messages: Message[]) => void;
}

/** Most pages fetched in one poll to close a gap after a long pause. */
const MAX_CATCH_UP_PAGES = 5;

function mergeById(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  let changed = false;
  for (const m of incoming) {
    if (!byId.has(m.id)) changed = true;
    byId.set(m.id, m);
  }
  if (!changed) return current;
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * useConversation loads one conversation, polls for newer messages (every 2 s by default, paused while
 * the tab is hidden), pages older ones on demand, and sends optimistically: a message shows at once as
 * pending, becomes sent when stored, or failed with its error; a retry reuses the same clientId, so the
 * server stores it at most once.
 */
export function useConversation(peer: string, me: string | undefined, options: ConversationOptions = {}): ConversationState {
  const api = useChatAPI();
  const { pollMs = 2000 } = options;
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const [stored, setStored] = useState<Message[]>([]);
  const [local, setLocal] = useState<LocalMessage[]>([]);
  const [status, setStatus] = useState<LoadStatus>('loading');
  const [error, setError] = useState<string>();
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string>();
  const [lastIncoming, setLastIncoming] = useState<Message>();

  const storedRef = useRef(stored);
  storedRef.current = stored;
  const loadedRef = useRef(false);
  // The newest id of the latest newest-first page read from the server. Polls catch up from here, not from
  // the newest stored message: a message I just sent can be newer than ones the other side sent before it.
  const syncedRef = useRef<string | undefined>(undefined);
  const loadingOlderRef = useRef(false);
  const peerRef = useRef(peer);

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

  useEffect(() => {
    peerRef.current = peer;
    loadedRef.current = false;
    syncedRef.current = undefined;
    setStored([]);
    setLocal([]);
    setStatus('loading');
    setError(undefined);
    setHasOlder(false);
    setLastIncoming(undefined);
    void load();
  }, [load, peer]);

  const pollNow = useCallback(async () => {
    if (!loadedRef.current) return load();
    const synced = syncedRef.current;
    const reachesSynced = (p: Message[]) => !synced || p.length < PAGE_SIZE || p[0]!.id <= synced;
    try {
      let page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE });
      let collected = page;
      // More than a page arrived since the last poll: walk back until the pages meet.
      for (let i = 0; !reachesSynced(page) && i < MAX_CATCH_UP_PAGES; i++) {
        page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE, before: page[0]!.id });
        collected = [...page, ...collected];
      }
      if (peerRef.current !== peer) return;
      const known = new Set(storedRef.current.map((m) => m.id));
      if (reachesSynced(page)) {
        setStored((cur) => mergeById(cur, collected));
        if (!synced && collected.length >= PAGE_SIZE) setHasOlder(true);
      } else {
        // Still a gap after the catch-up limit: start over from the newest pages; paging back fills the rest.
        setStored(collected);
        setHasOlder(true);
      }
      syncedRef.current = collected.at(-1)?.id ?? synced;
      const incoming = collected.filter((m) => m.them && !known.has(m.id));
      if (incoming.length > 0) {
        setLastIncoming(incoming.at(-1));
        optionsRef.current.onReceived?.(incoming);
      }
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [api, load, peer]);

  usePolling(pollNow, pollMs);

  const deliver = useCallback(
    async (clientId: string, text: string) => {
      try {
        const saved = await api.addMessage({ recipientNamespace: peer, message: text, clientId });
        if (peerRef.current !== peer) return;
        setStored((cur) => mergeById(cur, [saved]));
        setLocal((cur) => cur.filter((m) => m.clientId !== clientId));
        optionsRef.current.onSent?.(saved);
      } catch (err) {
        if (peerRef.current !== peer) return;
        setLocal((cur) =>
          cur.map((m) =>
            m.clientId === clientId ? { ...m, status: 'failed', error: errorMessage(err), errorCode: errorCode(err) } : m,
          ),
        );
      }
    },
    [api, peer],
  );

  const send = useCallback(
    (text: string) => {
      if (!text.trim()) return;
      const clientId = newClientId();
      setLocal((cur) => [...cur, { clientId, message: text, date: new Date().toISOString(), status: 'pending' }]);
      void deliver(clientId, text);
    },
    [deliver],
  );

  const localRef = useRef(local);
  localRef.current = local;

  const retry = useCallback(
    (clientId: string) => {
      const failed = localRef.current.find((m) => m.clientId === clientId);
      if (!failed || failed.status !== 'failed') return;
      setLocal((cur) =>
        cur.map((m) =>
          m.clientId === clientId ? { clientId, message: m.message, date: m.date, status: 'pending' } : m,
        ),
      );
      // The same clientId: if the first attempt was stored after all, the server returns that message.
      void deliver(clientId, failed.message);
    },
    [deliver],
  );

  const discard = useCallback((clientId: string) => {
    setLocal((cur) => cur.filter((m) => m.clientId !== clientId));
  }, []);

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

  const messages = useMemo<ChatMessage[]>(() => {
    const storedClientIds = new Set(stored.map((m) => m.clientId).filter(Boolean));
    const shown: ChatMessage[] = stored.map((m) => ({ ...m, key: m.clientId ?? m.id, status: 'sent' }));
    for (const m of local) {
      if (storedClientIds.has(m.clientId)) continue;
      shown.push({
        id: `local-${m.clientId}`,
        key: m.clientId,
        message: m.message,
        date: m.date,
        sender: me ?? '',
        recipient: peer,
        them: false,
        clientId: m.clientId,
        status: m.status,
        ...(m.error !== undefined ? { error: m.error } : {}),
        ...(m.errorCode !== undefined ? { errorCode: m.errorCode } : {}),
      });
    }
    return shown;
  }, [stored, local, me, peer]);

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
    loadOlder,
    pollNow,
  };
}
