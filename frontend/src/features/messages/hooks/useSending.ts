import { useCallback, useEffect, useRef } from 'react';
import { useChatSession } from '../../../api/ChatAPIContext';
import type { Message } from '../../../api/chat-api';
import type { MessageHistory } from './useMessageHistory';

/** Sending is what a conversation can do with what I write: send it, send a failed one again, or cancel one. */
export interface Sending {
  send: (text: string) => void;
  retry: (clientId: string) => void;
  /** discard cancels a message that is waiting or failed. */
  discard: (clientId: string) => void;
}

/**
 * useSending sends through the session's outbox, and merges each of my messages to peer into history as soon as
 * it is stored (onSent follows, to update the contact list's preview).
 */
export function useSending(peer: string, history: MessageHistory, onSent: (message: Message) => void, beforeSend: () => void): Sending {
  const { outbox } = useChatSession();
  const { peerRef, merge } = history;
  const onSentRef = useRef(onSent);
  onSentRef.current = onSent;
  const beforeSendRef = useRef(beforeSend);
  beforeSendRef.current = beforeSend;

  useEffect(
    () =>
      outbox.onSent((saved, entry) => {
        if (entry.to !== peer || peerRef.current !== peer) return;
        merge([saved]);
        onSentRef.current(saved);
      }),
    [outbox, peer, peerRef, merge],
  );

  const send = useCallback(
    (text: string) => {
      if (!text.trim()) return;
      beforeSendRef.current();
      outbox.send(peer, text);
    },
    [outbox, peer],
  );
  const retry = useCallback((clientId: string) => outbox.retry(clientId), [outbox]);
  const discard = useCallback((clientId: string) => void outbox.cancel(clientId), [outbox]);
  return { send, retry, discard };
}
