import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { ChatAPIProvider } from '../../../api/ChatAPIContext';
import { world } from '../../../test/render';
import { useContacts } from './useContacts';

describe('useContacts', () => {
  it('counts a message as unread once its conversation was left, even if the conversation reports a read late', async () => {
    const { alice, bob } = world();
    const wrapper = ({ children }: { children: ReactNode }) => <ChatAPIProvider api={alice}>{children}</ChatAPIProvider>;
    const { result } = renderHook(() => useContacts(600_000), { wrapper });
    await waitFor(() => expect(result.current.contacts.some((c) => c.email === 'bob@example.com')).toBe(true));
    await waitFor(() => expect(alice.connection).toBe('open'));

    act(() => result.current.setOpen('bob@example.com'));
    act(() => result.current.setOpen(undefined));
    // The conversation's read effect, flushed after the person already pressed Escape.
    act(() => result.current.markRead('bob@example.com'));

    await act(() => bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'still there?' }));
    await waitFor(() => expect(result.current.contacts.find((c) => c.email === 'bob@example.com')?.unread).toBe(1));
  });
});
