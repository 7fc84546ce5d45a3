package main

import (
	"context"
	"log/slog"

	"github.com/parley-chat/parley/adapters/feed"
	"github.com/parley-chat/parley/core"
)

// localFeeds publishes channel snapshots in this process, with the core code
// the feed Lambda runs in AWS, after every post, deletion and creation, and
// serves them at /feeds/<channel>.json.
type localFeeds struct {
	snapshots *feed.Local
	service   *core.Service
}

func newLocalFeeds() *localFeeds {
	f := &localFeeds{}
	f.snapshots = feed.NewLocal(func(ctx context.Context, channel string) error {
		_, err := f.service.PublishSnapshot(ctx, f.snapshots, channel)
		return err
	})
	return f
}

// option makes the service publish through the local snapshots.
func (f *localFeeds) option(logger *slog.Logger) core.Option {
	return core.WithSnapshotWriter(f.snapshots, func(channel string, err error) {
		logger.Error("snapshot failed", "channel", channel, "error", err.Error())
	})
}
