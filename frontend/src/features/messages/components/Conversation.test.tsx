import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLazyDialogs } from '../../../test/lazy-dialogs';
import { ApiError, type ChatAPI, type Contact } from '../../../api/chat-api';
import { renderWithAPI, world } from '../../../test/render';
import { Conversation } from './Conversation';

const bobContact = (over: Partial<Contact> = {}): Contact => ({
  id: 'c1',
  email: 'bob@example.com',
  name: 'Bob',
  avatar: '',
  blocked: false,
  request: false,
  unread: 0,
  lastActivity: '2026-01-01T00:00:00.000Z',
  ...over,
});

function show(api: ChatAPI, contact: Contact, handlers: Partial<Parameters<typeof Conversation>[0]> = {}) {
  const props = {
    contact,
    me: api.me,
    onBack: vi.fn(),
    onBlock: vi.fn(async () => ({ ...contact, blocked: true })),
    onUnblock: vi.fn(async () => ({ ...contact, blocked: false })),
    onReport: vi.fn(async () => ({ ...contact, report: 'x' })),
    onAddContact: vi.fn(async () => contact),
    pollMs: 60_000,
    ...handlers,
  };
  const view = renderWithAPI(<Conversation {...props} />, api);
  return { ...view, props };
}

describe('Conversation', () => {
  beforeAll(loadLazyDialogs);

  it('renders user text as text, never as HTML', async () => {
    const { alice, bob } = world();
    const evil = '<img src=x onerror="alert(1)"><b>bold</b>';
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: evil });
    const { container } = show(alice, bobContact());
    expect(await screen.findByText(evil)).toBeInTheDocument();
    expect(container.querySelector('.messages img')).toBeNull();
    expect(container.querySelector('.messages b')).toBeNull();
  });

  it('unsends my message for both of us: it shows as "message deleted", here and on the other side', async () => {
    const user = userEvent.setup();
    const { alice, bob } = world();
    await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'to the wrong person' });
    show(alice, bobContact());
    expect(await screen.findByText('to the wrong person')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Unsend this message for both of you' }));
    expect(await screen.findByText('message deleted')).toBeInTheDocument();
    expect(screen.queryByText('to the wrong person')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Unsend this message for both of you' })).toBeNull();
    const theirs = await bob.getMessages({ recipientNamespace: 'alice@example.com' });
    expect(theirs.map((m) => [m.message, m.deleted])).toEqual([['', true]]);
  });

  it('offers no unsend for messages of the other member', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'hello' });
    show(alice, bobContact());
    expect(await screen.findByText('hello')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Unsend this message for both of you' })).toBeNull();
  });

  it('keeps line breaks of a message', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'line one\nline two' });
    show(alice, bobContact());
    const text = await screen.findByText(/line one/);
    expect(text.textContent).toBe('line one\nline two');
  });

  it('groups messages under a Today heading', async () => {
    const { alice, bob } = world();
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'hello' });
    show(alice, bobContact());
    const today = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(0, 'day');
    const heading = await screen.findByRole('heading', { level: 3 });
    expect(heading.textContent?.toLowerCase()).toBe(today.toLowerCase());
  });

  it('sends with Enter, adds a new line with Shift+Enter', async () => {
    const user = userEvent.setup();
    const { alice, bob } = world();
    show(alice, bobContact());
    const box = await screen.findByRole('textbox', { name: 'Message Bob' });
    await user.type(box, 'first line{Shift>}{Enter}{/Shift}second line');
    expect(box).toHaveValue('first line\nsecond line');
    await user.keyboard('{Enter}');
    expect(box).toHaveValue('');
    await waitFor(async () =>
      expect((await bob.getMessages({ recipientNamespace: 'alice@example.com' })).map((m) => m.message)).toEqual([
        'first line\nsecond line',
      ]),
    );
    await waitFor(() => expect(document.querySelector('.message.mine')).toHaveAttribute('data-status', 'sent'));
  });

  it('disables Send until there is text', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    show(alice, bobContact());
    const send = await screen.findByRole('button', { name: 'Send' });
    expect(send).toBeDisabled();
    await user.type(screen.getByRole('textbox', { name: 'Message Bob' }), '   ');
    expect(send).toBeDisabled();
    await user.type(screen.getByRole('textbox', { name: 'Message Bob' }), 'hi');
    expect(send).toBeEnabled();
  });

  it('shows a refused message as failed with the server message and a Retry', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    const spy = vi
      .spyOn(alice, 'addMessage')
      .mockRejectedValue(new ApiError('blocked', 'This person is not accepting your messages.', 403));
    show(alice, bobContact());
    await user.type(await screen.findByRole('textbox', { name: 'Message Bob' }), 'hello{Enter}');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Not sent: This person is not accepting your messages.');
    expect(document.querySelector('.message.mine')).toHaveAttribute('data-status', 'failed');

    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(spy).toHaveBeenCalledTimes(2));
    expect(spy.mock.calls[1]![0].clientId).toBe(spy.mock.calls[0]![0].clientId);
  });

  it('shows the blocked state: no composer, an Unblock button', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    const { props } = show(alice, bobContact({ blocked: true }));
    expect(await screen.findByText(/You blocked Bob/)).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Message Bob' })).toBeNull();
    const bar = screen.getByText(/You blocked Bob/).closest('.blocked-bar') as HTMLElement;
    await user.click(within(bar).getByRole('button', { name: 'Unblock' }));
    expect(props.onUnblock).toHaveBeenCalledWith('bob@example.com');
  });

  it('blocks after confirming in a dialog', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    const { props } = show(alice, bobContact());
    await user.click(await screen.findByRole('button', { name: 'Block Bob' }));
    const dialog = await screen.findByRole('dialog', { name: 'Block Bob?' });
    await user.click(within(dialog).getByRole('button', { name: 'Block' }));
    expect(props.onBlock).toHaveBeenCalledWith('bob@example.com');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('reports with a reason', async () => {
    const user = userEvent.setup();
    const { alice } = world();
    const { props } = show(alice, bobContact());
    await user.click(await screen.findByRole('button', { name: 'Report Bob' }));
    const dialog = await screen.findByRole('dialog', { name: 'Report Bob' });
    await user.click(within(dialog).getByRole('button', { name: 'Send report' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Tell us what happened.');
    expect(props.onReport).not.toHaveBeenCalled();
    await user.type(within(dialog).getByLabelText('What happened?'), 'Spam links');
    await user.click(within(dialog).getByRole('button', { name: 'Send report' }));
    expect(props.onReport).toHaveBeenCalledWith('bob@example.com', 'Spam links');
    expect(await screen.findByText(/report about Bob was sent/)).toBeInTheDocument();
  });

  it('offers to add a request before replying', async () => {
    const { alice } = world();
    show(alice, bobContact({ request: true }));
    expect(await screen.findByRole('button', { name: 'Add to contacts' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Message Bob' })).toBeNull();
  });

  it('announces new messages from the other side', async () => {
    const { alice, bob } = world();
    show(alice, bobContact(), { pollMs: 30 });
    await screen.findByText('Say hello to Bob');
    await bob.addMessage({ recipientNamespace: 'alice@example.com', message: 'knock knock' });
    await waitFor(() => expect(screen.getByText('New message from Bob: knock knock')).toBeInTheDocument(), { timeout: 2000 });
    expect(screen.getByText('New message from Bob: knock knock')).toHaveAttribute('aria-live', 'polite');
  });
});
