package dynamodb_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
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
					require.NoError(t, stores[0].Spend(ctx, core.Charge{Sender: sender, Limit: limit, Now: now}))
				}
			}
			counter.Reset()
			for i := range tc.sends {
				err := stores[i%tc.processes].Spend(ctx, core.Charge{Sender: sender, Limit: limit, Now: now})
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

// TestSendInOneTransaction counts the DynamoDB requests of a message's send,
// whose spend is one item of its transaction, on the paths a sender takes,
// and prints them (go test -v): one transaction a send, a second only when a
// process's guess of the bucket's state is stale.
func TestSendInOneTransaction(t *testing.T) {
	counter := dynamodbtest.NewRequestCounter(nil)
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), counter)
	table := dynamodbtest.MustTable(t, client)
	ctx := context.Background()
	limit := core.DefaultSendLimit()

	for _, tc := range []struct {
		name      string
		processes int
		sends     int
		every     time.Duration
		wantCode  string
		// want is the exact number of transactions, or 0 for at most two a send.
		want int
	}{
		{"OneEveryFiveSeconds", 1, 20, 5 * time.Second, "", 20},
		{"BurstFromOneProcess", 1, limit.Burst, 0, "", limit.Burst},
		{"RefusedOverBudget", 1, 5, 0, core.ETHROTTLED, 5},
		{"BurstAlternatingBetweenTwoProcesses", 2, limit.Burst, 0, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2100, 4, 1, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			var ids atomic.Int64
			newID := func(at time.Time) string { return fmt.Sprintf("%013d%06d", at.UnixMilli(), ids.Add(1)) }
			services := make([]*core.Service, tc.processes)
			for i := range services {
				store := dynamostore.New(client, table)
				services[i] = core.NewService(store, clock, newID, core.WithSendBudget(store, limit))
			}
			sender := core.Caller{Email: fmt.Sprintf("tx-%s@example.com", strings.ToLower(tc.name))}
			recipient := "friend-" + sender.Email
			_, _, err := services[0].AddContact(ctx, sender, core.AddContactInput{Email: recipient, Name: "Friend"})
			require.NoError(t, err)
			// Not a stranger's first message, which takes a second transaction.
			_, _, err = services[0].AddContact(ctx, core.Caller{Email: recipient}, core.AddContactInput{Email: sender.Email, Name: "Sender"})
			require.NoError(t, err)
			send := func(i int) error {
				_, _, err := services[i%tc.processes].AddMessage(ctx, sender, core.AddMessageInput{Recipient: recipient, Text: "hi"})
				return err
			}
			if tc.wantCode != "" {
				for i := range limit.Burst {
					require.NoError(t, send(i))
				}
			}
			counter.Reset()
			for i := range tc.sends {
				require.Equal(t, tc.wantCode, core.ErrorCode(send(i)), "send %d", i)
				now = now.Add(tc.every)
			}
			total := counter.Total()
			assert.Equal(t, map[string]int{"TransactWriteItems": total}, counter.Counts(), "transactions only")
			fmt.Printf("send in one transaction: %-40s %3d sends, %3d requests, %.2f per send\n", tc.name, tc.sends, total, float64(total)/float64(tc.sends))
			if tc.want > 0 {
				assert.Equal(t, tc.want, total)
			} else {
				assert.LessOrEqual(t, total, 2*tc.sends)
			}
		})
	}
}
