package dynamodb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

// TestFeedSnapshotRequests counts what the feed Lambda asks of DynamoDB for
// one snapshot, whatever the channel holds: one GetItem and one Query; and
// proves local.feed_dynamodb_actions of terraform/feeds.tf is exactly that.
func TestFeedSnapshotRequests(t *testing.T) {
	store, counter := newCountedStore(t)
	f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
	owner := f.Email("owner")
	channel := f.ChannelID("bench")
	f.MustCreateChannel(t, owner, channel)
	for i := range 150 {
		f.MustPost(t, owner, channel, fmt.Sprintf("post %d", i))
	}
	counter.Reset()

	snapshot, err := f.Service.FeedSnapshot(context.Background(), channel)
	require.NoError(t, err)
	assert.Len(t, snapshot.Posts, 150)
	assert.Equal(t, map[string]int{"GetItem": 1, "Query": 1}, counter.Counts())
	assert.ElementsMatch(t, terraformStrings(t, "feeds.tf", "feed_dynamodb_actions"), slices.Compact(slices.Sorted(slices.Values(counter.Actions()))))
	// The feed role may read only channel items (feeds.tf: dynamodb:LeadingKeys CHAN#*).
	keys := counter.LeadingKeys()
	require.NotEmpty(t, keys)
	for _, key := range keys {
		assert.True(t, strings.HasPrefix(key, "CHAN#"), "the feed read the partition %s", key)
	}
}
