import { useCallback, useEffect, useRef, useState } from 'react';
import { useChatAPI } from '../api/ChatAPIContext';
import { errorMessage, type AddContactInput, type Contact } from '../api/chat-api';
import { usePolling } from './usePolling';

export type LoadStatus = 'loading' | 'ready' | 'error';

export interface ContactsState {
  contacts: Contact[];
  status: LoadStatus;
  /** The last load or poll error, cleared by the next success. */
  error?: string;
  refresh: () => Promise<void>;
  addContact: (input: AddContactInput) => Promise<Contact>;
  block: (email: string) => Promise<Contact>;
  unblock: (email: string) => Promise<Contact>;
  report: (email: string, report: string) => Promise<Contact>;
  /** markRead sets a contact's unread count to zero locally (its conversation is open). */
  markRead: (email: string) => void;
  /** touch records the latest message of a conversation locally, before the next poll. */
  touch: (email: string, message: Contact['lastMessage']) => void;
}

/**
 * keepLocalPreview keeps the last message this device saw for a contact when the API sends none,
 * as long as nothing happened since (the API's lastActivity is not newer).
 */
function keepLocalPreview(fresh: Contact, old: Contact | undefined): Contact {
  if (fresh.lastMessage !== undefined || !old?.lastMessage) return fresh;
  const seen = Date.parse(old.lastMessage.date);
  const activity = fresh.lastActivity ? Date.parse(fresh.lastActivity) : Number.NaN;
  if (!Number.isNaN(activity) && activity > seen + 1000) return fresh;
  return { ...fresh, lastMessage: old.lastMessage };
}

/** useContacts loads the contact list and keeps it fresh by polling (every 5 s by default). */
export function useContacts(pollMs = 5000): ContactsState {
  const api = useChatAPI();
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [status, setStatus] = useState<LoadStatus>('loading');
  const [error, setError] = useState<string>();
  // A poll that started before a change must not overwrite the change with stale data.
  const version = useRef(0);
  const openEmail = useRef<string | undefined>(undefined);

  const refresh = useCallback(async () => {
    const started = version.current;
    try {
      const list = await api.getContacts();
      if (version.current !== started) return;
      setContacts((current) => {
        const known = new Map(current.map((c) => [c.email, c]));
        return list.map((fresh) => {
          const merged = keepLocalPreview(fresh, known.get(fresh.email));
          return merged.email === openEmail.current ? { ...merged, unread: 0 } : merged;
        });
      });
      setStatus('ready');
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
      setStatus((s) => (s === 'loading' ? 'error' : s));
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  usePolling(refresh, pollMs);

  const upsert = useCallback((contact: Contact) => {
    version.current += 1;
    setContacts((list) => {
      const i = list.findIndex((c) => c.email === contact.email);
      if (i < 0) return [contact, ...list];
      const old = list[i]!;
      const merged: Contact = {
        ...contact,
        ...(contact.lastMessage === undefined && old.lastMessage !== undefined ? { lastMessage: old.lastMessage } : {}),
        ...(contact.unread === undefined && old.unread !== undefined ? { unread: old.unread } : {}),
      };
      const copy = [...list];
      copy[i] = merged;
      return copy;
    });
  }, []);

  const mutate = useCallback(
    async (op: () => Promise<Contact>) => {
      const contact = await op();
      upsert(contact);
      return contact;
    },
    [upsert],
  );

  const markRead = useCallback((email: string) => {
    openEmail.current = email;
    setContacts((list) =>
      list.some((c) => c.email === email && c.unread) ? list.map((c) => (c.email === email ? { ...c, unread: 0 } : c)) : list,
    );
  }, []);

  const touch = useCallback((email: string, message: Contact['lastMessage']) => {
    version.current += 1;
    setContacts((list) => {
      const i = list.findIndex((c) => c.email === email);
      if (i < 0) return list;
      const updated = { ...list[i]!, lastMessage: message };
      return [updated, ...list.slice(0, i), ...list.slice(i + 1)];
    });
  }, []);

  return {
    contacts,
    status,
    error,
    refresh,
    addContact: (input) => mutate(() => api.addContact(input)),
    block: (email) => mutate(() => api.blockContact(email)),
    unblock: (email) => mutate(() => api.unblockContact(email)),
    report: (email, text) => mutate(() => api.reportContact(email, text)),
    markRead,
    touch,
  };
}
