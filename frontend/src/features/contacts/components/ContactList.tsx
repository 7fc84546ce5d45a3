import { useMemo, useState } from 'react';
import type { Contact } from '../../../api/chat-api';
import type { LoadStatus } from '../../../lib/load-status';
import { formatShort } from '../../../lib/dates';
import { displayName } from '../../../lib/people';
import { Avatar } from '../../../components/Avatar';
import type { ContactDialogName } from '../../moderation/components/ContactDialogs';
import { Icon } from '../../../components/Icon';

interface ContactListProps {
  contacts: Contact[];
  status: LoadStatus;
  error?: string;
  selected?: string;
  onSelect: (email: string) => void;
  onAdd: () => void;
  onRetry: () => void;
  /** Who is typing to me now. */
  typing?: ReadonlySet<string>;
  /** Add, block or report a request right from the list. */
  onRequestAction?: (action: ContactDialogName, contact: Contact) => void;
}

function matches(contact: Contact, query: string): boolean {
  const q = query.trim().toLocaleLowerCase();
  if (!q) return true;
  return contact.name.toLocaleLowerCase().includes(q) || contact.email.includes(q);
}

/** ContactList shows requests and contacts with a search box. */
export function ContactList({ contacts, status, error, selected, onSelect, onAdd, onRetry, typing, onRequestAction }: ContactListProps) {
  const [query, setQuery] = useState('');
  const filtered = useMemo(() => contacts.filter((c) => matches(c, query)), [contacts, query]);
  const requests = filtered.filter((c) => c.request);
  const people = filtered.filter((c) => !c.request);
  const row = (c: Contact, actions: boolean) => (
    <ContactRow
      key={c.email}
      contact={c}
      selected={c.email === selected}
      onSelect={onSelect}
      typing={typing?.has(c.email) ?? false}
      {...(actions && onRequestAction ? { onAction: onRequestAction } : {})}
    />
  );

  return (
    <div className="contacts">
      <div className="contacts-search">
        <label htmlFor="contact-search" className="sr-only">
          Search contacts
        </label>
        <Icon name="search" size={18} />
        <input
          id="contact-search"
          type="search"
          placeholder="Search"
          autoComplete="off"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>

      {status === 'loading' && <ContactSkeleton />}

      {status === 'error' && (
        <div className="notice notice-error" role="alert">
          <p>Couldn't load your contacts. {error}</p>
          <button type="button" className="btn btn-small" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}

      {status === 'ready' && error && (
        <p className="notice notice-quiet" role="status">
          Connection trouble: the list may be out of date.
        </p>
      )}

      {status === 'ready' && contacts.length === 0 && (
        <div className="empty">
          <div className="empty-art" aria-hidden="true">
            <Icon name="chat" size={36} />
          </div>
          <p className="empty-title">No conversations yet</p>
          <p className="empty-text">Add someone by their email address to start chatting.</p>
          <button type="button" className="btn btn-primary" onClick={onAdd}>
            <Icon name="plus" size={18} /> Add contact
          </button>
        </div>
      )}

      {status === 'ready' && contacts.length > 0 && filtered.length === 0 && (
        <p className="empty-text empty-search" role="status">
          No contacts match “{query.trim()}”.
        </p>
      )}

      {requests.length > 0 && (
        <section aria-labelledby="requests-heading" className="contact-section">
          <h2 id="requests-heading" className="section-heading">
            Requests <span className="count">{requests.length}</span>
          </h2>
          <ul className="contact-list">
            {requests.map((c) => row(c, true))}
          </ul>
        </section>
      )}

      {people.length > 0 && (
        <section aria-labelledby="contacts-heading" className="contact-section">
          <h2 id="contacts-heading" className={requests.length > 0 ? 'section-heading' : 'sr-only'}>
            Contacts
          </h2>
          <ul className="contact-list">
            {people.map((c) => row(c, false))}
          </ul>
        </section>
      )}
    </div>
  );
}

interface ContactRowProps {
  contact: Contact;
  selected: boolean;
  onSelect: (email: string) => void;
  typing: boolean;
  onAction?: (action: ContactDialogName, contact: Contact) => void;
}

function ContactRow({ contact, selected, onSelect, typing, onAction }: ContactRowProps) {
  const name = displayName(contact);
  const last = contact.lastMessage;
  const preview = last?.deleted ? 'message deleted' : last?.message;
  const when = last?.date ?? contact.lastActivity;
  const unread = contact.unread ?? 0;
  return (
    <li>
      <button
        type="button"
        className={`contact${selected ? ' is-selected' : ''}${contact.blocked ? ' is-blocked' : ''}`}
        aria-current={selected ? 'true' : undefined}
        data-email={contact.email}
        onClick={() => onSelect(contact.email)}
      >
        <Avatar name={contact.name} email={contact.email} />
        <span className="contact-main">
          <span className="contact-top">
            <span className="contact-name">{name}</span>
            {when && !Number.isNaN(Date.parse(when)) && (
              <time className="contact-time" dateTime={when}>
                {formatShort(new Date(when))}
              </time>
            )}
          </span>
          <span className="contact-bottom">
            <span className="contact-preview">
              {typing ? (
                <span className="typing">typing…</span>
              ) : preview !== undefined ? (
                <>
                  {last && !last.them && <span className="preview-you">You: </span>}
                  {preview}
                </>
              ) : (
                contact.email
              )}
            </span>
            {contact.deleted && <span className="tag tag-blocked">Account deleted</span>}
            {contact.blocked && <span className="tag tag-blocked">Blocked</span>}
            {contact.request && !contact.blocked && <span className="tag tag-request">Request</span>}
            {unread > 0 && (
              <span className="badge" aria-label={`${unread} unread`}>
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </span>
        </span>
      </button>
      {onAction && contact.request && !contact.blocked && (
        <div className="request-row-actions" role="group" aria-label={`Request from ${contact.email}`}>
          <button type="button" className="btn btn-small btn-primary" onClick={() => onAction('accept', contact)} aria-label={`Add ${contact.email} to contacts`}>
            Add
          </button>
          <button type="button" className="btn btn-small" onClick={() => onAction('block', contact)} aria-label={`Block ${contact.email}`}>
            Block
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => onAction('report', contact)} aria-label={`Report ${contact.email}`}>
            Report
          </button>
        </div>
      )}
    </li>
  );
}

function ContactSkeleton() {
  return (
    <ul className="contact-list" aria-busy="true" aria-label="Loading contacts">
      {[0, 1, 2, 3, 4].map((i) => (
        <li key={i} className="contact skeleton-row">
          <span className="skeleton skeleton-circle" />
          <span className="contact-main">
            <span className="skeleton skeleton-line" style={{ width: `${50 + ((i * 17) % 35)}%` }} />
            <span className="skeleton skeleton-line skeleton-thin" style={{ width: `${70 - ((i * 13) % 30)}%` }} />
          </span>
        </li>
      ))}
    </ul>
  );
}
