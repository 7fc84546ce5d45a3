import { useEffect, useMemo, useRef } from 'react';
import { useChatSession } from '../../../api/ChatAPIContext';
import type { Message } from '../../../api/chat-api';
import type { LoadStatus } from '../../../lib/load-status';
import { useAttention } from '../../realtime/hooks/useChatEvents';

/**
 * useReadReceipts acknowledges as read (batched) the newest message from peer that is on screen while the person
 * is looking at it (the tab visible and the window focused), once the conversation is loaded; onRead follows.
 */
export function useReadReceipts(peer: string, stored: Message[], status: LoadStatus, onRead: () => void): void {
  const { acks } = useChatSession();
  const attending = useAttention();
  const readAcked = useRef({ peer, id: '' });
  const onReadRef = useRef(onRead);
  onReadRef.current = onRead;
  const newestIncoming = useMemo(() => {
    for (let i = stored.length - 1; i >= 0; i--) if (stored[i]!.sender === peer) return stored[i]!.id;
    return '';
  }, [stored, peer]);
  useEffect(() => {
    if (!attending || status !== 'ready') return;
    if (readAcked.current.peer !== peer) readAcked.current = { peer, id: '' };
    if (newestIncoming && newestIncoming > readAcked.current.id) {
      readAcked.current.id = newestIncoming;
      acks.read(peer, newestIncoming);
    }
    onReadRef.current();
  }, [acks, attending, newestIncoming, peer, status]);
}
