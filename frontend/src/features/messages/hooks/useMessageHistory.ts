import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { errorMessage, PAGE_SIZE, type Message } from '../../../api/chat-api';
import type { LoadStatus } from '../../../lib/load-status';
import { useCoalesced } from '../../../lib/useCoalesced';
import { mergeById } from '../message-view';

/** MessageHistory is the stored part of one conversation, read through REST, and what moves it. */
export interface MessageHistory {
  stored: Message[];
  storedRef: RefObject<Message[]>;
  /** The peer whose conversation the history holds now: an answer for another one is dropped. */
  peerRef: RefObject<string>;
  loadedRef: RefObject<boolean>;
  status: LoadStatus;
  error?: string;
  hasOlder: boolean;
  setHasOlder: (hasOlder: boolean) => void;
  /** The newest message from the other side that arrived while the conversation was open. */
  lastIncoming?: Message;
  /** merge adds messages (by id, in id order); received notes those new from the peer as incoming. */
  merge: (messages: Message[]) => void;
  received: (incoming: Message[]) => void;
  /** sync brings the view up to date: the first page, or everything newer than what it has. Never two at once. */
  sync: () => Promise<void>;
}

/** Most pages fetched in one catch-up; the next catch-up continues from where this one stopped. */
const MAX_CATCH_UP_PAGES = 10;
const CATCH_UP_PAGE = 100;

/**
 * useMessageHistory loads the newest page of the conversation with peer, and catches up with `after` from the
 * newest id read through REST. Pushed messages never move that point, so a catch-up never skips one whose push
 * was lost. It starts again from nothing when peer changes.
 */
export function useMessageHistory(peer: string): MessageHistory {
  const api = useChatAPI();
  const [stored, setStored] = useState<Message[]>([]);
  const [status, setStatus] = useState<LoadStatus>('loading');
  const [error, setError] = useState<string>();
  const [hasOlder, setHasOlder] = useState(false);
  const [lastIncoming, setLastIncoming] = useState<Message>();
  const storedRef = useRef(stored);
  storedRef.current = stored;
  const loadedRef = useRef(false);
  const syncedRef = useRef<string | undefined>(undefined);
  const peerRef = useRef(peer);

  const merge = useCallback((messages: Message[]) => setStored((cur) => mergeById(cur, messages)), []);
  const received = useCallback(
    (incoming: Message[]) => {
      const known = new Set(storedRef.current.map((m) => m.id));
      const fresh = incoming.filter((m) => m.sender === peer && !known.has(m.id));
      if (fresh.length > 0) setLastIncoming(fresh.at(-1));
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
    merge(collected);
    setError(undefined);
  }, [api, peer, received, merge]);

  const load = useCallback(async () => {
    try {
      const page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE });
      if (peerRef.current !== peer) return;
      loadedRef.current = true;
      syncedRef.current = page.at(-1)?.id;
      merge(page);
      setHasOlder(page.length >= PAGE_SIZE);
      setStatus('ready');
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
      setStatus((s) => (s === 'ready' ? s : 'error'));
    }
  }, [api, peer, merge]);

  const step = useCallback(async () => {
    try {
      if (!loadedRef.current) await load();
      else await catchUp();
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [catchUp, load]);
  const sync = useCoalesced(step, useCallback(() => peerRef.current === peer, [peer]));

  useEffect(() => {
    peerRef.current = peer;
    loadedRef.current = false;
    syncedRef.current = undefined;
    setStored([]);
    setStatus('loading');
    setError(undefined);
    setHasOlder(false);
    setLastIncoming(undefined);
    void sync();
  }, [sync, peer]);

  return { stored, storedRef, peerRef, loadedRef, status, error, hasOlder, setHasOlder, lastIncoming, merge, received, sync };
}
