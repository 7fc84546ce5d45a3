package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// budgetOf returns the store as the send budget and moderation backend it
// must also be.
func budgetOf(t *testing.T, f *Fixture) core.ModerationBackend {
	t.Helper()
	backend, ok := f.Store.(core.ModerationBackend)
	require.True(t, ok, "the store must implement core.ModerationBackend")
	return backend
}

// metered returns a service over f's store that meters sends with limit.
func (f *Fixture) metered(t *testing.T, limit core.SendLimit) *core.Service {
	return core.NewService(f.Store, f.Now, f.StampID, core.WithPusher(f.Pusher), core.WithSendBudget(budgetOf(t, f), limit))
}

// mustFriends returns alice and bob of f, who added each other.
func (f *Fixture) mustFriends(t *testing.T) (alice, bob string) {
	t.Helper()
	alice, bob = f.Email("alice"), f.Email("bob")
	f.MustAddEachOther(t, alice, bob)
	return alice, bob
}

func mustLimit(t *testing.T, burst, perMinute int) core.SendLimit {
	t.Helper()
	limit, err := core.NewSendLimit(burst, perMinute)
	require.NoError(t, err)
	return limit
}

// testSendBudget is the contract of the send budget: spends, refunds, suspension, and races for the last send.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testSendBudget(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("BurstThenOneSendPerInterval", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		budget, alice, limit := budgetOf(t, f), f.Email("alice"), mustLimit(t, 3, 60)
		for i := range 3 {
			require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}), "send %d of the burst", i+1)
		}
		err := budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
		assert.Equal(t, time.Second, core.RetryAfter(err), "one send comes back after one interval")

		f.Advance(400 * time.Millisecond)
		err = budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
		assert.Equal(t, 600*time.Millisecond, core.RetryAfter(err), "a refused send takes nothing")

		f.Advance(600 * time.Millisecond)
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})))
	})

	t.Run("AnIdleBucketRefillsToTheBurstOnly", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		budget, alice, limit := budgetOf(t, f), f.Email("alice"), mustLimit(t, 4, 120)
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		f.Advance(time.Hour)
		for i := range 4 {
			require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}), "send %d", i+1)
		}
		err := budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
		assert.Equal(t, 500*time.Millisecond, core.RetryAfter(err))
	})

	t.Run("EachSenderHasTheirOwnBucket", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		budget, limit := budgetOf(t, f), mustLimit(t, 1, 1)
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: f.Email("alice"), Limit: limit, Now: f.Now()}))
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: f.Email("bob"), Limit: limit, Now: f.Now()}))
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: f.Email("alice"), Limit: limit, Now: f.Now()})))
	})

	t.Run("RefundGivesOneSendBackAndNeverMoreThanTheBurst", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		budget, alice, limit := budgetOf(t, f), f.Email("alice"), mustLimit(t, 2, 60)
		require.NoError(t, budget.Refund(ctx, alice, limit, f.Now()), "refunding a bucket never spent")
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		require.NoError(t, budget.Refund(ctx, alice, limit, f.Now()))
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})))

		f.Advance(time.Hour)
		require.NoError(t, budget.Refund(ctx, alice, limit, f.Now()))
		require.NoError(t, budget.Refund(ctx, alice, limit, f.Now()))
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})), "a full bucket holds the burst, refunds or not")
	})

	t.Run("ConcurrentSendersOfOneAccountNeverExceedTheBudget", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		budget, alice, limit := budgetOf(t, f), f.Email("alice"), mustLimit(t, 10, 60)
		const senders = 25
		spend := func() string {
			return core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}))
		}
		assert.Equal(t, map[string]int{"": 10, core.ETHROTTLED: senders*4 - 10}, concurrently(senders, 4, spend))

		// Half a bucket later, concurrent senders share exactly what came back.
		f.Advance(5 * time.Second)
		assert.Equal(t, map[string]int{"": 5, core.ETHROTTLED: senders - 5}, concurrently(senders, 1, spend))
	})

	t.Run("ASuspendedSenderSpendsNothingUntilReinstated", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		budget, alice, limit := budgetOf(t, f), f.Email("alice"), mustLimit(t, 1, 60)
		_, err := budget.Suspension(ctx, alice)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(budget.Reinstate(ctx, alice)))

		suspension := core.Suspension{Email: alice, Reason: "spam", Date: f.Now()}
		require.NoError(t, budget.Suspend(ctx, suspension))
		got, err := budget.Suspension(ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, suspension, got)
		assert.Equal(t, core.ESUSPENDED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})))

		require.NoError(t, budget.Reinstate(ctx, alice))
		_, err = budget.Suspension(ctx, alice)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()}), "the refused spends took nothing")
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})))

		require.NoError(t, budget.Suspend(ctx, suspension))
		assert.Equal(t, core.ESUSPENDED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: limit, Now: f.Now()})), "suspension wins over an empty bucket")
	})

	t.Run("MessagesSpendTheBudgetAndARetryCostsNothing", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		service := f.metered(t, mustLimit(t, 2, 60))
		send := func(text, clientID string) (core.Message, bool, error) {
			return service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: text, ClientID: clientID})
		}
		first, created, err := send("one", "c1")
		require.NoError(t, err)
		require.True(t, created)
		for range 3 {
			again, created, err := send("one", "c1")
			require.NoError(t, err, "a retry of a stored clientId costs nothing")
			assert.False(t, created)
			assert.Equal(t, first.ID, again.ID)
		}
		_, _, err = send("two", "c2")
		require.NoError(t, err)
		_, _, err = send("three", "c3")
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
		assert.Equal(t, time.Second, core.RetryAfter(err))
		assert.Len(t, f.MustConversation(t, alice, bob), 2, "nothing over budget is stored")

		f.Advance(time.Second)
		_, created, err = send("three", "c3")
		require.NoError(t, err)
		assert.True(t, created)
	})

	t.Run("ConcurrentMessagesNeverExceedTheBudget", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		const senders = 8
		recipients := make([]string, senders)
		for i := range recipients {
			recipients[i] = f.Email(fmt.Sprintf("friend%d", i))
			f.MustAddContact(t, alice, recipients[i])
		}
		service := f.metered(t, mustLimit(t, 5, 60))
		var next atomic.Int64
		send := func() string {
			i := int(next.Add(1))
			_, _, err := service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{
				Recipient: recipients[i%senders], Text: "hi", ClientID: fmt.Sprintf("c%d", i),
			})
			return core.ErrorCode(err)
		}
		assert.Equal(t, map[string]int{"": 5, core.ETHROTTLED: senders*2 - 5}, concurrently(senders, 2, send))
		stored := 0
		for _, r := range recipients {
			stored += len(f.MustConversation(t, alice, r))
		}
		assert.Equal(t, 5, stored, "exactly the sends the budget took are stored")
	})

	t.Run("ConcurrentRetriesOfOneClientIDSpendOneSend", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.mustFriends(t)
		service := f.metered(t, mustLimit(t, 3, 60))
		send := func(clientID string) (bool, error) {
			_, created, err := service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "once", ClientID: clientID})
			return created, err
		}
		created := concurrently(6, 1, func() string {
			made, err := send("same")
			return fmt.Sprint(made, core.ErrorCode(err))
		})
		assert.Equal(t, map[string]int{"true": 1, "false": 5}, created)
		assert.Len(t, f.MustConversation(t, alice, bob), 1)
		for _, clientID := range []string{"two", "three"} {
			_, err := send(clientID)
			require.NoError(t, err, "the retries took nothing")
		}
		_, err := send("four")
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
	})

	t.Run("ARefusedSendSpendsTheBudget", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, stranger := f.Email("alice"), f.Email("stranger")
		service := f.metered(t, mustLimit(t, 2, 60))
		send := func() string {
			_, _, err := service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: stranger, Text: "hi"})
			return core.ErrorCode(err)
		}
		assert.Equal(t, []string{core.ENOTFOUND, core.ENOTFOUND, core.ETHROTTLED}, []string{send(), send(), send()},
			"sending into a refusal is throttled as any sending is")
	})

	t.Run("FramesAreABucketOfTheirOwn", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		budget, alice, sends := budgetOf(t, f), f.Email("alice"), mustLimit(t, 1, 60)
		frames, err := core.NewFrameLimit(2, 60)
		require.NoError(t, err)
		for i := range 2 {
			require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: frames, Now: f.Now()}), "frame %d of the burst", i+1)
		}
		err = budget.Spend(ctx, core.Charge{Sender: alice, Limit: frames, Now: f.Now()})
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
		assert.Equal(t, time.Second, core.RetryAfter(err))
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: sends, Now: f.Now()}), "frames spend no send")
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(budget.Spend(ctx, core.Charge{Sender: alice, Limit: sends, Now: f.Now()})))
		f.Advance(time.Second)
		require.NoError(t, budget.Spend(ctx, core.Charge{Sender: alice, Limit: frames, Now: f.Now()}), "and sends no frame")
	})

	t.Run("EveryAckSpendsAFrameNeverASend", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.mustFriends(t)
		sent := f.MustSend(t, bob, alice, "read me")
		frames, err := core.NewFrameLimit(2, 60)
		require.NoError(t, err)
		service := core.NewService(f.Store, f.Now, f.StampID, core.WithPusher(f.Pusher),
			core.WithSendBudget(budgetOf(t, f), mustLimit(t, 1, 60)), core.WithFrameLimit(frames))
		ack := func() error {
			_, err := service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: sent.ID, Read: true}, "")
			return err
		}
		require.NoError(t, ack(), "an ack that moves")
		require.NoError(t, ack(), "an ack that moves nothing")
		err = ack()
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err), "the third ack is over the frame budget")
		assert.Positive(t, core.RetryAfter(err))
		_, _, err = service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "my one send is left"})
		require.NoError(t, err)
	})

	t.Run("TypingSpendsTheBudget", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.mustFriends(t)
		service := f.metered(t, mustLimit(t, 1, 60))
		from := f.MustConnect(t, alice)
		_, err := service.Typing(ctx, f.Caller(t, alice), from, bob)
		require.NoError(t, err)
		_, err = service.Typing(ctx, f.Caller(t, alice), from, bob)
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
		_, _, err = service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi"})
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err), "typing and messages share one budget")
	})

	t.Run("ASuspendedAccountCannotWriteAnything", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.mustFriends(t)
		sent := f.MustSend(t, bob, alice, "hi")
		channel := f.ChannelID("live")
		f.MustCreateChannel(t, alice, channel)
		post := f.MustPost(t, alice, channel, "first")
		service := f.metered(t, mustLimit(t, 50, 60))
		require.NoError(t, budgetOf(t, f).Suspend(ctx, core.Suspension{Email: alice, Reason: "abuse", Date: f.Now()}))
		caller := f.Caller(t, alice)

		for name, write := range map[string]func() error{
			"create-channel": func() error {
				_, err := service.CreateChannel(ctx, caller, core.CreateChannelInput{Channel: f.ChannelID("second"), Title: "Second"})
				return err
			},
			"add-publisher": func() error {
				_, err := service.AddPublisher(ctx, caller, core.AddPublisherInput{Channel: channel, Email: bob, Name: "Bob"})
				return err
			},
			"delete-post": func() error { return service.DeletePost(ctx, caller, channel, post.ID) },
			"ack": func() error {
				_, err := service.Ack(ctx, caller, core.AckInput{With: bob, UpTo: sent.ID, Read: true}, "")
				return err
			},
			"report-contact": func() error {
				_, err := service.ReportContact(ctx, caller, bob, "flooding the queue")
				return err
			},
		} {
			assert.Equal(t, core.ESUSPENDED, core.ErrorCode(write()), name)
		}
		_, err := f.Store.Channel(ctx, f.ChannelID("second"))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "no channel was created")
		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: channel, Limit: 10})
		require.NoError(t, err)
		assert.Len(t, posts, 1, "no post was deleted")
		receipts, err := f.Store.Receipts(ctx, alice, bob)
		require.NoError(t, err)
		assert.Empty(t, receipts.Watermarks.Read, "no watermark moved")
		reports, err := budgetOf(t, f).Reports(ctx, bob)
		require.NoError(t, err)
		assert.Empty(t, reports, "no report was filed")
	})

	t.Run("CreatingChannelsAndNamingPublishersSpendsSends", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		service := f.metered(t, mustLimit(t, 2, 6))
		_, err := service.CreateChannel(ctx, f.Caller(t, alice), core.CreateChannelInput{Channel: f.ChannelID("one"), Title: "One"})
		require.NoError(t, err)
		_, err = service.AddPublisher(ctx, f.Caller(t, alice), core.AddPublisherInput{Channel: f.ChannelID("one"), Email: bob, Name: "Bob"})
		require.NoError(t, err)
		_, err = service.CreateChannel(ctx, f.Caller(t, alice), core.CreateChannelInput{Channel: f.ChannelID("two"), Title: "Two"})
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
		assert.Equal(t, 10*time.Second, core.RetryAfter(err))
		_, err = service.AddPublisher(ctx, f.Caller(t, alice), core.AddPublisherInput{Channel: f.ChannelID("one"), Email: bob, Name: "Robert"})
		assert.Equal(t, core.ETHROTTLED, core.ErrorCode(err))
	})

	t.Run("SuspendingClosesTheAccountsConnections", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.mustFriends(t)
		phone, laptop, bobs := f.MustConnect(t, alice), f.MustConnect(t, alice), f.MustConnect(t, bob)
		moderator := core.NewModerator(budgetOf(t, f), f.Now, core.WithModeratorPusher(f.Pusher))
		_, err := moderator.Suspend(ctx, alice, "abuse")
		require.NoError(t, err)

		assert.ElementsMatch(t, []string{phone.ID, laptop.ID}, f.Pusher.Disconnected())
		for _, c := range []core.Connection{phone, laptop} {
			assert.Equal(t, []core.Event{core.ClosingEvent{Code: core.CloseSuspended, Reason: "account suspended"}}, f.Pusher.To(c.ID))
			_, _, err := f.Service.ConnectionCaller(ctx, c.ID)
			assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "its frames are refused")
		}
		assert.Empty(t, f.mustConnectionIDs(t, alice))
		f.MustSend(t, bob, alice, "nothing reaches a suspended account's sockets")
		assert.Len(t, f.Pusher.To(phone.ID), 1)
		assert.Equal(t, []string{bobs.ID}, f.mustConnectionIDs(t, bob), "others keep theirs")
	})

	t.Run("ASuspendedAccountCannotSendTypeOrConnect", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.mustFriends(t)
		service := f.metered(t, mustLimit(t, 5, 60))
		from := f.MustConnect(t, alice)
		require.NoError(t, budgetOf(t, f).Suspend(ctx, core.Suspension{Email: alice, Reason: "abuse", Date: f.Now()}))

		_, _, err := service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi", ClientID: "c1"})
		assert.Equal(t, core.ESUSPENDED, core.ErrorCode(err))
		_, err = service.Typing(ctx, f.Caller(t, alice), from, bob)
		assert.Equal(t, core.ESUSPENDED, core.ErrorCode(err))
		_, err = service.Connect(ctx, f.Caller(t, alice), "conn-"+f.runID)
		assert.Equal(t, core.ESUSPENDED, core.ErrorCode(err))
		assert.Empty(t, f.MustConversation(t, alice, bob))

		_, _, err = service.AddMessage(ctx, f.Caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "still reachable"})
		require.NoError(t, err, "others may still write to a suspended account")
	})
}

// concurrently runs do each times in each of n goroutines at once and counts
// what it returned.
func concurrently(n, each int, do func() string) map[string]int {
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for range each {
				result := do()
				mu.Lock()
				counts[result]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return counts
}
