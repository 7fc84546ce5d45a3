package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// MustAck acknowledges the messages member has from with up to upTo.
func (f *Fixture) MustAck(t *testing.T, member, with, upTo string, read bool) core.Watermarks {
	t.Helper()
	w, err := f.Service.Ack(context.Background(), f.Caller(t, member), core.AckInput{With: with, UpTo: upTo, Read: read}, "")
	require.NoError(t, err)
	return w
}

func statuses(messages []core.Message) []core.Status {
	out := make([]core.Status, 0, len(messages))
	for _, m := range messages {
		out = append(out, m.Status)
	}
	return out
}

// testReceipts is the contract of acks, watermarks and the statuses they give sent messages.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testReceipts(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	// chat makes alice and bob contacts of each other and has bob send n
	// messages to alice.
	chat := func(t *testing.T, f *Fixture, n int) (alice, bob string, sent []core.Message) {
		alice, bob = f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		for i := range n {
			sent = append(sent, f.MustSend(t, bob, alice, fmt.Sprintf("m%d", i)))
		}
		return alice, bob, sent
	}

	t.Run("UnreadCountsEveryMessageAndReadResetsIt", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := chat(t, f, 3)
		assert.Equal(t, 3, f.mustContact(t, alice, bob).Unread)
		assert.Equal(t, 0, f.mustContact(t, bob, alice).Unread, "your own messages are never unread")

		f.MustAck(t, alice, bob, sent[1].ID, false)
		assert.Equal(t, 3, f.mustContact(t, alice, bob).Unread, "delivered is not read")
		f.MustAck(t, alice, bob, sent[1].ID, true)
		assert.Equal(t, 1, f.mustContact(t, alice, bob).Unread)
		f.MustAck(t, alice, bob, sent[2].ID, true)
		assert.Equal(t, 0, f.mustContact(t, alice, bob).Unread)
		f.MustSend(t, alice, bob, "reply")
		assert.Equal(t, 0, f.mustContact(t, alice, bob).Unread)
		f.MustSend(t, bob, alice, "again")
		assert.Equal(t, 1, f.mustContact(t, alice, bob).Unread)
	})

	t.Run("AStrangersFirstMessageIsOneUnreadRequest", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, bob, alice)
		f.MustSend(t, bob, alice, "hello, stranger")
		request := f.mustContact(t, alice, bob)
		assert.True(t, request.Request)
		assert.Equal(t, 1, request.Unread)
	})

	t.Run("SenderSeesStatusOnEveryPage", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := chat(t, f, 6)
		bobCaller := f.Caller(t, bob)
		page := func(in core.GetMessagesInput) []core.Status {
			in.With = alice
			messages, err := f.Service.GetMessages(ctx, bobCaller, in)
			require.NoError(t, err)
			return statuses(messages)
		}
		sentStatus := []core.Status{core.StatusSent, core.StatusSent, core.StatusSent, core.StatusSent, core.StatusSent, core.StatusSent}
		assert.Equal(t, sentStatus, page(core.GetMessagesInput{}))

		f.MustAck(t, alice, bob, sent[3].ID, false)
		f.MustAck(t, alice, bob, sent[1].ID, true)
		want := []core.Status{core.StatusRead, core.StatusRead, core.StatusDelivered, core.StatusDelivered, core.StatusSent, core.StatusSent}
		assert.Equal(t, want, page(core.GetMessagesInput{}), "newest page")
		assert.Equal(t, want[:3], page(core.GetMessagesInput{Before: sent[3].ID}), "older page")
		assert.Equal(t, want[2:4], page(core.GetMessagesInput{After: sent[1].ID, Limit: 2}), "catch-up page that stops short of the newest")
		assert.Equal(t, want[4:], page(core.GetMessagesInput{After: sent[3].ID}), "catch-up page up to the newest")

		received, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob})
		require.NoError(t, err)
		assert.Equal(t, make([]core.Status, 6), statuses(received), "messages you received carry no status")
	})

	t.Run("WatermarksNeverMoveBack", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := chat(t, f, 3)
		assert.Equal(t, core.Watermarks{Delivered: sent[2].ID, Read: sent[2].ID}, f.MustAck(t, alice, bob, sent[2].ID, true))
		assert.Equal(t, core.Watermarks{Delivered: sent[2].ID, Read: sent[2].ID}, f.MustAck(t, alice, bob, sent[0].ID, true))
		assert.Equal(t, core.Watermarks{Delivered: sent[2].ID, Read: sent[2].ID}, f.MustAck(t, alice, bob, sent[1].ID, false))
		assert.Equal(t, 0, f.mustContact(t, alice, bob).Unread)
	})

	t.Run("ErrNotFoundAckingAMessageOfAnotherConversation", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, _ := chat(t, f, 1)
		carol := f.Email("carol")
		f.MustAddContact(t, carol, alice)
		other := f.MustSend(t, carol, alice, "elsewhere")
		_, err := f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: other.ID, Read: true}, "")
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		_, err = f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: "not a message id!", Read: true}, "")
		assert.Equal(t, core.EINVALID, core.ErrorCode(err))
		assert.Equal(t, 1, f.mustContact(t, alice, bob).Unread, "a refused ack changes nothing")
	})

	t.Run("RacingAcksKeepTheFurthest", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := chat(t, f, 8)
		order := rand.Perm(len(sent))
		var wg sync.WaitGroup
		for _, i := range order {
			wg.Go(func() {
				_, err := f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: sent[i].ID, Read: i%2 == 0}, "")
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		last, lastEven := sent[7].ID, sent[6].ID
		assert.Equal(t, core.Watermarks{Delivered: last, Read: lastEven}, f.MustAck(t, alice, bob, sent[0].ID, false))
		assert.Equal(t, 1, f.mustContact(t, alice, bob).Unread)
	})

	t.Run("UnreadStaysExactWhileSendsRaceReads", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := chat(t, f, 1)
		const sends = 12
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range sends {
				_, _, err := f.Service.AddMessage(ctx, f.Caller(t, bob), core.AddMessageInput{Recipient: alice, Text: fmt.Sprintf("race %d", i)})
				assert.NoError(t, err)
			}
		})
		wg.Go(func() {
			for range sends {
				conversation := f.MustConversation(t, alice, bob)
				_, err := f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: conversation[len(conversation)-1].ID, Read: true}, "")
				assert.NoError(t, err)
			}
		})
		wg.Wait()
		conversation := f.MustConversation(t, alice, bob)
		read := f.MustAck(t, alice, bob, sent[0].ID, true).Read
		want := 0
		for _, m := range conversation {
			if m.ID > read {
				want++
			}
		}
		assert.Equal(t, want, f.mustContact(t, alice, bob).Unread, "unread is exactly the messages past the read watermark")
	})
}

