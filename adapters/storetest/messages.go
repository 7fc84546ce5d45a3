package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// testClientIDWindow: a clientId makes retries idempotent for
// core.ClientIDWindow, then it is forgotten, the same in every store.
func testClientIDWindow(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("RetryWithinTheWindowStoresOneAfterItAnother", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		send := func() (core.Message, bool) {
			t.Helper()
			m, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi", ClientID: "k1"})
			require.NoError(t, err)
			return m, created
		}
		first, created := send()
		require.True(t, created)
		f.Advance(core.ClientIDWindow - time.Second)
		again, created := send()
		assert.False(t, created, "a retry just inside the window")
		assert.Equal(t, first, again)
		f.Advance(time.Second)
		later, created := send()
		assert.True(t, created, "the clientId is forgotten once the window has passed")
		assert.NotEqual(t, first.ID, later.ID)
		retry, created := send()
		assert.False(t, created, "and protects the new message from then on")
		assert.Equal(t, later, retry)
		assert.Len(t, f.MustConversation(t, alice, bob), 2)
	})
}

// testMessages is the contract of storing and reading messages.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testMessages(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ErrNotFoundMessagingANonContact", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		_, _, err := f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi"})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		assert.Empty(t, f.MustConversation(t, alice, bob))
	})

	t.Run("BothMembersReadTheSameConversation", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		sent := f.MustSend(t, alice, bob, "line one\n\tline two")
		assert.Equal(t, f.Now(), sent.Date)

		for _, reader := range []string{alice, bob} {
			messages, err := f.Service.GetMessages(ctx, f.Caller(t, reader), core.GetMessagesInput{With: map[string]string{alice: bob, bob: alice}[reader]})
			require.NoError(t, err)
			assert.Equal(t, []core.Message{sent}, withoutStatus(messages))
		}
		assert.Empty(t, f.MustConversation(t, alice, f.Email("carol")))
	})

	t.Run("FirstMessageFromAStrangerArrivesAsARequest", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		f.Advance(time.Minute)
		sent := f.MustSend(t, alice, bob, "hi bob")

		contacts, err := f.Service.GetContacts(ctx, f.Caller(t, bob))
		require.NoError(t, err)
		require.Len(t, contacts, 1)
		request := contacts[0]
		assert.True(t, request.Request)
		assert.Equal(t, alice, request.Email)
		assert.Equal(t, sent.Date, request.LastActivity)

		accepted, created, err := f.Service.AddContact(ctx, f.Caller(t, bob), core.AddContactInput{Email: alice, Name: "Alice"})
		require.NoError(t, err)
		assert.True(t, created)
		assert.False(t, accepted.Request)
		assert.Equal(t, request.ID, accepted.ID)
		assert.Equal(t, "Alice", accepted.Name)
		f.MustSend(t, bob, alice, "hi alice")
	})

	t.Run("SendingRecordsActivityOnBothContacts", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		f.Advance(time.Hour)
		long := strings.Repeat("ß", core.MaxPreviewRunes+10)
		sent := f.MustSend(t, alice, bob, long)
		for _, owner := range []string{alice, bob} {
			contacts, err := f.Store.Contacts(ctx, owner)
			require.NoError(t, err)
			require.Len(t, contacts, 1)
			assert.Equal(t, sent.Date, contacts[0].LastActivity, owner)
			assert.False(t, contacts[0].Request)
			require.NotNil(t, contacts[0].LastMessage, owner)
			assert.Equal(t, sent.Preview(), *contacts[0].LastMessage, owner)
			assert.Equal(t, strings.Repeat("ß", core.MaxPreviewRunes), contacts[0].LastMessage.Text)
		}
	})

	t.Run("SameClientIDStoresOneMessage", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		in := core.AddMessageInput{Recipient: bob, Text: "once", ClientID: "client-1"}
		first, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		assert.True(t, created)
		f.Advance(time.Second)
		again, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, again)
		assert.Equal(t, withoutStatus([]core.Message{first}), f.MustConversation(t, alice, bob))
	})

	t.Run("SameClientIDFromTheOtherMemberIsAnotherMessage", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		for _, sender := range []string{alice, bob} {
			recipient := map[string]string{alice: bob, bob: alice}[sender]
			_, created, err := f.Service.AddMessage(ctx, f.Caller(t, sender), core.AddMessageInput{Recipient: recipient, Text: "hi", ClientID: "same"})
			require.NoError(t, err)
			assert.True(t, created)
		}
		assert.Len(t, f.MustConversation(t, alice, bob), 2)
	})
}

