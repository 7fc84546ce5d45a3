import { useCallback, useRef } from 'react';
import { useChatSession } from '../../../api/ChatAPIContext';
import type { Contact, Message } from '../../../api/chat-api';
import { isAttending, useChatEvents } from '../../realtime/hooks/useChatEvents';
import { withContact, withMessage } from '../contact-merge';
import type { ContactList } from './useContactList';

/** LiveContacts are the changes the list takes from this device as well as from pushes. */
export interface LiveContacts {
  applyMessage: (m: Message) => void;
  upsert: (contact: Contact, pushed?: boolean) => void;
}

/**
 * useLiveContacts keeps the list live from pushed events: a message moves its conversation to the top with its
 * preview and counts as unread unless its conversation is open before the person's eyes (and is acknowledged as
 * delivered); a contact event replaces the contact; every (re)connect reloads the list.
 */
export function useLiveContacts(list: ContactList): LiveContacts {
  const { api, acks } = useChatSession();
  const me = api.me;
  const { contactsRef, setContacts, refresh, changed, openEmail } = list;
  const reloadingForStranger = useRef(false);

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
      setContacts((current) => withMessage(current, m, peer, incoming, peer === openEmail.current && isAttending()));
    },
    [acks, me, refresh, contactsRef, setContacts, openEmail],
  );

  const upsert = useCallback(
    (contact: Contact, pushed = false) => {
      changed();
      setContacts((current) => withContact(current, contact, pushed));
    },
    [changed, setContacts],
  );

  useChatEvents((event) => {
    if (event.type === 'connection' && event.state === 'open') void refresh();
    else if (event.type === 'message') applyMessage(event.message);
    else if (event.type === 'contact') {
      const c = event.contact;
      upsert(c.email === openEmail.current && isAttending() ? { ...c, unread: 0 } : c, true);
    }
  });

  return { applyMessage, upsert };
}
