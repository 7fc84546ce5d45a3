import { useCallback, useEffect, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import { useChatSession } from '../../../api/ChatAPIContext';
import { errorMessage, type Contact } from '../../../api/chat-api';
import type { LoadStatus } from '../../../lib/load-status';
import { usePolling } from '../../../lib/usePolling';
import { useConnection } from '../../realtime/hooks/useChatEvents';
import { keepLocalPreview } from '../contact-merge';

/** ContactList is the contact list as read through REST, and what changes it. */
export interface ContactList {
  contacts: Contact[];
  contactsRef: RefObject<Contact[]>;
  setContacts: Dispatch<SetStateAction<Contact[]>>;
  status: LoadStatus;
  error?: string;
  refresh: () => Promise<void>;
  /** changed says the list was changed here: a load that started before must not overwrite it with stale data. */
  changed: () => void;
  /** Whose conversation is open (undefined: none): its messages do not count as unread. */
  openEmail: RefObject<string | undefined>;
}

/**
 * useContactList loads the contact list, again while the connection is down (every pollMs), and acknowledges as
 * delivered the latest message of every contact with unread ones.
 */
export function useContactList(pollMs: number): ContactList {
  const { api, acks } = useChatSession();
  const connection = useConnection();
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [status, setStatus] = useState<LoadStatus>('loading');
  const [error, setError] = useState<string>();
  const version = useRef(0);
  const openEmail = useRef<string | undefined>(undefined);
  const contactsRef = useRef(contacts);
  contactsRef.current = contacts;

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

  const changed = useCallback(() => {
    version.current += 1;
  }, []);

  return { contacts, contactsRef, setContacts, status, ...(error !== undefined ? { error } : {}), refresh, changed, openEmail };
}