// testPagination is the contract of paging a conversation before and after a message.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testPagination(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	const pageSize = 5

	sendN := func(t *testing.T, f *Fixture, n int) (alice, bob string, sent []core.Message) {
		alice, bob = f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		for i := range n {
			f.Advance(time.Millisecond)
			sent = append(sent, f.MustSend(t, alice, bob, fmt.Sprintf("message %d", i)))
		}
		return alice, bob, sent
	}
	pageAll := func(t *testing.T, f *Fixture, alice, bob string) (pages [][]core.Message) {
		before := ""
		for range 100 {
			page, err := f.Service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice, Before: before, Limit: pageSize})
			require.NoError(t, err)
			if len(page) == 0 {
				return pages
			}
			pages = append(pages, page)
			before = page[0].ID
		}
		t.Fatal("pagination did not end")
		return nil
	}

	for _, tc := range []struct {
		name      string
		sent      int
		wantPages []int
	}{
		{"EmptyConversation", 0, nil},
		{"FewerThanAPage", 3, []int{3}},
		{"ExactMultipleOfThePage", 2 * pageSize, []int{pageSize, pageSize}},
		{"PartialLastPage", 2*pageSize + 1, []int{pageSize, pageSize, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewFixture(t, newStore)
			alice, bob, sent := sendN(t, f, tc.sent)
			pages := pageAll(t, f, alice, bob)
			var sizes []int
			var all []core.Message
			for i := len(pages) - 1; i >= 0; i-- {
				all = append(all, pages[i]...)
			}
			for _, p := range pages {
				sizes = append(sizes, len(p))
			}
			assert.Equal(t, tc.wantPages, sizes)
			assert.Equal(t, sent, all, "paging newest-first returns every message once, each page in date order")
		})
	}

	t.Run("BeforeTheOldestIsEmpty", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := sendN(t, f, 3)
		page, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob, Before: sent[0].ID})
		require.NoError(t, err)
		assert.NotNil(t, page)
		assert.Empty(t, page)
	})

	t.Run("BeforeAnUnknownIDPagesFromWhereItWouldSort", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := sendN(t, f, 3)
		page, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob, Before: sent[2].ID + "0"})
		require.NoError(t, err)
		assert.Equal(t, sent, withoutStatus(page))
	})

	t.Run("DefaultPageIsTheNewestFifty", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := sendN(t, f, core.DefaultMessagePage+2)
		page, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob})
		require.NoError(t, err)
		assert.Equal(t, sent[2:], withoutStatus(page))
	})
}

// pausingStore is a store whose AddMessage calls pause first: the hook by
// which a test holds one write back while others commit.
type pausingStore struct {
	core.Store
	pause func(m core.Message)
}

func (s pausingStore) AddMessage(ctx context.Context, m, preview core.Message, request core.Contact, charge *core.Charge) (core.SentMessage, error) {
	s.pause(m)
	return s.Store.AddMessage(ctx, m, preview, request, charge)
}

