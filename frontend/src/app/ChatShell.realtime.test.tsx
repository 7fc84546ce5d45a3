import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLazyDialogs } from '../test/lazy-dialogs';
import { MemoryChatAPI } from '../api/memory-chat-api';
import { renderWithAPI, world } from '../test/render';
import { ChatShell } from './ChatShell';

// The signed-in app on the in-memory adapter's push side: badges, title, requests, typing and ticks move as
// events arrive, with polling intervals far too long to be what moved them.
const NO_POLL = { contactsPollMs: 600_000, messagesPollMs: 600_000 };

function row(email: string) {
  return screen.getByRole('complementary', { name: 'Contacts' }).querySelector<HTMLElement>(`[data-email="${email}"]`)!;
}

describe('ChatShell realtime', () => {
  beforeAll(loadLazyDialogs);

  it('badges a conversation that is not open, counts it in the title, and clears both when it is opened', async () => {
    const user = userEvent.setup();
    const { alice, bob } = world();
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await screen.findByText('Bob');
    await waitFor(() => expect(alice.connection).toBe('open'));

    await act(async () => {
      await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'one' });
      await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'two' });
    });
    await waitFor(() => expect(within(row('bob@example.com')).getByLabelText('2 unread')).toBeInTheDocument());
    expect(within(row('bob@example.com')).getByText('two')).toBeInTheDocument();
    expect(document.title).toBe('(2) Parley');

    await user.click(row('bob@example.com'));
    await screen.findByText('one', { selector: '.bubble-text' });
    expect(within(row('bob@example.com')).queryByLabelText(/unread/)).toBeNull();
    expect(document.title).toBe('Parley');
    // The read reached the server: Bob's messages are read, and a fresh list has nothing unread.
    await waitFor(async () =>
      expect((await bob.getMessages({ recipientNamespace: 'alice@example.com' })).map((m) => m.status)).toEqual(['read', 'read']),
    );
    expect((await alice.getContacts()).find((c) => c.email === 'bob@example.com')?.unread).toBe(0);
  });

  it('moves the conversation with the newest message to the top, live', async () => {
    const { server, alice } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    await alice.addContact({ email: 'carol@example.com', name: 'Carol' });
    await carol.addContact({ email: 'alice@example.com', name: 'Alice' });
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await screen.findByText('Carol');
    await waitFor(() => expect(alice.connection).toBe('open'));
    const order = () =>
      [...screen.getByRole('complementary', { name: 'Contacts' }).querySelectorAll('[data-email]')].map((e) =>
        e.getAttribute('data-email'),
      );
    await act(() => carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'hey' }));
    await waitFor(() => expect(order()[0]).toBe('carol@example.com'));
    await act(() => server.addMessage('bob@example.com', { recipientNamespace: 'alice@example.com', message: 'me too' }));
    await waitFor(() => expect(order()[0]).toBe('bob@example.com'));
  });

  it('shows a stranger’s first message as a request, with add, block and report right there', async () => {
    const user = userEvent.setup();
    const { server, alice } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    await carol.addContact({ email: 'alice@example.com', name: 'Alice' });
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await screen.findByText('Bob');
    await waitFor(() => expect(alice.connection).toBe('open'));

    await act(() => carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'hi, we met at the meetup' }));
    const requests = (await screen.findByRole('heading', { name: /Requests/ })).closest('section')!;
    const actions = within(requests).getByRole('group', { name: 'Request from carol@example.com' });
    expect(within(actions).getByRole('button', { name: 'Add carol@example.com to contacts' })).toBeInTheDocument();
    expect(within(actions).getByRole('button', { name: 'Report carol@example.com' })).toBeInTheDocument();

    await user.click(within(actions).getByRole('button', { name: 'Block carol@example.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Block carol?' });
    // What the dialog says is what happens to the blocked person.
    expect(dialog).toHaveTextContent("their message is refused and they see that you don't accept their messages");
    expect(dialog).not.toHaveTextContent('not notified');
    await user.click(within(dialog).getByRole('button', { name: 'Block' }));
    await waitFor(() => expect(within(row('carol@example.com')).getByText('Blocked')).toBeInTheDocument());
    await expect(carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'again' })).rejects.toMatchObject({
      code: 'blocked',
    });
  });

  it('adds a request to the contacts from the list and opens the conversation', async () => {
    const user = userEvent.setup();
    const { server, alice } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    await carol.addContact({ email: 'alice@example.com', name: 'Alice' });
    await carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'hello?' });
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await user.click(await screen.findByRole('button', { name: 'Add carol@example.com to contacts' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add a contact' });
    await user.clear(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), 'Carol');
    await user.click(within(dialog).getByRole('button', { name: 'Add contact' }));
    expect(await screen.findByRole('heading', { name: 'Carol', level: 2 })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: /Requests/ })).toBeNull();
  });

  it('shows typing in the list and the conversation, and ends it when the message comes', async () => {
    const user = userEvent.setup();
    const { alice, bob } = world();
    bob.subscribe(() => {});
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await user.click(await screen.findByRole('button', { name: /Bob/ }));
    await waitFor(() => expect(alice.connection).toBe('open'));
    await waitFor(() => expect(bob.connection).toBe('open'));

    act(() => bob.typing('alice@example.com'));
    expect(within(row('bob@example.com')).getByText('typing…')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: /Bob/ }).closest('section') ?? document.body).getAllByText('typing…').length).toBeGreaterThan(0);

    await act(() => bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'done typing' }));
    await waitFor(() => expect(screen.queryByText('typing…')).toBeNull());
    expect(await screen.findByText('done typing', { selector: '.bubble-text' })).toBeInTheDocument();
  });

  it('sends typing to the other side while I type', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    const typing = vi.spyOn(alice, 'typing');
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await user.click(await screen.findByRole('button', { name: /Bob/ }));
    await user.type(await screen.findByRole('textbox', { name: 'Message Bob' }), 'hello there');
    // Eleven keystrokes within 3 s: one typing event.
    expect(typing).toHaveBeenCalledTimes(1);
    expect(typing).toHaveBeenCalledWith('bob@example.com');
  });

  it('ticks my message sent, delivered and read as the other side gets and reads it', async () => {
    const user = userEvent.setup();
    const { alice, bob } = world();
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await user.click(await screen.findByRole('button', { name: /Bob/ }));
    await user.type(await screen.findByRole('textbox', { name: 'Message Bob' }), 'tick tock{Enter}');
    const bubble = () => screen.getByText('tick tock', { selector: '.bubble-text' }).closest('li')!;
    await waitFor(() => expect(bubble()).toHaveAttribute('data-status', 'sent'));
    expect(within(bubble()).getByText('Sent')).toBeInTheDocument();
    const id = (await bob.getMessages({ recipientNamespace: 'alice@example.com' }))[0]!.id;
    await act(() => bob.ack({ recipientNamespace: 'alice@example.com', upTo: id }));
    expect(bubble()).toHaveAttribute('data-status', 'delivered');
    await act(() => bob.ack({ recipientNamespace: 'alice@example.com', upTo: id, read: true }));
    expect(bubble()).toHaveAttribute('data-status', 'read');
    expect(within(bubble()).getByText('Read')).toBeInTheDocument();
  });

  it('shows a message written offline as waiting with Cancel, and cancelling removes it', async () => {
    const user = userEvent.setup();
    const { alice, bob } = world();
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} {...NO_POLL} />, alice);
    await user.click(await screen.findByRole('button', { name: /Bob/ }));
    alice.setOnline(false);
    await user.type(await screen.findByRole('textbox', { name: 'Message Bob' }), 'maybe later{Enter}');
    const waiting = await screen.findByText(/Waiting to send/, { selector: '.message-waiting-text' });
    await user.click(within(waiting.closest('li')!).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByText('maybe later')).toBeNull();
    alice.setOnline(true);
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(await bob.getMessages({ recipientNamespace: 'alice@example.com' })).toEqual([]);
  });
});
