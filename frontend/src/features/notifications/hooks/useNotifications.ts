import { useCallback, useEffect, useState } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { errorMessage } from '../../../api/chat-api';
import { useAttention, useChatEvents } from '../../realtime/hooks/useChatEvents';
import { clearNotifications, previewsOn, pushState, refresh, setPreviews, turnOff, turnOn, type PushState } from '../push-device';

/** Notifications is this device's notifications as a view shows them, with what changes them. */
export interface Notifications {
  /** state is undefined until read. */
  state?: PushState;
  previews: boolean;
  busy: boolean;
  error?: string;
  turnOn: () => void;
  turnOff: () => void;
  setPreviews: (on: boolean) => void;
}

/** useNotifications reads this device's state at mount (never prompting) and refreshes an existing subscription. */
export function useNotifications(): Notifications {
  const api = useChatAPI();
  const [state, setState] = useState<PushState>();
  const [previews, setPreviewsState] = useState(previewsOn);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    void pushState().then((s) => live && setState(s));
    void refresh(api.notifications).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api]);

  const act = useCallback((action: () => Promise<PushState | void>) => {
    setBusy(true);
    setError(undefined);
    action()
      .then((s) => s && setState(s))
      .catch((err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  }, []);

  return {
    ...(state !== undefined ? { state } : {}),
    previews,
    busy,
    ...(error !== undefined ? { error } : {}),
    turnOn: () => act(() => turnOn(api.notifications, previews)),
    turnOff: () => act(() => turnOff(api.notifications)),
    setPreviews: (on) => {
      setPreviewsState(on);
      act(() => setPreviews(api.notifications, on));
    },
  };
}

/** useVisibilityReport tells the server whether this tab is visible and focused, as that changes. */
export function useVisibilityReport(): void {
  const api = useChatAPI();
  const attending = useAttention();
  useEffect(() => api.visibility(attending), [api, attending]);
}

/**
 * useOpenConversationRequests calls open with the email of the conversation a notification click asks for: the
 * `with` query parameter of a new tab (removed once read), and the service worker's message to a tab it focused.
 */
export function useOpenConversationRequests(open: (email: string) => void): void {
  useEffect(() => {
    const query = new URLSearchParams(window.location.search);
    const asked = query.get('with');
    if (asked) {
      query.delete('with');
      const rest = query.toString();
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
      open(asked);
    }
    const worker = 'serviceWorker' in navigator ? navigator.serviceWorker : undefined;
    if (!worker) return;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; with?: string } | null;
      if (data?.type === 'open-conversation' && typeof data.with === 'string') open(data.with);
    };
    worker.addEventListener('message', onMessage);
    return () => worker.removeEventListener('message', onMessage);
  }, [open]);
}

/**
 * useClearNotifications closes this device's notifications of the open conversation, and of every conversation
 * read on another device while this tab is connected (the recount comes as a contact with nothing unread).
 */
export function useClearNotifications(email: string | undefined): void {
  useEffect(() => {
    if (email) void clearNotifications(email).catch(() => undefined);
  }, [email]);
  useChatEvents((event) => {
    if (event.type === 'contact' && event.contact.unread === 0) void clearNotifications(event.contact.email).catch(() => undefined);
  });
}
