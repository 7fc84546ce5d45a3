/** The public snapshot of a channel, GET /feeds/<channel>.json (docs/architecture.md, "The AWS picture", live feeds). */
export interface FeedPost {
  id: string;
  author: string;
  message: string;
  date: string;
}

export interface FeedSnapshot {
  channel: string;
  title: string;
  updated: string;
  /** Counts the channel's changes: of two snapshots the higher seq is at least as new. */
  seq: number;
  /** The newest post older than every post here; empty when the snapshot starts at the channel's first post. */
  previous: string;
  posts: FeedPost[];
  /** True once the channel was deleted with its owner's account: no title, no posts. */
  deleted?: boolean;
}

/** FEED_POLL_MS is how often a viewer polls: core.PollInterval. */
export const FEED_POLL_MS = 5000;

function isPost(value: unknown): value is FeedPost {
  if (!value || typeof value !== 'object') return false;
  const p = value as Record<string, unknown>;
  return typeof p.id === 'string' && typeof p.author === 'string' && typeof p.message === 'string' && typeof p.date === 'string';
}

/** parseSnapshot checks the shape of a snapshot; undefined when it is not one. */
export function parseSnapshot(value: unknown): FeedSnapshot | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const s = value as Record<string, unknown>;
  if (
    typeof s.channel !== 'string' ||
    typeof s.title !== 'string' ||
    typeof s.updated !== 'string' ||
    typeof s.seq !== 'number' ||
    typeof s.previous !== 'string' ||
    !Array.isArray(s.posts) ||
    !s.posts.every(isPost) ||
    (s.deleted !== undefined && typeof s.deleted !== 'boolean')
  ) {
    return undefined;
  }
  const snapshot: FeedSnapshot = { channel: s.channel, title: s.title, updated: s.updated, seq: s.seq, previous: s.previous, posts: s.posts };
  if (s.deleted === true) snapshot.deleted = true;
  return snapshot;
}

/** FeedView is what a viewer shows: every post seen so far, in order, and whether some were skipped. */
export interface FeedView {
  title: string;
  posts: FeedPost[];
  /** The seq of the snapshot shown last; an older snapshot (a stale cache) changes nothing. */
  seq: number;
  /** True once posts were skipped: the viewer fell behind the snapshot (a long sleep, a slow network). */
  missed: boolean;
  /** True when the channel has older posts than the first one shown. */
  hasEarlier: boolean;
  /** True once the channel was deleted: nothing of it is shown any more. */
  deleted: boolean;
}

export const emptyFeedView: FeedView = { title: '', posts: [], seq: -1, missed: false, hasEarlier: false, deleted: false };

/**
 * applySnapshot merges a snapshot into what the viewer shows. Posts keep their order (IDs sort by time)
 * and never repeat; posts the snapshot still covers but no longer holds were deleted and go; posts older
 * than the snapshot stay. The viewer missed posts exactly when the snapshot's `previous` is newer than the
 * newest post it showed (core.Snapshot.Missed).
 */
export function applySnapshot(view: FeedView, snapshot: FeedSnapshot): FeedView {
  if (snapshot.seq < view.seq) return view;
  if (snapshot.deleted) return { ...emptyFeedView, seq: snapshot.seq, deleted: true };
  const covered = [...snapshot.posts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const shown = view.posts;
  const newest = shown.length > 0 ? shown[shown.length - 1]!.id : '';
  const { previous } = snapshot;
  // The snapshot holds every post newer than `previous`: the ones shown there are replaced (a deleted
  // one goes), the older ones stay.
  const older = previous === '' ? [] : shown.filter((p) => p.id <= previous);
  const fellBehind = shown.length > 0 && previous !== '' && previous > newest;
  return {
    title: snapshot.title,
    posts: [...older, ...covered.filter((p) => p.id > previous)],
    seq: snapshot.seq,
    missed: view.missed || fellBehind,
    hasEarlier: older.length > 0 ? view.hasEarlier : previous !== '',
    deleted: false,
  };
}
