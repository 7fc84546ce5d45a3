import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { FeedPost, FeedSnapshot } from '../feed';
import type { ChannelsAPI } from '../api/channels-api';
import { renderWithChannels } from '../../../test/render';
import ChannelStudio from './ChannelStudio';
import LiveFeedPage from './LiveFeedPage';

const post = (n: number, author = 'Caster'): FeedPost => ({
  id: String(n).padStart(4, '0'),
  author,
  message: `post ${n}`,
  date: '2026-03-04T20:00:00.000Z',
});

/** FakeFeed is a channel's snapshot endpoint: 304 for an unchanged ETag, 404 before the channel exists. */
class FakeFeed {
  snapshot?: FeedSnapshot;
  requests: { ifNoneMatch: string | null }[] = [];
  set(seq: number, posts: FeedPost[], previous = '') {
    this.snapshot = { channel: 'finals', title: 'Grand Finals', updated: '2026-03-04T20:00:00.000Z', seq, previous, posts };
  }
  fetch = async (_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const ifNoneMatch = new Headers(init?.headers).get('If-None-Match');
    this.requests.push({ ifNoneMatch });
    if (!this.snapshot) return new Response('not found', { status: 404 });
    const etag = `"${this.snapshot.seq}"`;
    if (ifNoneMatch === etag) return new Response(null, { status: 304, headers: { ETag: etag } });
    return new Response(JSON.stringify(this.snapshot), { status: 200, headers: { ETag: etag, 'Content-Type': 'application/json' } });
  };
}

const messages = () => within(screen.getByRole('list', { name: 'Posts' })).queryAllByRole('listitem').map((li) => li.querySelector('.feed-message')?.textContent);

describe('LiveFeedPage', () => {
  it('shows the title and appends posts in order, polling with If-None-Match', async () => {
    const feed = new FakeFeed();
    feed.set(2, [post(1), post(2)]);
    render(<LiveFeedPage channel="finals" feed={{ fetchFn: feed.fetch, intervalMs: 20 }} />);
    expect(await screen.findByRole('heading', { name: 'Grand Finals' })).toBeInTheDocument();
    await waitFor(() => expect(messages()).toEqual(['post 1', 'post 2']));
    await waitFor(() => expect(feed.requests.some((r) => r.ifNoneMatch === '"2"')).toBe(true));

    feed.set(4, [post(2), post(3), post(4)], post(1).id);
    await waitFor(() => expect(messages()).toEqual(['post 1', 'post 2', 'post 3', 'post 4']));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says when it fell behind', async () => {
    const feed = new FakeFeed();
    feed.set(2, [post(1), post(2)]);
    render(<LiveFeedPage channel="finals" feed={{ fetchFn: feed.fetch, intervalMs: 20 }} />);
    await waitFor(() => expect(messages()).toEqual(['post 1', 'post 2']));
    feed.set(30, [post(20), post(21)], post(19).id);
    expect(await screen.findByRole('alert')).toHaveTextContent(/fell behind/);
    expect(messages()).toEqual(['post 1', 'post 2', 'post 20', 'post 21']);
  });

  it('says when the channel was deleted, and shows none of its posts', async () => {
    const feed = new FakeFeed();
    feed.set(2, [post(1), post(2)]);
    render(<LiveFeedPage channel="finals" feed={{ fetchFn: feed.fetch, intervalMs: 20 }} />);
    await waitFor(() => expect(messages()).toEqual(['post 1', 'post 2']));
    feed.snapshot = { channel: 'finals', title: '', updated: '2026-03-04T20:00:00.000Z', seq: 3, previous: '', posts: [], deleted: true };
    expect(await screen.findByText('This channel was deleted.')).toBeInTheDocument();
    expect(messages()).toEqual([]);
    expect(screen.queryByText('No posts yet.')).not.toBeInTheDocument();
  });

  it('waits for a channel that does not exist yet', async () => {
    const feed = new FakeFeed();
    render(<LiveFeedPage channel="finals" feed={{ fetchFn: feed.fetch, intervalMs: 20 }} />);
    expect(await screen.findByText(/no channel named/)).toBeInTheDocument();
    feed.set(1, [post(1)]);
    await waitFor(() => expect(messages()).toEqual(['post 1']));
  });

  it('renders posts as text, never HTML', async () => {
    const feed = new FakeFeed();
    feed.set(1, [{ ...post(1), message: '<img src=x onerror=alert(1)>' }]);
    const { container } = render(<LiveFeedPage channel="finals" feed={{ fetchFn: feed.fetch, intervalMs: 20 }} />);
    await waitFor(() => expect(messages()).toEqual(['<img src=x onerror=alert(1)>']));
    expect(container.querySelector('img')).toBeNull();
  });
});