// testOrder: a conversation's messages commit in ID order, and a message's
// date and ID come from one reading of the clock, so date order is ID order
// and a reader catching up after the newest message it has never misses one,
// however concurrent writes interleave.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testOrder(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("AMessageNamedBeforeTheNewestIsRefusedAndNothingWritten", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		early := core.Message{ID: f.NewID(), Sender: alice, Recipient: bob, Text: "named first", Date: f.Now(), ClientID: "early"}
		f.Advance(time.Second)
		newest := f.MustSend(t, alice, bob, "committed first")
		request := core.Contact{ID: f.NewID(), Owner: bob, Email: alice, Name: alice, Request: true, CreatedAt: f.Now(), LastActivity: f.Now()}

		_, err := f.Store.AddMessage(ctx, early, early.Preview(), request, nil)
		assert.Equal(t, core.ECONFLICT, core.ErrorCode(err))
		var late *core.OutOfOrderError
		require.ErrorAs(t, err, &late)
		assert.True(t, late.Newest.Equal(newest.Date), "the error names the newest message's date: %v", late.Newest)
		assert.Equal(t, []core.Message{newest}, f.MustConversation(t, alice, bob))

		_, err = f.Store.AddMessage(ctx, early, early.Preview(), request, nil)
		assert.Equal(t, core.ECONFLICT, core.ErrorCode(err), "nothing was written, not even the clientId's marker")
	})

	t.Run("CatchingUpMissesNoMessageThatCommittedAfterANewerOne", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		older := f.MustSend(t, bob, alice, "before it all")

		// Alice's message is named first and held back before its write;
		// Bob's, named after it, commits; Bob reads up to his; then
		// Alice's write goes on.
		named, resume := make(chan core.Message, 1), make(chan struct{})
		var held sync.Once
		hook := pausingStore{Store: f.Store, pause: func(m core.Message) {
			if m.Sender == alice {
				held.Do(func() { named <- m; <-resume })
			}
		}}
		service := core.NewService(hook, f.Now, f.StampID)
		var slow core.Message
		var slowErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			slow, _, slowErr = service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "named first, committed last"})
		})
		firstName := <-named
		f.Advance(time.Millisecond)
		fast, _, err := service.AddMessage(ctx, f.Caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "named last, committed first"})
		require.NoError(t, err)
		require.Less(t, firstName.ID, fast.ID, "the interleaving is the one under test: the held message was named first")
		seen, err := service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice})
		require.NoError(t, err)
		assert.Equal(t, []string{older.ID, fast.ID}, messageIDs(seen))

		close(resume)
		wg.Wait()
		require.NoError(t, slowErr)
		caughtUp, err := service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice, After: fast.ID})
		require.NoError(t, err)
		assert.Equal(t, []string{slow.ID}, messageIDs(caughtUp), "catching up after the newest message seen finds the one that committed later")
		assert.Greater(t, slow.ID, fast.ID)
		assert.False(t, slow.Date.Before(fast.Date), "its date moved with its ID")
		assertDateOrder(t, f.MustConversation(t, alice, bob))
	})

	t.Run("DateOrderIsIDOrderUnderConcurrentSends", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		// Every reading of the clock is a later one, so two senders that
		// read it in one order may well make their IDs in the other.
		clock := func() time.Time { f.Advance(200 * time.Microsecond); return f.Now() }
		service := core.NewService(f.Store, clock, f.StampID)
		const senders, each = 16, 3
		var mu sync.Mutex
		var sent []string
		var wg sync.WaitGroup
		for i := range senders {
			from, to := alice, bob
			if i%2 == 1 {
				from, to = bob, alice
			}
			wg.Go(func() {
				for n := range each {
					m, _, err := service.AddMessage(ctx, f.Caller(t, from), core.AddMessageInput{Recipient: to, Text: fmt.Sprintf("%d of %d", n, i)})
					if assert.NoError(t, err) {
						mu.Lock()
						sent = append(sent, m.ID)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		var all []core.Message
		for after := "0"; ; { // "0" sorts before every ID: the oldest page first
			page, err := service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob, After: after, Limit: 10})
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			all, after = append(all, page...), page[len(page)-1].ID
		}
		assert.ElementsMatch(t, sent, messageIDs(all), "catching up page by page reads every message once")
		assertDateOrder(t, all)
	})
}

// assertDateOrder asserts that messages, in ID order, are in date order too.
func assertDateOrder(t *testing.T, messages []core.Message) {
	t.Helper()
	for i := 1; i < len(messages); i++ {
		assert.Less(t, messages[i-1].ID, messages[i].ID)
		assert.False(t, messages[i].Date.Before(messages[i-1].Date), "message %s is dated %v, before %s at %v",
			messages[i].ID, messages[i].Date, messages[i-1].ID, messages[i-1].Date)
	}
}

func messageIDs(messages []core.Message) []string {
	ids := make([]string, len(messages))
	for i, m := range messages {
		ids[i] = m.ID
	}
	return ids
}

// testUnsend is the contract of a sender erasing one of their messages for
// both members of the conversation.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testUnsend(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	chat := func(t *testing.T) (*Fixture, string, string) {
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		return f, alice, bob
	}
	unsend := func(t *testing.T, f *Fixture, sender, recipient, id string) (core.Message, error) {
		t.Helper()
		return f.Service.DeleteMessage(ctx, f.Caller(t, sender), core.DeleteMessageInput{With: recipient, ID: id})
	}

	t.Run("SenderErasesTheTextForBothAndTheMessageStaysInPlace", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := chat(t)
		first := f.MustSend(t, alice, bob, "wrong person")
		second := f.MustSend(t, bob, alice, "what?")
		aliceTab, bobTab := f.MustConnect(t, alice), f.MustConnect(t, bob)

		erased, err := unsend(t, f, alice, bob, first.ID)
		require.NoError(t, err)
		want := first
		want.Text, want.Deleted = "", true
		assert.Equal(t, want, erased)
		for _, reader := range []string{alice, bob} {
			messages, err := f.Service.GetMessages(ctx, f.Caller(t, reader), core.GetMessagesInput{With: otherMember(reader, alice, bob)})
			require.NoError(t, err)
			require.Len(t, messages, 2, "%s still sees it in place", reader)
			assert.True(t, messages[0].Deleted)
			assert.Empty(t, messages[0].Text)
			assert.Equal(t, first.ID, messages[0].ID)
			assert.Equal(t, second.Text, messages[1].Text)
		}
		for _, tab := range []string{aliceTab.ID, bobTab.ID} {
			assert.Contains(t, f.Pusher.To(tab), core.Event(core.MessageEvent{Message: want}), "every tab of both members is told")
		}

		again, err := unsend(t, f, alice, bob, first.ID)
		require.NoError(t, err, "unsending again is answered the same")
		assert.Equal(t, want, again)
	})

	t.Run("ErrNotFoundUnlessTheCallerSentIt", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := chat(t)
		sent := f.MustSend(t, alice, bob, "mine")
		carol := f.Email("carol")
		for name, try := range map[string]func() error{
			"TheRecipient": func() error { _, err := unsend(t, f, bob, alice, sent.ID); return err },
			"AStranger":    func() error { _, err := unsend(t, f, carol, alice, sent.ID); return err },
			"AnUnknownID":  func() error { _, err := unsend(t, f, alice, bob, f.NewID()); return err },
		} {
			assert.Equal(t, core.ENOTFOUND, core.ErrorCode(try()), name)
		}
		_, err := unsend(t, f, alice, bob, "not an id!")
		assert.Equal(t, core.EINVALID, core.ErrorCode(err))
		assert.Equal(t, "mine", f.MustConversation(t, alice, bob)[0].Text, "a refusal erases nothing")
	})

	t.Run("UnreadAndLastMessageAreCorrected", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := chat(t)
		older := f.MustSend(t, alice, bob, "one")
		newest := f.MustSend(t, alice, bob, "two")
		require.Equal(t, 2, f.mustContact(t, bob, alice).Unread)

		_, err := unsend(t, f, alice, bob, newest.ID)
		require.NoError(t, err)
		bobs, alices := f.mustContact(t, bob, alice), f.mustContact(t, alice, bob)
		assert.Equal(t, 1, bobs.Unread, "an unread message no longer counts")
		for _, c := range []core.Contact{bobs, alices} {
			require.NotNil(t, c.LastMessage)
			assert.True(t, c.LastMessage.Deleted, "%s's preview shows it erased", c.Owner)
			assert.Empty(t, c.LastMessage.Text)
		}

		_, err = f.Service.Ack(ctx, f.Caller(t, bob), core.AckInput{With: alice, UpTo: newest.ID, Read: true}, "")
		require.NoError(t, err)
		assert.Equal(t, 0, f.mustContact(t, bob, alice).Unread)
		_, err = unsend(t, f, alice, bob, older.ID)
		require.NoError(t, err)
		assert.Equal(t, 0, f.mustContact(t, bob, alice).Unread, "a read message was not counted")
		assert.Equal(t, newest.ID, f.mustContact(t, bob, alice).LastMessage.ID, "only the newest is the preview")
	})

	t.Run("AnAckDoesNotCountAnErasedMessage", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := chat(t)
		first := f.MustSend(t, alice, bob, "one")
		second := f.MustSend(t, alice, bob, "two")
		f.MustSend(t, alice, bob, "three")
		_, err := unsend(t, f, alice, bob, second.ID)
		require.NoError(t, err)
		_, err = f.Service.Ack(ctx, f.Caller(t, bob), core.AckInput{With: alice, UpTo: first.ID, Read: true}, "")
		require.NoError(t, err)
		assert.Equal(t, 1, f.mustContact(t, bob, alice).Unread, "only the third is unread")
	})

	t.Run("ARetryOfItsClientIDGetsItErased", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := chat(t)
		send := func() core.Message {
			m, _, err := f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "oops", ClientID: "k1"})
			require.NoError(t, err)
			return m
		}
		sent := send()
		_, err := unsend(t, f, alice, bob, sent.ID)
		require.NoError(t, err)
		retry := send()
		assert.Equal(t, sent.ID, retry.ID, "a retry stores nothing")
		assert.True(t, retry.Deleted)
		assert.Empty(t, retry.Text, "nor brings the text back")
		assert.Len(t, f.MustConversation(t, alice, bob), 1)
	})

	t.Run("AReportKeepsTheEvidenceItWasFiledWith", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := chat(t)
		abuse := f.MustSend(t, alice, bob, "abuse")
		_, err := f.Service.ReportContact(ctx, f.Caller(t, bob), alice, "abusive")
		require.NoError(t, err)
		f.Advance(time.Millisecond)
		later := f.MustSend(t, alice, bob, "later")

		for _, id := range []string{abuse.ID, later.ID} {
			_, err = unsend(t, f, alice, bob, id)
			require.NoError(t, err)
		}
		reports, err := f.Store.Reports(ctx, alice)
		require.NoError(t, err)
		require.Len(t, reports, 1)
		assert.Equal(t, []core.Message{abuse}, reports[0].Evidence, "moderators still see what was reported")
		if queue, ok := f.Store.(core.ReportQueue); ok {
			report, err := queue.Report(ctx, reports[0].ID)
			require.NoError(t, err)
			assert.Equal(t, []core.Message{abuse}, report.Evidence, "in the operators' queue too")
		}
		assert.True(t, f.MustConversation(t, alice, bob)[0].Deleted, "the members see it erased")
	})
}

// otherMember is the one of a and b who is not member.
func otherMember(member, a, b string) string {
	if member == a {
		return b
	}
	return a
}
