import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Contact } from '../api/chat-api';
import { useConnection } from '../features/realtime/hooks/useChatEvents';
import { useContacts } from '../features/contacts/hooks/useContacts';
import { useTyping } from '../features/realtime/hooks/useTyping';
import { ContactDialogs, type ContactDialogName } from '../features/moderation/components/ContactDialogs';
import { Conversation } from '../features/messages/components/Conversation';
import { ContactList } from '../features/contacts/components/ContactList';
import { ExportButton } from '../features/account/components/ExportButton';
import { Icon } from '../components/Icon';
import { Logo } from '../components/Logo';
import { NotificationsControl } from '../features/notifications/components/NotificationsControl';
import { useClearNotifications, useOpenConversationRequests, useVisibilityReport } from '../features/notifications/hooks/useNotifications';

const AddContactDialog = lazy(() => import('../features/contacts/components/AddContactDialog'));
const DeleteAccountDialog = lazy(() => import('../features/account/components/DeleteAccountDialog'));

interface ChatShellProps {
  me?: string;
  onSignOut: () => void;
  /** Shown above everything, e.g. "your session has expired". */
  banner?: ReactNode;
  /** A label shown next to the logo, e.g. "Demo". */
  badge?: string;
  /** Polling intervals, used only while the realtime connection is down. */
  contactsPollMs?: number;
  messagesPollMs?: number;
}

/** ChatShell is the signed-in app: the contact list beside the open conversation. */
export function ChatShell({ me, onSignOut, banner, badge, contactsPollMs, messagesPollMs }: ChatShellProps) {
  const contacts = useContacts(contactsPollMs);
  const [selected, setSelected] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [deletingAccount, setDeletingAccount] = useState(false);
  const [requestAction, setRequestAction] = useState<{ action: ContactDialogName; contact: Contact }>();
  const [toast, setToast] = useState<string>();
  const typing = useTyping();
  const listRef = useRef<HTMLElement>(null);
  const { markRead, setOpen, touch } = contacts;

  const contact = contacts.contacts.find((c) => c.email === selected);

  const select = useCallback(
    (email: string) => {
      setSelected(email);
      setOpen(email);
      markRead(email);
    },
    [markRead, setOpen],
  );

  const back = useCallback(() => {
    const email = selected;
    setSelected(undefined);
    setOpen(undefined);
    // Give the keyboard back to the row that opened the conversation.
    requestAnimationFrame(() => {
      listRef.current?.querySelector<HTMLElement>(`[data-email="${CSS.escape(email ?? '')}"]`)?.focus();
    });
  }, [selected, setOpen]);

  // The server notifies this person's devices only while none of their tabs is on screen; a notification's click
  // opens its conversation here.
  useVisibilityReport();
  useOpenConversationRequests(select);
  useClearNotifications(contact?.email);

  const unread = contacts.contacts.reduce((sum, c) => sum + (c.unread ?? 0), 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
  }, [unread]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || !selected || document.querySelector('dialog[open]') || isTypingInto(e.target)) return;
      back();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, back]);

  const onAdded = (c: Contact) => {
    setAdding(false);
    select(c.email);
  };

  // The push side's state, for tests that must know the socket is open.
  const connection = useConnection();
  return (
    <div className="shell" data-pane={contact ? 'conversation' : 'list'} data-connection={connection}>
      {banner}
      <aside className="sidebar" ref={listRef} aria-label="Contacts">
        <header className="sidebar-header">
          <div className="brand">
            <Logo />
            <span className="brand-name">Parley</span>
            {badge && <span className="tag tag-demo">{badge}</span>}
          </div>
          <div className="sidebar-actions">
            <button type="button" className="btn btn-primary btn-small" onClick={() => setAdding(true)} aria-label="Add contact">
              <Icon name="plus" size={18} />
              <span>Add contact</span>
            </button>
          </div>
        </header>
        <ContactList
          contacts={contacts.contacts}
          status={contacts.status}
          {...(contacts.error !== undefined ? { error: contacts.error } : {})}
          {...(selected !== undefined ? { selected } : {})}
          onSelect={select}
          onAdd={() => setAdding(true)}
          onRetry={() => void contacts.refresh()}
          typing={typing}
          onRequestAction={(action, c) => setRequestAction({ action, contact: c })}
        />
        {!badge && <NotificationsControl />}
        <footer className="sidebar-footer">
          <span className="me" title={me}>
            {me}
          </span>
          {!badge && (
            <a className="btn btn-ghost btn-small" href="/channels">
              Live channels
            </a>
          )}
          <button type="button" className="btn btn-ghost btn-small" onClick={onSignOut}>
            <Icon name="logout" size={18} />
            <span>Sign out</span>
          </button>
        </footer>
        {me && (
          <div className="sidebar-account" aria-label="Your data" role="group">
            <ExportButton />
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setDeletingAccount(true)}>
              Delete account
            </button>
          </div>
        )}
        {deletingAccount && me && (
          <Suspense fallback={null}>
            <DeleteAccountDialog me={me} onClose={() => setDeletingAccount(false)} onDeleted={onSignOut} />
          </Suspense>
        )}
      </aside>

      <main className="main" id="main">
        {contact ? (
          <Conversation
            key={contact.email}
            contact={contact}
            {...(me !== undefined ? { me } : {})}
            {...(messagesPollMs !== undefined ? { pollMs: messagesPollMs } : {})}
            onBack={back}
            onBlock={contacts.block}
            onUnblock={contacts.unblock}
            onReport={contacts.report}
            onAddContact={contacts.addContact}
            onActivity={(email, message) => touch(email, message)}
            onRead={markRead}
            typing={typing.has(contact.email)}
          />
        ) : (
          <div className="welcome">
            <div className="empty-art" aria-hidden="true">
              <Icon name="chat" size={40} />
            </div>
            <h2 className="empty-title">Your conversations</h2>
            <p className="empty-text">Pick a contact on the left, or add someone by email to start a conversation.</p>
          </div>
        )}
      </main>

      <Suspense fallback={null}>
        {adding && <AddContactDialog onAdd={contacts.addContact} onAdded={onAdded} onClose={() => setAdding(false)} />}
      </Suspense>
      {requestAction && (
        <ContactDialogs
          dialog={requestAction.action}
          contact={requestAction.contact}
          onBlock={contacts.block}
          onReport={contacts.report}
          onAddContact={contacts.addContact}
          onClose={() => setRequestAction(undefined)}
          onDone={setToast}
          onAdded={(c) => select(c.email)}
        />
      )}
      {toast && (
        <div className="toast" role="status">
          <span>{toast}</span>
          <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label="Dismiss" onClick={() => setToast(undefined)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
    </div>
  );
}

/** isTypingInto reports whether target is a text field holding text, which Escape must not throw away. */
function isTypingInto(target: EventTarget | null): boolean {
  return (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) && target.value !== '';
}
