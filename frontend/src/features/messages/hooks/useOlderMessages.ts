import { useCallback, useRef, useState } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { errorMessage, PAGE_SIZE } from '../../../api/chat-api';
import type { MessageHistory } from './useMessageHistory';

/** OlderMessages pages the conversation back from its oldest message, one page at a time. */
export interface OlderMessages {
  loadingOlder: boolean;
  olderError?: string;
  loadOlder: () => Promise<void>;
}

/** useOlderMessages reads the page before the oldest message of history into it. */
export function useOlderMessages(peer: string, history: MessageHistory): OlderMessages {
  const api = useChatAPI();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string>();
  const loadingRef = useRef(false);
  const { storedRef, peerRef, merge, setHasOlder } = history;

  const loadOlder = useCallback(async () => {
    const oldest = storedRef.current[0]?.id;
    if (!oldest || loadingRef.current) return;
    loadingRef.current = true;
    setLoadingOlder(true);
    setOlderError(undefined);
    try {
      const page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE, before: oldest });
      if (peerRef.current !== peer) return;
      merge(page);
      setHasOlder(page.length >= PAGE_SIZE);
    } catch (err) {
      setOlderError(errorMessage(err));
    } finally {
      loadingRef.current = false;
      setLoadingOlder(false);
    }
  }, [api, peer, storedRef, peerRef, merge, setHasOlder]);

  return { loadingOlder, ...(olderError !== undefined ? { olderError } : {}), loadOlder };
}