func testCatchingUp(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	f := NewFixture(t, newStore)
	alice, bob := f.Email("alice"), f.Email("bob")
	f.MustAddContact(t, alice, bob)
	var sent []core.Message
	for i := range 7 {
		sent = append(sent, f.MustSend(t, alice, bob, fmt.Sprintf("m%d", i)))
	}
	ids := func(messages []core.Message) []string {
		out := make([]string, 0, len(messages))
		for _, m := range messages {
			out = append(out, m.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		after string
		limit int
		want  []core.Message
	}{
		{"OldestNewerThanAfter", sent[1].ID, 3, sent[2:5]},
		{"UpToTheNewest", sent[4].ID, 0, sent[5:]},
		{"NothingAfterTheNewest", sent[6].ID, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := f.Service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice, After: tc.after, Limit: tc.limit})
			require.NoError(t, err)
			assert.NotNil(t, page)
			assert.Equal(t, ids(tc.want), ids(page))
		})
	}
	t.Run("ErrInvalidWithBeforeAndAfter", func(t *testing.T) {
		_, err := f.Service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice, After: sent[1].ID, Before: sent[4].ID})
		assert.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("PagingForwardLosesNothing", func(t *testing.T) {
		var got []string
		after := sent[0].ID
		for range len(sent) {
			page, err := f.Service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice, After: after, Limit: 2})
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			got = append(got, ids(page)...)
			after = page[len(page)-1].ID
		}
		assert.Equal(t, ids(sent[1:]), got)
	})
}

