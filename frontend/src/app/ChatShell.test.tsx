import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLazyDialogs } from '../test/lazy-dialogs';
import { MemoryChatAPI, MemoryChatServer } from '../api/memory-chat-api';
import { renderWithAPI, world } from '../test/render';
import { ChatShell } from './ChatShell';

describe('ChatShell', () => {
  beforeAll(loadLazyDialogs);

  it('shows skeletons, then an empty state that invites adding a contact', async () => {
    const server = new MemoryChatServer();
    const api = new MemoryChatAPI(server, 'alice@example.com');
    renderWithAPI(<ChatShell me={api.me} onSignOut={vi.fn()} />, api);
    expect(screen.getByLabelText('Loading contacts')).toHaveAttribute('aria-busy', 'true');
    expect(await screen.findByText('No conversations yet')).toBeInTheDocument();
  });

  it('adds a contact and opens the conversation', async () => {
    const user = userEvent.setup();
    const server = new MemoryChatServer();
    const api = new MemoryChatAPI(server, 'alice@example.com');
    renderWithAPI(<ChatShell me={api.me} onSignOut={vi.fn()} />, api);
    await screen.findByText('No conversations yet');
    await user.click(screen.getAllByRole('button', { name: 'Add contact' })[0]!);
    const dialog = await screen.findByRole('dialog', { name: 'Add a contact' });
    await user.type(within(dialog).getByLabelText('Email'), 'Bob@Example.com');
    await user.type(within(dialog).getByLabelText('Name'), 'Bob');
    await user.click(within(dialog).getByRole('button', { name: 'Add contact' }));

    expect(await screen.findByRole('heading', { name: 'Bob', level: 2 })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message Bob' })).toHaveFocus();
    const row = screen.getByRole('complementary', { name: 'Contacts' }).querySelector('[data-email="bob@example.com"]');
    expect(row).toHaveAttribute('aria-current', 'true');
  });

  it('shows the API error of a refused contact in the dialog', async () => {
    const user = userEvent.setup();
    const server = new MemoryChatServer();
    const api = new MemoryChatAPI(server, 'alice@example.com');
    renderWithAPI(<ChatShell me={api.me} onSignOut={vi.fn()} />, api);
    await screen.findByText('No conversations yet');
    await user.click(screen.getAllByRole('button', { name: 'Add contact' })[0]!);
    const dialog = await screen.findByRole('dialog', { name: 'Add a contact' });
    await user.type(within(dialog).getByLabelText('Email'), 'alice@example.com');
    await user.type(within(dialog).getByLabelText('Name'), 'Me');
    await user.click(within(dialog).getByRole('button', { name: 'Add contact' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('email: is your own address; you cannot add yourself');
  });

  it('lists requests apart, marks blocked contacts, shows initials and unread counts', async () => {
    const { server, alice } = world();
    const carol = new MemoryChatAPI(server, 'carol@example.com');
    await carol.addContact({ email: 'alice@example.com', name: 'Alice' });
    await carol.addMessage({ recipientNamespace: 'alice@example.com', message: 'hi, we met at the meetup' });
    await alice.addContact({ email: 'dan@example.com', name: 'Dan Brown' });
    await alice.blockContact('dan@example.com');

    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} />, alice);
    const requests = (await screen.findByRole('heading', { name: /Requests/ })).closest('section')!;
    // The server names a stranger after the part of their address before @.
    expect(within(requests).getByText('carol')).toBeInTheDocument();
    expect(within(requests).getByText('hi, we met at the meetup')).toBeInTheDocument();
    expect(within(requests).getByLabelText('1 unread')).toBeInTheDocument();

    const contacts = screen.getByRole('heading', { name: 'Contacts' }).closest('section')!;
    const dan = within(contacts).getByText('Dan Brown').closest('button')!;
    expect(within(dan).getByText('Blocked')).toBeInTheDocument();
    expect(within(dan).getByText('DB')).toBeInTheDocument();
  });

  it('filters contacts with the search box', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    await alice.addContact({ email: 'carol@example.com', name: 'Carol' });
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} />, alice);
    await screen.findByText('Carol');
    await user.type(screen.getByRole('searchbox', { name: 'Search contacts' }), 'bo');
    expect(screen.queryByText('Carol')).toBeNull();
    expect(screen.getByText('Bob')).toBeInTheDocument();
    await user.clear(screen.getByRole('searchbox', { name: 'Search contacts' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search contacts' }), 'zzz');
    expect(screen.getByText('No contacts match “zzz”.')).toBeInTheDocument();
  });

  it('shows an error with a retry when contacts cannot load', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    // The whole network is down, not one call: a single mocked rejection could be spent by the socket's resync
    // on open instead of the first load. The socket stays down after the network returns, so only the button
    // (not a resync) loads the list again.
    alice.setConnected(false);
    alice.setOnline(false);
    const load = vi.spyOn(alice, 'getContacts');
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} />, alice);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("Can't reach the server.");
    alice.setOnline(true);
    const loadsBefore = load.mock.calls.length;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Bob')).toBeInTheDocument();
    expect(load.mock.calls.length).toBeGreaterThan(loadsBefore);
  });

  it('moves between list and conversation with the keyboard', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} />, alice);
    await user.click(await screen.findByRole('button', { name: /Bob/ }));
    expect(await screen.findByRole('textbox', { name: 'Message Bob' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Message Bob' })).toBeNull());
    await waitFor(() => expect(screen.getByRole('button', { name: /Bob/ })).toHaveFocus());
  });

  it('keeps the conversation and its draft when Escape is pressed while typing', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    renderWithAPI(<ChatShell me={alice.me} onSignOut={vi.fn()} />, alice);
    await user.click(await screen.findByRole('button', { name: /Bob/ }));
    const composer = await screen.findByRole('textbox', { name: 'Message Bob' });
    await user.type(composer, 'half a thought');
    await user.keyboard('{Escape}');
    expect(screen.getByRole('textbox', { name: 'Message Bob' })).toHaveValue('half a thought');
  });
});
