import { useEffect, useRef, useState } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import type { ChatEvent, ConnectionState } from '../../../api/chat-api';

/** useChatEvents calls listener with every pushed event while the component is mounted. */
export function useChatEvents(listener: (event: ChatEvent) => void): void {
  const api = useChatAPI();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.subscribe((event) => ref.current(event)), [api]);
}

/** useConnection returns the push side's connection state; views poll unless it is `open`. */
export function useConnection(): ConnectionState {
  const api = useChatAPI();
  const [state, setState] = useState<ConnectionState>(api.connection);
  useChatEvents((event) => {
    if (event.type === 'connection') setState(event.state);
  });
  useEffect(() => setState(api.connection), [api]);
  return state;
}

/** isAttending reports whether the person can see the page now: the tab is visible and the window focused. */
export function isAttending(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/** useAttention tracks isAttending. */
export function useAttention(): boolean {
  const [attending, setAttending] = useState(isAttending);
  useEffect(() => {
    const update = () => setAttending(isAttending());
    document.addEventListener('visibilitychange', update);
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    update();
    return () => {
      document.removeEventListener('visibilitychange', update);
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
    };
  }, []);
  return attending;
}
