package dynamodb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

// TestFeedSnapshotRequests counts what the feed Lambda asks of DynamoDB for
// one snapshot, whatever the channel holds: one GetItem and one Query; and
// proves local.feed_dynamodb_actions of terraform/feeds.tf is exactly that.
func TestFeedSnapshotRequests(t *testing.T) {
	counter := dynamodbtest.NewRequestCounter(nil)
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), counter)
	store := dynamostore.New(client, dynamodbtest.MustTable(t, client))
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
	assert.ElementsMatch(t, terraformFeedActions(t), slices.Compact(slices.Sorted(slices.Values(counter.Actions()))))
	// The feed role may read only channel items (feeds.tf: dynamodb:LeadingKeys CHAN#*).
	keys := counter.LeadingKeys()
	require.NotEmpty(t, keys)
	for _, key := range keys {
		assert.True(t, strings.HasPrefix(key, "CHAN#"), "the feed read the partition %s", key)
	}
}

func terraformFeedActions(t *testing.T) []string {
	t.Helper()
	var actions []string
	for _, action := range terraformLocal(t, "feeds.tf", "feed_dynamodb_actions").AsValueSlice() {
		actions = append(actions, action.AsString())
	}
	return actions
}
