import type { Contact, Message } from '../../api/chat-api';

/**
 * keepLocalPreview keeps the last message this device saw for a contact when the API sends none,
 * as long as nothing happened since (the API's lastActivity is not newer).
 */
export function keepLocalPreview(fresh: Contact, old: Contact | undefined): Contact {
  if (!old?.lastMessage) return fresh;
  if (fresh.lastMessage !== undefined) {
    // A message pushed while the list was on its way is newer than the list.
    if (old.lastMessage.id <= fresh.lastMessage.id) return fresh;
    return { ...fresh, lastMessage: old.lastMessage, unread: Math.max(old.unread ?? 0, fresh.unread ?? 0) };
  }
  const seen = Date.parse(old.lastMessage.date);
  const activity = fresh.lastActivity ? Date.parse(fresh.lastActivity) : Number.NaN;
  if (!Number.isNaN(activity) && activity > seen + 1000) return fresh;
  // The list was read before the conversation's first message, which was pushed while the list was on its way:
  // that message's count is newer than the list's, as its preview is.
  return { ...fresh, lastMessage: old.lastMessage, unread: Math.max(old.unread ?? 0, fresh.unread ?? 0) };
}

/**
 * withMessage is list after message m of the conversation with peer: that contact on top with m as its preview,
 * one more unread when it is incoming and not before the person's eyes. A message seen already changes only the
 * preview's own fields.
 */
export function withMessage(list: Contact[], m: Message, peer: string, incoming: boolean, attended: boolean): Contact[] {
  const i = list.findIndex((c) => c.email === peer);
  if (i < 0) return list;
  const old = list[i]!;
  const last = old.lastMessage;
  if (last && m.id <= last.id) {
    return last.id === m.id ? list.map((c, j) => (j === i ? { ...c, lastMessage: { ...last, ...m } } : c)) : list;
  }
  const updated: Contact = {
    ...old,
    lastMessage: { ...m, them: incoming },
    lastActivity: m.date,
    unread: incoming && !attended ? (old.unread ?? 0) + 1 : old.unread ?? 0,
  };
  return [updated, ...list.slice(0, i), ...list.slice(i + 1)];
}

/**
 * withContact is list with contact put in (new ones on top). A pushed contact can be older than a message this
 * device already showed: the newer preview stays.
 */
export function withContact(list: Contact[], contact: Contact, pushed: boolean): Contact[] {
  const i = list.findIndex((c) => c.email === contact.email);
  if (i < 0) return [contact, ...list];
  const old = list[i]!;
  const keepPreview =
    old.lastMessage !== undefined && (contact.lastMessage === undefined || (pushed && contact.lastMessage.id < old.lastMessage.id));
  const merged: Contact = {
    ...contact,
    ...(keepPreview ? { lastMessage: old.lastMessage } : {}),
    ...(contact.unread === undefined && old.unread !== undefined ? { unread: old.unread } : {}),
  };
  const copy = [...list];
  copy[i] = merged;
  return copy;
}
