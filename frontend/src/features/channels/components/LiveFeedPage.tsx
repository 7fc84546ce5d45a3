import { useEffect, useRef } from 'react';
import { formatTime } from '../../../lib/dates';
import { useFeed, type UseFeedOptions } from '../hooks/useFeed';
import { Logo } from '../../../components/Logo';
import './feeds.css';

export interface LiveFeedPageProps {
  channel: string;
  feed?: UseFeedOptions;
}

interface ShownPost {
  id: string;
  author: string;
  message: string;
  date: string;
}

/**
 * FeedPosts lists a channel's posts, oldest first, as text. With onDelete each post has its Delete button in a
 * column of its own, apart from the author and time, named after the post it deletes.
 */
export function FeedPosts({ posts, onDelete, labelledBy }: { posts: ShownPost[]; onDelete?: (id: string) => void; labelledBy?: string }) {
  return (
    <ol className="feed-posts" {...(labelledBy ? { 'aria-labelledby': labelledBy } : { 'aria-label': 'Posts' })}>
      {posts.map((p) => (
        <li key={p.id} className={onDelete ? 'feed-post feed-post-editable' : 'feed-post'} data-post-id={p.id}>
          <p className="feed-post-meta">
            <span className="feed-author">{p.author}</span>
            <span aria-hidden="true"> · </span>
            <time dateTime={p.date}>{formatTime(new Date(p.date))}</time>
          </p>
          <p className="feed-message">{p.message}</p>
          {onDelete && (
            <div className="feed-post-actions">
              <button type="button" className="btn btn-ghost btn-small" onClick={() => onDelete(p.id)} aria-label={`Delete post: ${p.message}`}>
                Delete
              </button>
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

/** LiveFeedPage is the anonymous page /live/<channel>: the channel's posts as they are made, no sign-in. */
export default function LiveFeedPage({ channel, feed }: LiveFeedPageProps) {
  const { view, status } = useFeed(channel, feed);
  const end = useRef<HTMLDivElement>(null);
  const count = view.posts.length;

  useEffect(() => {
    if (typeof end.current?.scrollIntoView === 'function') end.current.scrollIntoView({ block: 'end' });
  }, [count]);

  useEffect(() => {
    document.title = view.title ? `${view.title} · Parley live` : 'Parley live';
  }, [view.title]);

  return (
    <main className="feed-page">
      <header className="feed-header">
        <Logo />
        <h1 className="feed-title">{view.title || channel}</h1>
        {status === 'live' && <span className="feed-live">Live</span>}
      </header>
      {status === 'loading' && <p className="feed-note" role="status">Connecting…</p>}
      {status === 'not-found' && (
        <p className="feed-note" role="status">
          There is no channel named “{channel}” yet. This page will show it as soon as it starts.
        </p>
      )}
      {status === 'error' && (
        <p className="feed-note" role="alert">
          Can’t reach the feed right now; retrying.
        </p>
      )}
      {view.missed && (
        <p className="feed-behind" role="alert">
          You fell behind: some posts were skipped while this page was not keeping up.
        </p>
      )}
      {view.hasEarlier && <p className="feed-note">Earlier posts are not shown.</p>}
      {view.deleted && (
        <p className="feed-note" role="status">
          This channel was deleted.
        </p>
      )}
      {status === 'live' && count === 0 && !view.deleted && <p className="feed-note">No posts yet.</p>}
      <FeedPosts posts={view.posts} />
      <div ref={end} />
    </main>
  );
}
