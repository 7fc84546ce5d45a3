import { useCallback, useRef } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { TYPING_SEND_EVERY_MS } from '../../../api/chat-api';

/** TypingSignal tells peer that I am typing, at most once every 3 s; sent() starts the count again after a send. */
export interface TypingSignal {
  typing: () => void;
  sent: () => void;
}

/** useTypingSignal is the sending side of typing: at most one frame every TYPING_SEND_EVERY_MS while typing. */
export function useTypingSignal(peer: string): TypingSignal {
  const api = useChatAPI();
  const lastSent = useRef(0);
  const typing = useCallback(() => {
    const now = Date.now();
    if (now - lastSent.current < TYPING_SEND_EVERY_MS) return;
    lastSent.current = now;
    api.typing(peer);
  }, [api, peer]);
  const sent = useCallback(() => {
    lastSent.current = 0;
  }, []);
  return { typing, sent };
}
