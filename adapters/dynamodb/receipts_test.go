package dynamodb_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

// TestAckCostInALongConversation acks in a conversation of
// PARLEY_LONG_CONVERSATION messages (default 2,500: more than twice
// core.UnreadRecountLimit), seeded in batches, and logs what each ack cost:
// requests, read units and items read, which stay bounded however long the
// conversation is.
func TestAckCostInALongConversation(t *testing.T) {
	length := 2500
	if n, err := strconv.Atoi(os.Getenv("PARLEY_LONG_CONVERSATION")); err == nil && n > 2 {
		length = n
	}
	counter := dynamodbtest.NewRequestCounter(nil)
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), counter)
	table := dynamodbtest.MustTable(t, client)
	var mu sync.Mutex
	units := 0.0
	store := dynamostore.New(client, table, dynamostore.WithCapacityRecorder(func(_ string, u float64) {
		mu.Lock()
		defer mu.Unlock()
		units += u
	}))
	ctx := context.Background()
	f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
	alice, bob := f.Email("alice"), f.Email("bob")
	f.MustAddEachOther(t, alice, bob)
	ids := seedConversation(t, client, table, f, bob, alice, length)

	ack := func(name, upTo string) {
		counter.Reset()
		mu.Lock()
		units = 0
		mu.Unlock()
		_, err := f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: upTo, Read: true}, "")
		require.NoError(t, err)
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%d messages, ack %s: requests %v, read units %.1f, items read %d", length, name, counter.Counts(), units, counter.ItemsRead())
		assert.LessOrEqual(t, counter.ItemsRead(), 2*(core.UnreadRecountLimit+2)+3, name)
	}
	ack("moving read from none to the middle", ids[length/2])
	ack("moving read by one near the middle", ids[length/2+1])
	ack("moving read by one to the newest", ids[length-1])
	ack("moving nothing (the oldest message again)", ids[0])
	assert.Equal(t, map[string]int{"GetItem": 1}, counter.Counts(), "an ack that moves nothing")
}

// seedConversation stores n messages from sender to recipient with
// BatchWriteItem, oldest first, and returns their IDs.
func seedConversation(t *testing.T, client *dynamodb.Client, table string, f *storetest.Fixture, sender, recipient string, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	var batch []types.WriteRequest
	flush := func() {
		for len(batch) > 0 {
			out, err := client.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{table: batch},
			})
			require.NoError(t, err)
			batch = out.UnprocessedItems[table]
		}
	}
	for i := range n {
		m := core.Message{ID: f.NewID(), Sender: sender, Recipient: recipient, Text: fmt.Sprintf("message %d", i), Date: f.Now()}
		item, err := dynamostore.MessageItem(m)
		require.NoError(t, err)
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		ids = append(ids, m.ID)
		if len(batch) == 25 {
			flush()
		}
	}
	flush()
	return ids
}
