package core

import (
	"context"
	"time"
)

// A channel's readers poll one snapshot of its newest posts, which a CDN
// caches for a few seconds. A reader polling every PollInterval sees each
// snapshot at most FeedMaxAge old, so a snapshot that holds every post of the
// last SnapshotWindow (more than the longest gap between two snapshots a
// reader sees, PollInterval + FeedMaxAge + the time to write one) hands every
// reader every post, whatever the post rate, until SnapshotMaxPosts or
// SnapshotMaxBytes cut it short; at that rate a reader that polls late can
// miss posts, and the snapshot's Previous lets it tell.

// Sizing of feed snapshots.
const (
	// PollInterval is how often a reader polls a channel's snapshot.
	PollInterval = 5 * time.Second
	// FeedMaxAge is how long a shared cache may serve one snapshot.
	FeedMaxAge = 5 * time.Second
	// SnapshotWindow is how far back a snapshot holds every post.
	SnapshotWindow = 30 * time.Second
	// SnapshotMinPosts is how many posts a snapshot holds at least, however
	// old, so a quiet channel still shows its last posts.
	SnapshotMinPosts = 100
	// SnapshotMaxPosts bounds the posts of one snapshot, and so the one
	// Query that reads them.
	SnapshotMaxPosts = 2000
	// SnapshotMaxBytes bounds a snapshot's encoding (EncodedPostBound).
	SnapshotMaxBytes = 1 << 20
	// snapshotHeaderBytes bounds the encoding of everything but the posts.
	snapshotHeaderBytes = 1024
)

// Snapshot is what a channel's readers poll: its newest posts, in ID (date)
// order, as the public sees them.
type Snapshot struct {
	Channel string
	Title   string
	Updated time.Time
	// Seq is the channel's Seq read before its posts: the snapshot holds at
	// least Seq changes, so of two snapshots the one with the higher Seq is
	// at least as new.
	Seq   int64
	Posts []Post
	// Previous is the ID of the newest post older than every post of Posts,
	// empty when Posts begins with the channel's first post. A reader that
	// showed posts up to ID last missed some exactly when Previous > last
	// (Snapshot.Missed).
	Previous string
	// Deleted tells readers the channel was deleted (with its owner's
	// account): it has no title and no posts any more.
	Deleted bool
}

// Missed reports whether a reader that has shown every post up to the post
// with ID last (empty: none) would skip posts by showing snapshot s: posts
// newer than last that s no longer holds.
func (s Snapshot) Missed(last string) bool {
	return s.Previous != "" && s.Previous > last
}

// EncodedPostBound is the most bytes any encoding of p in a snapshot may
// take: an encoder that escapes no more than JSON must (no HTML escaping)
// writes at most two bytes for each byte of text, and a fixed envelope.
func EncodedPostBound(p Post) int {
	return 2*(len(p.Text)+len(p.AuthorName)+len(p.ID)) + 96
}

// BuildSnapshot is the snapshot of channel at now given its newest posts,
// newest first, as ChannelStore.Posts returns them (at most
// SnapshotMaxPosts+1 are used). It holds every post of the last
// SnapshotWindow and at least the newest SnapshotMinPosts, at most
// SnapshotMaxPosts and no more than SnapshotMaxBytes encoded; the first post
// of newestFirst it leaves out becomes Previous.
func BuildSnapshot(channel Channel, newestFirst []Post, now time.Time) Snapshot {
	since := now.Add(-SnapshotWindow)
	bytes, held := snapshotHeaderBytes+2*len(channel.Title), 0
	for held < len(newestFirst) && held < SnapshotMaxPosts {
		p := newestFirst[held]
		if held >= SnapshotMinPosts && p.Date.Before(since) {
			break
		}
		size := EncodedPostBound(p)
		if bytes+size > SnapshotMaxBytes {
			break
		}
		bytes += size
		held++
	}
	if channel.Deleted {
		return Snapshot{Channel: channel.ID, Updated: now, Seq: channel.Seq, Posts: []Post{}, Deleted: true}
	}
	snapshot := Snapshot{Channel: channel.ID, Title: channel.Title, Updated: now, Seq: channel.Seq, Posts: make([]Post, held)}
	for i := range held {
		snapshot.Posts[held-1-i] = newestFirst[i]
	}
	if held < len(newestFirst) {
		snapshot.Previous = newestFirst[held].ID
	}
	return snapshot
}

// SnapshotWriter publishes snapshots where readers poll them: to S3 behind
// the CDN, or in the local server's memory.
type SnapshotWriter interface {
	// WriteSnapshot publishes s as its channel's snapshot unless the one
	// published already has a higher or equal Seq, so that of two writers
	// racing on one channel the newer snapshot stays. It returns whether it
	// wrote.
	WriteSnapshot(ctx context.Context, s Snapshot) (bool, error)
}

// WithSnapshotWriter makes the service publish a channel's snapshot through
// w after every post, deletion and creation, for a deployment without a
// table stream (the local server); onError hears of each that failed, as the
// write itself has succeeded by then.
func WithSnapshotWriter(w SnapshotWriter, onError func(channel string, err error)) Option {
	return func(s *Service) {
		s.snapshots = w
		s.onSnapshotError = onError
	}
}

// FeedSnapshot builds the current snapshot of channel from the store: the
// channel (its Seq) first, then its newest posts in one page.
func (s *Service) FeedSnapshot(ctx context.Context, channel string) (Snapshot, error) {
	if err := checkChannelID(channel); err != nil {
		return Snapshot{}, err
	}
	ch, err := s.store.Channel(ctx, channel)
	if err != nil {
		return Snapshot{}, wrapf(err, "snapshot of %s", channel)
	}
	if ch.Deleted {
		return BuildSnapshot(ch, nil, s.now().UTC()), nil
	}
	posts, err := s.store.Posts(ctx, PostQuery{Channel: channel, Limit: SnapshotMaxPosts + 1})
	if err != nil {
		return Snapshot{}, wrapf(err, "snapshot of %s", channel)
	}
	return BuildSnapshot(ch, posts, s.now().UTC()), nil
}

// PublishSnapshot builds channel's snapshot and writes it with w: what the
// feed Lambda does for every channel a stream batch touched.
func (s *Service) PublishSnapshot(ctx context.Context, w SnapshotWriter, channel string) (bool, error) {
	snapshot, err := s.FeedSnapshot(ctx, channel)
	if err != nil {
		return false, err
	}
	written, err := w.WriteSnapshot(ctx, snapshot)
	if err != nil {
		return false, wrapf(err, "write snapshot of %s", channel)
	}
	return written, nil
}

// refreshFeed publishes channel's snapshot when the service has a writer.
func (s *Service) refreshFeed(ctx context.Context, channel string) {
	if s.snapshots == nil {
		return
	}
	if _, err := s.PublishSnapshot(ctx, s.snapshots, channel); err != nil && s.onSnapshotError != nil {
		s.onSnapshotError(channel, err)
	}
}