describe('ChannelStudio', () => {
  it('lets an owner create a channel, name a publisher, post and delete', async () => {
    localStorage.clear();
    const feed = new FakeFeed();
    const api: ChannelsAPI = {
      createChannel: vi.fn(async (input) => {
        feed.set(0, []);
        return { channel: input.channel, title: input.title, owner: 'host@example.com', createdAt: '', feed: '' };
      }),
      addPublisher: vi.fn(async (input) => ({ ...input, addedAt: '' })),
      postToChannel: vi.fn(async (input) => {
        const p = { ...post(1, 'Host'), message: input.message };
        feed.set(1, [p]);
        return { ...p, channel: input.channel };
      }),
      deletePost: vi.fn(async () => feed.set(2, [])),
    };
    const user = userEvent.setup();
    renderWithChannels(<ChannelStudio me="host@example.com" feed={{ fetchFn: feed.fetch, intervalMs: 20 }} />, api);

    await user.type(screen.getByRole('textbox', { name: 'Channel name' }), 'finals');
    await user.type(screen.getByRole('textbox', { name: 'Title' }), 'Grand Finals');
    await user.type(screen.getByRole('textbox', { name: 'Your public name' }), 'Host');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(api.createChannel).toHaveBeenCalledWith({ channel: 'finals', title: 'Grand Finals', name: 'Host' });
    expect(await screen.findByRole('button', { name: 'finals (owner)' })).toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Publisher email' }), 'caster@example.com');
    await user.type(screen.getByRole('textbox', { name: 'Public name' }), 'Caster');
    await user.click(screen.getByRole('button', { name: 'Add publisher' }));
    expect(await screen.findByText('Caster can post now.')).toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Post' }), 'Game one begins{Enter}');
    expect(api.postToChannel).toHaveBeenCalledWith(expect.objectContaining({ channel: 'finals', message: 'Game one begins' }));
    await waitFor(() => expect(messages()).toEqual(['Game one begins']));

    // The post's author and time are one line, its Delete another thing, named after the post; the publishers
    // have a section of their own, after the posts rather than between the post box and them.
    const item = within(screen.getByRole('list', { name: 'Posts' })).getByRole('listitem');
    expect(item.querySelector('.feed-post-meta')?.textContent).toMatch(/^Host · \d/);
    expect(item.querySelector('.feed-post-meta')?.textContent).not.toMatch(/Delete/);
    const publishers = screen.getByRole('region', { name: 'Publishers' });
    expect(within(publishers).getByRole('form', { name: 'Add a publisher' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Posts' }).compareDocumentPosition(publishers) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Delete post: Game one begins' }));
    await waitFor(() => expect(messages()).toEqual([]));
  });

  it('gives a publisher a post box without owner tools', async () => {
    localStorage.clear();
    const feed = new FakeFeed();
    feed.set(0, []);
    const api: ChannelsAPI = { createChannel: vi.fn(), addPublisher: vi.fn(), postToChannel: vi.fn(async (i) => ({ ...post(1), channel: i.channel })), deletePost: vi.fn() };
    const user = userEvent.setup();
    renderWithChannels(<ChannelStudio me="caster@example.com" feed={{ fetchFn: feed.fetch, intervalMs: 20 }} />, api, 'caster@example.com');
    await user.type(screen.getByRole('textbox', { name: 'Channel to open' }), 'finals');
    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(await screen.findByRole('button', { name: 'finals (publisher)' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Add a publisher' })).not.toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Post' }), 'Caster here{Enter}');
    expect(api.postToChannel).toHaveBeenCalledWith(expect.objectContaining({ channel: 'finals', message: 'Caster here' }));
  });
});
