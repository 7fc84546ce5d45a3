import { describe, expect, it } from 'vitest';
import type { Contact, Message } from '../../api/chat-api';
import { keepLocalPreview, withMessage } from './contact-merge';

const bob = (over: Partial<Contact> = {}): Contact => ({
  id: 'c1',
  email: 'bob@example.com',
  name: 'Bob',
  avatar: '',
  blocked: false,
  unread: 0,
  request: false,
  lastActivity: '2026-03-01T10:00:00.000Z',
  ...over,
});

const fromBob = (id: string, date: string): Message => ({
  id,
  message: `m${id}`,
  date,
  sender: 'bob@example.com',
  recipient: 'alice@example.com',
  them: true,
});

describe('keepLocalPreview', () => {
  it('keeps the unread count of a first message pushed while the list, read before it, was on its way', () => {
    // The list says: no message yet. The push of Bob's first message came before the list's answer.
    const listed = bob();
    const shown = withMessage([bob()], fromBob('0001', '2026-03-01T10:00:00.500Z'), 'bob@example.com', true, false);
    expect(shown[0]).toMatchObject({ unread: 1 });
    expect(keepLocalPreview(listed, shown[0])).toMatchObject({ unread: 1, lastMessage: { id: '0001' } });
  });

  it('keeps the newer of two previews with the larger count', () => {
    const old = bob({ unread: 3, lastMessage: fromBob('0003', '2026-03-01T10:00:03.000Z') });
    const listed = bob({ unread: 2, lastMessage: fromBob('0002', '2026-03-01T10:00:02.000Z') });
    expect(keepLocalPreview(listed, old)).toMatchObject({ unread: 3, lastMessage: { id: '0003' } });
  });

  it('takes the list when it is newer: a count read elsewhere goes down', () => {
    const old = bob({ unread: 3, lastMessage: fromBob('0003', '2026-03-01T10:00:03.000Z') });
    const listed = bob({ unread: 0, lastMessage: fromBob('0004', '2026-03-01T10:00:04.000Z') });
    expect(keepLocalPreview(listed, old)).toBe(listed);
  });

  it('takes the list when something happened after the preview this device saw', () => {
    const old = bob({ unread: 2, lastMessage: fromBob('0001', '2026-03-01T10:00:00.000Z') });
    const listed = bob({ unread: 0, lastActivity: '2026-03-01T11:00:00.000Z' });
    expect(keepLocalPreview(listed, old)).toBe(listed);
  });
});
