import { useEffect, useRef, useState } from 'react';
import { TYPING_SHOW_MS } from '../../../api/chat-api';
import { useChatEvents } from './useChatEvents';

/**
 * useTyping returns who is typing to me now: a typing event shows for 5 s (the contract's time) unless another
 * one renews it, and a message from that person ends it at once.
 */
export function useTyping(): ReadonlySet<string> {
  const [typing, setTyping] = useState<ReadonlySet<string>>(() => new Set());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const stop = (email: string) => {
    clearTimeout(timers.current.get(email));
    timers.current.delete(email);
    setTyping((cur) => {
      if (!cur.has(email)) return cur;
      const next = new Set(cur);
      next.delete(email);
      return next;
    });
  };

  useChatEvents((event) => {
    if (event.type === 'typing') {
      const email = event.from;
      clearTimeout(timers.current.get(email));
      timers.current.set(
        email,
        setTimeout(() => stop(email), TYPING_SHOW_MS),
      );
      setTyping((cur) => (cur.has(email) ? cur : new Set(cur).add(email)));
    } else if (event.type === 'message') {
      stop(event.message.sender);
    } else if (event.type === 'connection' && event.state !== 'open') {
      for (const email of [...timers.current.keys()]) stop(email);
    }
  });

  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const t of all.values()) clearTimeout(t);
      all.clear();
    };
  }, []);

  return typing;
}
