import { useMemo, useRef, useSyncExternalStore } from 'react';
import { useChatSession } from '../../../api/ChatAPIContext';
import type { Message, Watermarks } from '../../../api/chat-api';
import { tickOf, type ChatMessage } from '../message-view';
import type { OutboxEntry } from '../outbox';

const noEntries: readonly OutboxEntry[] = [];

/**
 * useShownMessages is what the conversation shows: the stored messages with their ticks, then what this device's
 * outbox still holds for peer (my optimistic copy gives way to the stored one by clientId).
 */
export function useShownMessages(peer: string, me: string | undefined, stored: Message[], theirs: Watermarks): ChatMessage[] {
  const { outbox } = useChatSession();
  const entries = useSyncExternalStore(outbox.subscribe, outbox.snapshot, () => noEntries);
  // The same object for a message that did not change, so its bubble does not render again.
  const shownCache = useRef(new WeakMap<Message, ChatMessage>());
  return useMemo<ChatMessage[]>(() => {
    const storedClientIds = new Set(stored.map((m) => m.clientId).filter(Boolean));
    const shown: ChatMessage[] = stored.map((m) => {
      const status = m.sender === peer ? 'sent' : tickOf(m, theirs);
      const cached = shownCache.current.get(m);
      if (cached?.status === status) return cached;
      const view: ChatMessage = { ...m, key: m.clientId ?? m.id, status };
      shownCache.current.set(m, view);
      return view;
    });
    for (const e of entries) {
      if (e.to !== peer || storedClientIds.has(e.clientId)) continue;
      shown.push({
        id: `local-${e.clientId}`,
        key: e.clientId,
        message: e.message,
        date: e.date,
        sender: me ?? '',
        recipient: peer,
        them: false,
        clientId: e.clientId,
        status: e.state === 'failed' ? 'failed' : 'pending',
        ...(e.state === 'waiting' ? { waiting: true } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
        ...(e.errorCode !== undefined ? { errorCode: e.errorCode } : {}),
        ...(e.retryAt !== undefined ? { retryAt: e.retryAt } : {}),
      });
    }
    return shown;
  }, [stored, entries, theirs, me, peer]);
}
