import { useCallback, useEffect, useRef, useState } from 'react';
import { applySnapshot, emptyFeedView, FEED_POLL_MS, parseSnapshot, type FeedView } from '../feed';
import { usePolling } from '../../../lib/usePolling';

export type FeedStatus = 'loading' | 'live' | 'not-found' | 'error';

export interface FeedState {
  view: FeedView;
  status: FeedStatus;
  /** Polls that came back 304 Not Modified: the snapshot had not changed. */
  notModified: number;
  /** Polls now, outside the schedule (after posting, say). */
  refresh: () => Promise<void>;
}

export interface UseFeedOptions {
  /** Where snapshots live; `/feeds` on the SPA's own origin (CloudFront's /feeds/*, or the local server). */
  baseURL?: string;
  intervalMs?: number;
  fetchFn?: typeof fetch;
}

/** feedURL is the address of a channel's snapshot. */
export function feedURL(channel: string, baseURL = '/feeds'): string {
  return `${baseURL.replace(/\/+$/, '')}/${encodeURIComponent(channel)}.json`;
}

/**
 * useFeed follows a channel: it polls its snapshot every intervalMs with If-None-Match, so an unchanged
 * snapshot costs a 304 and no body, and merges each new one into the view (applySnapshot).
 */
export function useFeed(channel: string, options: UseFeedOptions = {}): FeedState {
  const { baseURL = '/feeds', intervalMs = FEED_POLL_MS, fetchFn } = options;
  const [view, setView] = useState<FeedView>(emptyFeedView);
  const [status, setStatus] = useState<FeedStatus>('loading');
  const [notModified, setNotModified] = useState(0);
  const etag = useRef<string | undefined>(undefined);

  useEffect(() => {
    etag.current = undefined;
    setView(emptyFeedView);
    setStatus('loading');
  }, [channel]);

  const poll = useCallback(async () => {
    const doFetch = fetchFn ?? globalThis.fetch.bind(globalThis);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (etag.current) headers['If-None-Match'] = etag.current;
    let response: Response;
    try {
      response = await doFetch(feedURL(channel, baseURL), { headers, signal: AbortSignal.timeout(intervalMs * 2) });
    } catch {
      setStatus((s) => (s === 'live' ? s : 'error'));
      return;
    }
    if (response.status === 304) {
      setNotModified((n) => n + 1);
      setStatus('live');
      return;
    }
    if (response.status === 404) {
      setStatus('not-found');
      return;
    }
    if (!response.ok) {
      setStatus((s) => (s === 'live' ? s : 'error'));
      return;
    }
    let snapshot;
    try {
      snapshot = parseSnapshot(await response.json());
    } catch {
      snapshot = undefined;
    }
    if (!snapshot) {
      setStatus((s) => (s === 'live' ? s : 'error'));
      return;
    }
    etag.current = response.headers.get('ETag') ?? undefined;
    setView((v) => applySnapshot(v, snapshot));
    setStatus('live');
  }, [channel, baseURL, intervalMs, fetchFn]);

  useEffect(() => {
    void poll();
  }, [poll]);
  usePolling(poll, intervalMs);

  return { view, status, notModified, refresh: poll };
}
