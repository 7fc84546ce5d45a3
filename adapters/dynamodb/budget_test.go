package dynamodb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/core"
)

// TestSendBudgetRequestsPerSend counts the DynamoDB requests Spend makes, on
// the paths a sender takes, and prints them (go test -v). The budget adds one
// UpdateItem to a send on every path but one: a burst whose sends alternate
// between two processes pays a second UpdateItem when a process's guess of
// the bucket's state is stale.
func TestSendBudgetRequestsPerSend(t *testing.T) {
	counter := dynamodbtest.NewRequestCounter(nil)
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), counter)
	table := dynamodbtest.MustTable(t, client)
	ctx := context.Background()
	limit := core.DefaultSendLimit()
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name string
		// processes are the Lambda instances (stores) the sends alternate between.
		processes int
		sends     int
		every     time.Duration
		wantCode  string
		// want is the exact number of requests, or 0 to only print them.
		want int
	}{
		{"OneEveryFiveSeconds", 1, 50, 5 * time.Second, "", 50},
		{"BurstFromOneProcess", 1, limit.Burst, 0, "", limit.Burst},
		{"SteadyAtTheRateFromOneProcess", 1, 100, limit.Interval, "", 100},
		{"RefusedOverBudget", 1, 10, 0, core.ETHROTTLED, 10},
		{"BurstAlternatingBetweenTwoProcesses", 2, limit.Burst, 0, "", 0},
		{"OneEveryFiveSecondsAlternating", 2, 50, 5 * time.Second, "", 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stores := make([]*dynamostore.Store, tc.processes)
			for i := range stores {
				stores[i] = dynamostore.New(client, table)
			}
			sender := fmt.Sprintf("%s@example.com", tc.name)
			now := start
			if tc.wantCode != "" {
				for range limit.Burst {
					require.NoError(t, stores[0].Spend(ctx, sender, limit, now))
				}
			}
			counter.Reset()
			for i := range tc.sends {
				err := stores[i%tc.processes].Spend(ctx, sender, limit, now)
				require.Equal(t, tc.wantCode, core.ErrorCode(err), "send %d: %v", i, err)
				now = now.Add(tc.every)
			}
			total := counter.Total()
			assert.Equal(t, map[string]int{"UpdateItem": total}, counter.Counts(), "UpdateItems only")
			fmt.Printf("send budget: %-40s %3d sends, %3d requests, %.2f per send\n", tc.name, tc.sends, total, float64(total)/float64(tc.sends))
			if tc.want > 0 {
				assert.Equal(t, tc.want, total)
			} else {
				assert.LessOrEqual(t, total, 2*tc.sends)
			}
		})
	}
}
