import { useEffect, useRef, useState } from 'react';
import { errorMessage, type AddContactInput, type Contact, type Message } from '../../../api/chat-api';
import { useConversation } from '../hooks/useConversation';
import { displayName } from '../../../lib/people';
import { Avatar } from '../../../components/Avatar';
import { Composer, type ComposerHandle } from './Composer';
import { ContactDialogs, type ContactDialogName } from '../../moderation/components/ContactDialogs';
import { Icon } from '../../../components/Icon';
import { MessageList } from './MessageList';

export interface ConversationProps {
  contact: Contact;
  me?: string;
  onBack: () => void;
  onBlock: (email: string) => Promise<Contact>;
  onUnblock: (email: string) => Promise<Contact>;
  onReport: (email: string, report: string) => Promise<Contact>;
  onAddContact: (input: AddContactInput) => Promise<Contact>;
  onActivity?: (email: string, message: Message) => void;
  /** Called when the conversation was acknowledged as read. */
  onRead?: (email: string) => void;
  /** The other person is typing to me now. */
  typing?: boolean;
  /** Move focus into the composer when the conversation opens. */
  autoFocus?: boolean;
  pollMs?: number;
}

/** Conversation is one open chat: header with actions, messages, composer. */
export function Conversation({
  contact,
  me,
  onBack,
  onBlock,
  onUnblock,
  onReport,
  onAddContact,
  onActivity,
  onRead,
  typing = false,
  autoFocus = true,
  pollMs,
}: ConversationProps) {
  const name = displayName(contact);
  const chat = useConversation(contact.email, me, {
    ...(pollMs !== undefined ? { pollMs } : {}),
    onSent: (m) => onActivity?.(contact.email, m),
    onRead: () => onRead?.(contact.email),
  });
  const [dialog, setDialog] = useState<ContactDialogName | null>(null);
  const [notice, setNotice] = useState<{ kind: 'info' | 'error'; text: string }>();
  const [unblocking, setUnblocking] = useState(false);
  const composer = useRef<ComposerHandle>(null);

  useEffect(() => {
    if (autoFocus && !contact.blocked && !contact.request) composer.current?.focus();
    // Only when another conversation opens.
  }, [contact.email]);

  const unblock = async () => {
    setUnblocking(true);
    setNotice(undefined);
    try {
      await onUnblock(contact.email);
      setNotice({ kind: 'info', text: `${name} is unblocked.` });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setUnblocking(false);
    }
  };

  const announcement = chat.lastIncoming ? `New message from ${name}: ${chat.lastIncoming.message}` : '';

  return (
    <section className="conversation" aria-labelledby="conversation-title">
      <header className="conversation-header">
        <button type="button" className="btn btn-icon btn-ghost back-button" onClick={onBack} aria-label="Back to contacts">
          <Icon name="back" />
        </button>
        <Avatar name={contact.name} email={contact.email} />
        <div className="conversation-who">
          <h2 id="conversation-title" className="conversation-name">
            {name}
          </h2>
          {typing ? (
            <p className="conversation-email typing" aria-live="polite">
              typing…
            </p>
          ) : (
            name !== contact.email && <p className="conversation-email">{contact.email}</p>
          )}
        </div>
        <div className="conversation-actions">
          {contact.blocked ? (
            <button type="button" className="btn btn-ghost btn-small" onClick={unblock} disabled={unblocking} aria-label={`Unblock ${name}`}>
              <Icon name="block" size={18} />
              <span className="btn-label">{unblocking ? 'Unblocking…' : 'Unblock'}</span>
            </button>
          ) : (
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setDialog('block')} aria-label={`Block ${name}`}>
              <Icon name="block" size={18} />
              <span className="btn-label">Block</span>
            </button>
          )}
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setDialog('report')} aria-label={`Report ${name}`}>
            <Icon name="flag" size={18} />
            <span className="btn-label">{contact.report ? 'Reported' : 'Report'}</span>
          </button>
        </div>
      </header>

      {notice && (
        <div className={`notice ${notice.kind === 'error' ? 'notice-error' : 'notice-info'} notice-bar`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span className="notice-text">{notice.text}</span>
          <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}

      {chat.status === 'loading' && <MessagesSkeleton />}
      {chat.status === 'error' && (
        <div className="conversation-empty">
          <div className="notice notice-error" role="alert">
            <p>Couldn't load this conversation. {chat.error}</p>
            <button type="button" className="btn btn-small" onClick={() => void chat.pollNow()}>
              Try again
            </button>
          </div>
        </div>
      )}
      {chat.status === 'ready' && chat.messages.length === 0 && (
        <div className="conversation-empty">
          <Avatar name={contact.name} email={contact.email} size="lg" />
          <p className="empty-title">Say hello to {name}</p>
          <p className="empty-text">Messages you send appear here. Only the two of you can read them.</p>
        </div>
      )}
      {chat.status === 'ready' && chat.messages.length > 0 && (
        <MessageList
          messages={chat.messages}
          peerName={name}
          hasOlder={chat.hasOlder}
          loadingOlder={chat.loadingOlder}
          {...(chat.olderError !== undefined ? { olderError: chat.olderError } : {})}
          onLoadOlder={chat.loadOlder}
          onRetry={chat.retry}
          onDiscard={chat.discard}
          onUnsend={chat.unsend}
        />
      )}

      {chat.unsendError && (
        <p className="form-error conversation-unsend-error" role="alert">
          Could not unsend: {chat.unsendError}
        </p>
      )}

      <div className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>

      {chat.status === 'ready' && chat.error && (
        <p className="notice notice-quiet conversation-offline" role="status">
          Reconnecting… new messages may be delayed.
        </p>
      )}

      {contact.blocked ? (
        <div className="blocked-bar" role="status">
          <Icon name="block" size={18} />
          <span>You blocked {name}. Neither of you can send messages.</span>
          <button type="button" className="btn btn-small" onClick={unblock} disabled={unblocking}>
            Unblock
          </button>
        </div>
      ) : contact.request ? (
        <div className="request-bar">
          <p>
            <strong>{contact.email}</strong> isn't in your contacts. Add them to reply, or block or report them.
          </p>
          <div className="request-actions">
            <button type="button" className="btn btn-primary btn-small" onClick={() => setDialog('accept')}>
              Add to contacts
            </button>
            <button type="button" className="btn btn-small" onClick={() => setDialog('block')}>
              Block
            </button>
            <button type="button" className="btn btn-small" onClick={() => setDialog('report')}>
              Report
            </button>
          </div>
        </div>
      ) : (
        <Composer ref={composer} recipientName={name} onSend={chat.send} onTyping={chat.typing} />
      )}

      <ContactDialogs
        dialog={dialog}
        contact={contact}
        onBlock={onBlock}
        onReport={onReport}
        onAddContact={onAddContact}
        onClose={() => setDialog(null)}
        onDone={(text) => setNotice({ kind: 'info', text })}
      />
    </section>
  );
}

function MessagesSkeleton() {
  const rows = [
    { side: 'theirs', w: 55 },
    { side: 'mine', w: 40 },
    { side: 'theirs', w: 70 },
    { side: 'mine', w: 30 },
    { side: 'mine', w: 50 },
  ];
  return (
    <div className="messages" aria-busy="true" aria-label="Loading messages">
      <div className="messages-inner">
        {rows.map((r, i) => (
          <div key={i} className={`message ${r.side}`}>
            <span className="skeleton skeleton-bubble" style={{ width: `${r.w}%` }} />
          </div>
        ))}
      </div>
    </div>
  );
}
