import type { ApiErrorCode, Message } from '../../../api/chat-api';
import type { LoadStatus } from '../../../lib/load-status';
import { useReadReceipts } from '../../receipts/hooks/useReadReceipts';
import { useTheirWatermarks } from '../../receipts/hooks/useTheirWatermarks';
import { useTypingSignal } from '../../realtime/hooks/useTypingSignal';
import type { ChatMessage, DeliveryStatus } from '../message-view';
import { useLiveMessages } from './useLiveMessages';
import { useMessageHistory } from './useMessageHistory';
import { useOlderMessages } from './useOlderMessages';
import { useSending } from './useSending';
import { useShownMessages } from './useShownMessages';
import { useUnsend } from './useUnsend';

export type { ApiErrorCode, ChatMessage, DeliveryStatus };

export interface ConversationState {
  messages: ChatMessage[];
  status: LoadStatus;
  error?: string;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError?: string;
  /** The newest message from the other side that arrived while the conversation was open. */
  lastIncoming?: Message;
  send: (text: string) => void;
  retry: (clientId: string) => void;
  /** discard cancels a message that is waiting or failed. */
  discard: (clientId: string) => void;
  /** unsend unsends one of my stored messages for both of us; it then shows as "message deleted". */
  unsend: (id: string) => void;
  /** unsendError says why the last unsend failed, until the next one. */
  unsendError?: string;
  /** typing tells the other side that I am typing, at most once every 3 s. */
  typing: () => void;
  loadOlder: () => Promise<void>;
  /** pollNow fetches what is newer than what this view has (tests and "retry loading"). */
  pollNow: () => Promise<void>;
}

export interface ConversationOptions {
  /** Polling interval while the connection is down. */
  pollMs?: number;
  /** Called when a message of mine is stored (to update the contact list preview). */
  onSent?: (message: Message) => void;
  /** Called after the conversation was acknowledged as read (to clear its unread badge). */
  onRead?: () => void;
}

/**
 * useConversation shows one conversation live: it loads the newest page, merges pushed messages (in id order,
 * never twice; my own optimistic copy gives way to the stored one by clientId), catches up with `after` on
 * every (re)connect and, while the connection is down, by polling (every 2 s by default, paused while the tab
 * is hidden). Ticks follow the other member's watermarks. The conversation is acknowledged as read (batched)
 * while it is before the person's eyes. Sending goes through the session's outbox. Each of these is a hook of
 * its own; this one puts them together.
 */
export function useConversation(peer: string, me: string | undefined, options: ConversationOptions = {}): ConversationState {
  const { pollMs = 2000 } = options;
  const theirs = useTheirWatermarks(peer);
  const history = useMessageHistory(peer);
  useLiveMessages(peer, me, history, theirs, pollMs);
  const older = useOlderMessages(peer, history);
  useReadReceipts(peer, history.stored, history.status, () => options.onRead?.());
  const signal = useTypingSignal(peer);
  const sending = useSending(peer, history, (saved) => options.onSent?.(saved), signal.sent);
  const messages = useShownMessages(peer, me, history.stored, theirs);
  const unsending = useUnsend(peer, history.merge);

  return {
    messages,
    status: history.status,
    ...(history.error !== undefined ? { error: history.error } : {}),
    hasOlder: history.hasOlder,
    ...older,
    ...(history.lastIncoming !== undefined ? { lastIncoming: history.lastIncoming } : {}),
    ...sending,
    ...unsending,
    typing: signal.typing,
    pollNow: history.sync,
  };
}