// testReceiptCosts is the contract of what an ack costs: one read when it
// moves nothing, and a bounded number of items whatever the conversation
// holds, with the Unread that core.Ack.Unread says.
func testReceiptCosts(t *testing.T, newStore NewMeteredStore) {
	ctx := context.Background()
	const limit = 5
	newFixture := func(t *testing.T) (*Fixture, Meter) {
		store, meter := newStore(t)
		f := NewFixture(t, func(*testing.T) core.Store { return store })
		f.Service = core.NewService(store, f.Now, f.StampID, core.WithPusher(f.Pusher), core.WithUnreadRecountLimit(limit))
		return f, meter
	}
	ack := func(t *testing.T, f *Fixture, member, with, upTo string) {
		t.Helper()
		_, err := f.Service.Ack(ctx, f.Caller(t, member), core.AckInput{With: with, UpTo: upTo, Read: true}, "")
		require.NoError(t, err)
	}

	t.Run("AnAckThatMovesNothingIsOneReadAndNoWrite", func(t *testing.T) {
		f, meter := newFixture(t)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		var sent []core.Message
		for i := range 3 * limit {
			sent = append(sent, f.MustSend(t, bob, alice, fmt.Sprintf("m%d", i)))
		}
		newest := sent[len(sent)-1].ID
		ack(t, f, alice, bob, newest)
		for _, upTo := range []string{newest, sent[0].ID} {
			if meter != nil {
				meter.Reset()
			}
			w, err := f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: upTo, Read: true}, "")
			require.NoError(t, err)
			assert.Equal(t, core.Watermarks{Delivered: newest, Read: newest}, w)
			if meter != nil {
				assert.Equal(t, map[string]int{"GetItem": 1}, meter.Counts(), "acking %s again", upTo)
				assert.LessOrEqual(t, meter.ItemsRead(), 1)
			}
		}
	})

	t.Run("AnAckInALongConversationReadsABoundedNumberOfItems", func(t *testing.T) {
		f, meter := newFixture(t)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		var sent []core.Message
		for i := range 4 * limit {
			sent = append(sent, f.MustSend(t, bob, alice, fmt.Sprintf("m%d", i)))
		}
		// At most limit+2 items each way (the message acked or the old
		// watermark, the receipts item), the contact's Unread, the receipts
		// item and the contact read back.
		const most = 2*(limit+2) + 3
		for _, step := range []struct {
			name   string
			before func(t *testing.T)
			upTo   string
			unread int
		}{
			{"FarFromTheNewestAndFromTheOldWatermarkKeepsTheLimit", nil, sent[2*limit].ID, limit},
			{"NearTheNewestCountsExactly", nil, sent[4*limit-3].ID, 2},
			{"FarFromTheNewestNearTheOldWatermarkCountsExactly", func(t *testing.T) {
				for i := range limit + 1 {
					f.MustSend(t, alice, bob, fmt.Sprintf("reply %d", i))
				}
			}, sent[4*limit-2].ID, 1},
		} {
			t.Run(step.name, func(t *testing.T) {
				if step.before != nil {
					step.before(t)
				}
				if meter != nil {
					meter.Reset()
				}
				ack(t, f, alice, bob, step.upTo)
				if meter != nil {
					assert.LessOrEqual(t, meter.ItemsRead(), most)
				}
				assert.Equal(t, step.unread, f.mustContact(t, alice, bob).Unread)
			})
		}
	})
}
