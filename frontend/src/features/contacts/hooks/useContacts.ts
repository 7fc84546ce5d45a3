import { useCallback } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import type { AddContactInput, Contact } from '../../../api/chat-api';
import type { LoadStatus } from '../../../lib/load-status';
import { useContactList } from './useContactList';
import { useLiveContacts } from './useLiveContacts';

export type { LoadStatus };

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
  /** setOpen says whose conversation is on screen (undefined: none); its messages do not count as unread. */
  setOpen: (email: string | undefined) => void;
  /** markRead sets the open contact's unread count to zero locally; for any other contact it does nothing. */
  markRead: (email: string) => void;
  /** touch records the latest message of a conversation locally (a message sent from this device). */
  touch: (email: string, message: Contact['lastMessage']) => void;
}

/**
 * useContacts is the contact list kept live (useContactList loads and polls it, useLiveContacts applies pushed
 * events) with what a person does to it: add, block, unblock, report, and which conversation is open.
 */
export function useContacts(pollMs = 5000): ContactsState {
  const api = useChatAPI();
  const list = useContactList(pollMs);
  const { applyMessage, upsert } = useLiveContacts(list);
  const { openEmail, setContacts } = list;

  const mutate = useCallback(
    async (op: () => Promise<Contact>) => {
      const contact = await op();
      upsert(contact);
      return contact;
    },
    [upsert],
  );

  const setOpen = useCallback(
    (email: string | undefined) => {
      openEmail.current = email;
    },
    [openEmail],
  );

  // A conversation reports it was read from an effect, which can run after the person already left it:
  // only the conversation still open may clear its count.
  const markRead = useCallback(
    (email: string) => {
      if (email !== openEmail.current) return;
      setContacts((current) =>
        current.some((c) => c.email === email && c.unread) ? current.map((c) => (c.email === email ? { ...c, unread: 0 } : c)) : current,
      );
    },
    [openEmail, setContacts],
  );

  const touch = useCallback(
    (_email: string, message: Contact['lastMessage']) => {
      if (message) applyMessage(message);
    },
    [applyMessage],
  );

  return {
    contacts: list.contacts,
    status: list.status,
    ...(list.error !== undefined ? { error: list.error } : {}),
    refresh: list.refresh,
    addContact: (input) => mutate(() => api.addContact(input)),
    block: (email) => mutate(() => api.blockContact(email)),
    unblock: (email) => mutate(() => api.unblockContact(email)),
    report: (email, text) => mutate(() => api.reportContact(email, text)),
    setOpen,
    markRead,
    touch,
  };
}
