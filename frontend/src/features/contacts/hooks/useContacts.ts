import { useCallback, useEffect, useRef, useState } from 'react';
import { useChatSession } from '../../../api/ChatAPIContext';
import { errorMessage, type AddContactInput, type Contact, type Message } from '../../../api/chat-api';
import { isAttending, useChatEvents, useConnection } from '../../realtime/hooks/useChatEvents';
import { usePolling } from '../../../lib/usePolling';

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
  /** setOpen says whose conversation is on screen (undefined: none); its messages do not count as unread. */
  setOpen: (email: string | undefined) => void;
  /** markRead sets the open contact's unread count to zero locally; for any other contact it does nothing. */
  markRead: (email: string) => void;
  /** touch records the latest message of a conversation locally (a message sent from this device). */
  touch: (email: string, message: Contact['lastMessage']) => void;
}

/**
 * keepLocalPreview keeps the last message this device saw for a contact when the API sends none,
 * as long as nothing happened since (the API's lastActivity is not newer).
 */
function keepLocalPreview(fresh: Contact, old: Contact | undefined): Contact {
  if (!old?.lastMessage) return fresh;
  if (fresh.lastMessage !== undefined) {
    // A message pushed while the list was on its way is newer than the list.
    if (old.lastMessage.id <= fresh.lastMessage.id) return fresh;
    return { ...fresh, lastMessage: old.lastMessage, unread: Math.max(old.unread ?? 0, fresh.unread ?? 0) };
  }
  const seen = Date.parse(old.lastMessage.date);
  const activity = fresh.lastActivity ? Date.parse(fresh.lastActivity) : Number.NaN;
  if (!Number.isNaN(activity) && activity > seen + 1000) return fresh;
  return { ...fresh, lastMessage: old.lastMessage };
}

/**
 * useContacts loads the contact list and keeps it live from pushed events: a message moves its conversation to
 * the top with its preview and counts as unread unless its conversation is open before the person's eyes; a
 * contact event replaces the contact. Every (re)connect reloads the list; while the connection is down it polls
 * (every 5 s by default). Messages it learns of are acknowledged as delivered.
 */
export function useContacts(pollMs = 5000): ContactsState {
  const { api, acks } = useChatSession();
  const me = api.me;
  const connection = useConnection();
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [status, setStatus] = useState<LoadStatus>('loading');
  const [error, setError] = useState<string>();
  // A poll that started before a change must not overwrite the change with stale data.
  const version = useRef(0);
  const openEmail = useRef<string | undefined>(undefined);
  const contactsRef = useRef(contacts);
  contactsRef.current = contacts;
  const reloadingForStranger = useRef(false);

  const refresh = useCallback(async () => {
    const started = version.current;
    try {
      const list = await api.getContacts();
      for (const c of list) {
        const last = c.lastMessage;
        if (last && last.sender === c.email && (c.unread ?? 0) > 0) acks.delivered(c.email, last.id);
      }
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
  }, [api, acks]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  usePolling(refresh, pollMs, connection !== 'open');

  const applyMessage = useCallback(
    (m: Message) => {
      const incoming = m.sender !== me;
      const peer = incoming ? m.sender : m.recipient;
      if (incoming) acks.delivered(peer, m.id);
      if (!contactsRef.current.some((c) => c.email === peer)) {
        // A stranger's first message: the request comes as a contact event too, but the list is the truth.
        // One reload for a burst of them.
        if (!reloadingForStranger.current) {
          reloadingForStranger.current = true;
          void refresh().finally(() => {
            reloadingForStranger.current = false;
          });
        }
        return;
      }
      setContacts((list) => {
        const i = list.findIndex((c) => c.email === peer);
        if (i < 0) return list;
        const old = list[i]!;
        const last = old.lastMessage;
        if (last && m.id <= last.id) {
          // Seen already (or older than the preview): only the preview's own fields may change.
          return last.id === m.id ? list.map((c, j) => (j === i ? { ...c, lastMessage: { ...last, ...m } } : c)) : list;
        }
        const attended = peer === openEmail.current && isAttending();
        const updated: Contact = {
          ...old,
          lastMessage: { ...m, them: incoming },
          lastActivity: m.date,
          unread: incoming && !attended ? (old.unread ?? 0) + 1 : old.unread ?? 0,
        };
        return [updated, ...list.slice(0, i), ...list.slice(i + 1)];
      });
    },
    [acks, me, refresh],
  );

  const upsert = useCallback((contact: Contact, pushed = false) => {
    version.current += 1;
    setContacts((list) => {
      const i = list.findIndex((c) => c.email === contact.email);
      if (i < 0) return [contact, ...list];
      const old = list[i]!;
      // A pushed contact can be older than a message this device already showed: keep the newer preview.
      const keepPreview =
        old.lastMessage !== undefined &&
        (contact.lastMessage === undefined || (pushed && contact.lastMessage.id < old.lastMessage.id));
      const merged: Contact = {
        ...contact,
        ...(keepPreview ? { lastMessage: old.lastMessage } : {}),
        ...(contact.unread === undefined && old.unread !== undefined ? { unread: old.unread } : {}),
      };
      const copy = [...list];
      copy[i] = merged;
      return copy;
    });
  }, []);

  useChatEvents((event) => {
    if (event.type === 'connection' && event.state === 'open') void refresh();
    else if (event.type === 'message') applyMessage(event.message);
    else if (event.type === 'contact') {
      const c = event.contact;
      upsert(c.email === openEmail.current && isAttending() ? { ...c, unread: 0 } : c, true);
    }
  });

  const mutate = useCallback(
    async (op: () => Promise<Contact>) => {
      const contact = await op();
      upsert(contact);
      return contact;
    },
    [upsert],
  );

  const setOpen = useCallback((email: string | undefined) => {
    openEmail.current = email;
  }, []);

  // A conversation reports it was read from an effect, which can run after the person already left it:
  // only the conversation still open may clear its count.
  const markRead = useCallback((email: string) => {
    if (email !== openEmail.current) return;
    setContacts((list) =>
      list.some((c) => c.email === email && c.unread) ? list.map((c) => (c.email === email ? { ...c, unread: 0 } : c)) : list,
    );
  }, []);

  const touch = useCallback(
    (_email: string, message: Contact['lastMessage']) => {
      if (message) applyMessage(message);
    },
    [applyMessage],
  );

  return {
    contacts,
    status,
    error,
    refresh,
    addContact: (input) => mutate(() => api.addContact(input)),
    block: (email) => mutate(() => api.blockContact(email)),
    unblock: (email) => mutate(() => api.unblockContact(email)),
    report: (email, text) => mutate(() => api.reportContact(email, text)),
    setOpen,
    markRead,
    touch,
  };
}
