import { memo, useCallback, useLayoutEffect, useMemo, useRef } from 'react';
import type { ChatMessage } from '../hooks/useConversation';
import { formatTime, groupByDay } from '../../../lib/dates';
import { Icon } from '../../../components/Icon';

interface MessageListProps {
  messages: ChatMessage[];
  peerName: string;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError?: string;
  onLoadOlder: () => Promise<void>;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  /** onUnsend unsends one of my stored messages for both of us; absent, no message offers it. */
  onUnsend?: (id: string) => void;
}

/** How close to the bottom (px) still counts as "reading the latest": new messages then scroll into view. */
const STICK_THRESHOLD = 120;

/** MessageList shows a conversation grouped by day, loads older pages on scroll to the top. */
export function MessageList({
  messages,
  peerName,
  hasOlder,
  loadingOlder,
  olderError,
  onLoadOlder,
  onRetry,
  onDiscard,
  onUnsend,
}: MessageListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const lastKey = useRef<string | undefined>(undefined);
  const groups = useMemo(() => groupByDay(messages, (m) => new Date(m.date)), [messages]);

  const loadOlder = useCallback(() => {
    const el = scroller.current;
    if (!el || loadingOlder || !hasOlder) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    void onLoadOlder();
  }, [hasOlder, loadingOlder, onLoadOlder]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const newest = messages.at(-1);
    if (anchor.current && !loadingOlder) {
      // Older messages were put above: keep what the reader was looking at in place.
      el.scrollTop = anchor.current.top + (el.scrollHeight - anchor.current.height);
      anchor.current = null;
    } else if (newest && newest.key !== lastKey.current && (stick.current || !newest.them)) {
      el.scrollTop = el.scrollHeight;
    }
    lastKey.current = newest?.key;
  }, [messages, loadingOlder]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD;
    if (el.scrollTop < 80) loadOlder();
  };

  return (
    <div className="messages" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label={`Conversation with ${peerName}`} role="region">
      <div className="messages-inner">
        {hasOlder && (
          <div className="older">
            {loadingOlder ? (
              <span className="older-loading" role="status">
                <span className="spinner" aria-hidden="true" /> Loading older messages…
              </span>
            ) : (
              <button type="button" className="btn btn-small btn-ghost" onClick={loadOlder}>
                Load older messages
              </button>
            )}
            {olderError && (
              <span className="form-error" role="alert">
                {olderError}
              </span>
            )}
          </div>
        )}
        {!hasOlder && messages.length > 0 && <p className="conversation-start">This is the beginning of your conversation.</p>}
        {groups.map((group) => (
          <section key={group.key} className="day" aria-label={group.label}>
            <h3 className="day-label">
              <span>{group.label}</span>
            </h3>
            <ol className="day-messages">
              {group.items.map((m, i) => {
                const prev = group.items[i - 1];
                const continued = prev !== undefined && prev.them === m.them;
                return (
                  <MessageItem
                    key={m.key}
                    message={m}
                    peerName={peerName}
                    continued={continued}
                    onRetry={onRetry}
                    onDiscard={onDiscard}
                    {...(onUnsend ? { onUnsend } : {})}
                  />
                );
              })}
            </ol>
          </section>
        ))}
      </div>
    </div>
  );
}

interface MessageItemProps {
  message: ChatMessage;
  peerName: string;
  continued: boolean;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  onUnsend?: (id: string) => void;
}

/** MessageItem is one bubble; memoised, so a new message renders one bubble, not the whole conversation. */
const MessageItem = memo(function MessageItem({ message, peerName, continued, onRetry, onDiscard, onUnsend }: MessageItemProps) {
  const date = new Date(message.date);
  const side = message.them ? 'theirs' : 'mine';
  const stored = message.status !== 'pending' && message.status !== 'failed';
  return (
    <li
      className={`message ${side} status-${message.status}${continued ? ' continued' : ''}${message.deleted ? ' deleted' : ''}`}
      data-status={message.status}
      data-client-id={message.clientId}
    >
      <div className="bubble">
        <span className="sr-only">{message.them ? `${peerName}: ` : 'You: '}</span>
        {/* Text only: React escapes it, and white-space: pre-wrap keeps the line breaks. */}
        {message.deleted ? <p className="bubble-text bubble-deleted">message deleted</p> : <p className="bubble-text">{message.message}</p>}
        <span className="bubble-meta">
          <time dateTime={message.date}>{formatTime(date)}</time>
          {!message.them && <Ticks status={message.status} waiting={message.waiting === true} />}
        </span>
      </div>
      {!message.them && stored && !message.deleted && onUnsend && (
        <button type="button" className="link-button link-muted message-unsend" onClick={() => onUnsend(message.id)} aria-label="Unsend this message for both of you">
          Unsend
        </button>
      )}
      {message.status === 'pending' && message.waiting && message.clientId && (
        <div className="message-waiting" role="status">
          <span className="message-waiting-text">{waitingText(message)}</span>
          <button type="button" className="link-button link-muted" onClick={() => onDiscard(message.clientId!)}>
            Cancel
          </button>
        </div>
      )}
      {message.status === 'failed' && message.clientId && (
        <div className="message-failed" role="alert">
          <span className="message-failed-text">
            <Icon name="alert" size={16} />
            <span className="message-error">Not sent: {message.error}</span>
          </span>
          <span className="message-failed-actions">
            <button type="button" className="link-button" onClick={() => onRetry(message.clientId!)}>
              Retry
            </button>
            <button type="button" className="link-button link-muted" onClick={() => onDiscard(message.clientId!)}>
              Delete
            </button>
          </span>
        </div>
      )}
    </li>
  );
});

const TICK_LABELS = {
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
} as const;

/** Ticks shows how far one of my messages got: a clock while on this device, then sent, delivered, read. */
function Ticks({ status, waiting }: { status: ChatMessage['status']; waiting: boolean }) {
  if (status === 'failed') return null;
  if (status === 'pending') {
    const label = waiting ? 'Waiting to send' : 'Sending';
    return (
      <span className="delivery" title={label}>
        <Icon name="clock" size={14} />
        <span className="sr-only">{label}</span>
      </span>
    );
  }
  const label = TICK_LABELS[status];
  return (
    <span className={`delivery tick-${status}`} title={label} data-tick={status}>
      <Icon name={status === 'sent' ? 'check' : 'checks'} size={14} />
      <span className="sr-only">{label}</span>
    </span>
  );
}

/** waitingText says why a message waits and, when the server said, at what time it goes out. */
export function waitingText(message: Pick<ChatMessage, 'error' | 'errorCode' | 'retryAt'>): string {
  if (message.errorCode === 'throttled' && message.retryAt) {
    return `You are sending too fast. You can send again at ${formatClock(new Date(message.retryAt))}; this message goes out then.`;
  }
  const base = message.error ? `Waiting to send: ${message.error}` : 'Waiting to send';
  return message.retryAt ? `${base} Trying again at ${formatClock(new Date(message.retryAt))}.` : base;
}

function formatClock(date: Date): string {
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
