import { describe, expect, it } from 'vitest';
import { applySnapshot, emptyFeedView, parseSnapshot, type FeedPost, type FeedSnapshot } from './feed';

const post = (n: number): FeedPost => ({ id: String(n).padStart(4, '0'), author: 'Caster', message: `post ${n}`, date: '2026-03-04T20:00:00.000Z' });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => post(from + i));
const snapshot = (seq: number, posts: FeedPost[], previous = ''): FeedSnapshot => ({
  channel: 'finals',
  title: 'Grand finals',
  updated: '2026-03-04T20:00:00.000Z',
  seq,
  previous,
  posts,
});
const ids = (posts: FeedPost[]) => posts.map((p) => Number(p.id));

describe('applySnapshot', () => {
  it('shows the first snapshot as it is', () => {
    const view = applySnapshot(emptyFeedView, snapshot(3, range(1, 3)));
    expect(ids(view.posts)).toEqual([1, 2, 3]);
    expect(view.title).toBe('Grand finals');
    expect(view.missed).toBe(false);
    expect(view.hasEarlier).toBe(false);
  });

  it('appends new posts in order without duplicates', () => {
    let view = applySnapshot(emptyFeedView, snapshot(3, range(1, 3)));
    view = applySnapshot(view, snapshot(6, range(2, 6), post(1).id));
    view = applySnapshot(view, snapshot(6, range(2, 6), post(1).id));
    expect(ids(view.posts)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(view.missed).toBe(false);
  });

  it('keeps posts older than the snapshot', () => {
    let view = applySnapshot(emptyFeedView, snapshot(5, range(1, 5)));
    view = applySnapshot(view, snapshot(9, range(5, 9), post(4).id));
    expect(ids(view.posts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('drops a post the owner deleted', () => {
    let view = applySnapshot(emptyFeedView, snapshot(3, range(1, 3)));
    view = applySnapshot(view, snapshot(4, [post(1), post(3)]));
    expect(ids(view.posts)).toEqual([1, 3]);
  });

  it('says so when it fell behind, and keeps what it showed', () => {
    let view = applySnapshot(emptyFeedView, snapshot(3, range(1, 3)));
    view = applySnapshot(view, snapshot(20, range(10, 20), post(9).id));
    expect(view.missed).toBe(true);
    expect(ids(view.posts)).toEqual([1, 2, 3, ...ids(range(10, 20))]);
    view = applySnapshot(view, snapshot(21, range(11, 21), post(10).id));
    expect(view.missed).toBe(true);
  });

  it('does not flag a new viewer of a long channel, but knows there is more', () => {
    const view = applySnapshot(emptyFeedView, snapshot(50, range(40, 50), post(39).id));
    expect(view.missed).toBe(false);
    expect(view.hasEarlier).toBe(true);
  });

  it('shows nothing of a deleted channel, and no older snapshot brings it back', () => {
    let view = applySnapshot(emptyFeedView, snapshot(3, range(1, 3)));
    view = applySnapshot(view, { ...snapshot(5, []), title: '', deleted: true });
    expect(view).toEqual({ title: '', posts: [], seq: 5, missed: false, hasEarlier: false, deleted: true });
    view = applySnapshot(view, snapshot(3, range(1, 3)));
    expect(view.deleted).toBe(true);
    expect(view.posts).toEqual([]);
  });

  it('ignores an older snapshot from a stale cache', () => {
    let view = applySnapshot(emptyFeedView, snapshot(5, range(1, 5)));
    view = applySnapshot(view, snapshot(4, range(1, 4)));
    expect(ids(view.posts)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('parseSnapshot', () => {
  it('accepts a snapshot and refuses anything else', () => {
    expect(parseSnapshot(snapshot(1, range(1, 2)))).toEqual(snapshot(1, range(1, 2)));
    expect(parseSnapshot({ ...snapshot(1, []), posts: [{ id: 1 }] })).toBeUndefined();
    expect(parseSnapshot({ ...snapshot(2, []), deleted: true })).toEqual({ ...snapshot(2, []), deleted: true });
    expect(parseSnapshot({ ...snapshot(2, []), deleted: 'yes' })).toBeUndefined();
    expect(parseSnapshot({ channel: 'x' })).toBeUndefined();
    expect(parseSnapshot(null)).toBeUndefined();
  });
});
