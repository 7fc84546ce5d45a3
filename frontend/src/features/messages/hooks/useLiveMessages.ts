import { useCallback, useRef } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { PAGE_SIZE, type Watermarks } from '../../../api/chat-api';
import { usePolling } from '../../../lib/usePolling';
import { useChatEvents, useConnection } from '../../realtime/hooks/useChatEvents';
import { tickOf } from '../message-view';
import type { MessageHistory } from './useMessageHistory';

/**
 * useLiveMessages keeps history live: pushed messages of this conversation are merged (even before the first
 * page is in: that page may have been read before the message was stored); every (re)connect catches up and
 * then refreshes ticks; while the connection is down it polls (paused while the tab is hidden).
 */
export function useLiveMessages(peer: string, me: string | undefined, history: MessageHistory, theirs: Watermarks, pollMs: number): void {
  const api = useChatAPI();
  const connection = useConnection();
  const { storedRef, peerRef, loadedRef, merge, received, sync } = history;
  const theirsRef = useRef(theirs);
  theirsRef.current = theirs;

  usePolling(sync, pollMs, connection !== 'open');

  /**
   * refreshTicks rereads the newest page when some of my messages there are not read yet: receipts pushed while
   * the connection was down are lost, and a catch-up with `after` does not return messages already here.
   */
  const refreshTicks = useCallback(async () => {
    const mineUnread = storedRef.current.some((m) => m.sender !== peer && tickOf(m, theirsRef.current) !== 'read');
    if (!loadedRef.current || !mineUnread) return;
    try {
      const page = await api.getMessages({ recipientNamespace: peer, limit: PAGE_SIZE });
      if (peerRef.current === peer) merge(page);
    } catch {
      // The next reconnect or receipt brings them.
    }
  }, [api, peer, storedRef, loadedRef, peerRef, merge]);

  useChatEvents((event) => {
    if (event.type === 'connection') {
      if (event.state === 'open') void sync().then(refreshTicks);
    } else if (event.type === 'message') {
      const m = event.message;
      const other = m.sender === me ? m.recipient : m.sender;
      if (other !== peer) return;
      const message = { ...m, them: m.sender !== me };
      received([message]);
      merge([message]);
    }
  });
}
