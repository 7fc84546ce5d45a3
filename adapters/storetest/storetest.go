// Package storetest is the contract every core.Store must keep, written once
// and run against each store: the in-memory one and DynamoDB on DynamoDB Local.
// Every test makes its own email addresses, so the suite runs in parallel
// against one shared table.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// NewStore returns the store under test. It may return the same store to
// every test: the tests share nothing but the store.
type NewStore func(t *testing.T) core.Store

// Run runs the whole contract against the stores newStore returns.
func Run(t *testing.T, newStore NewStore) {
	t.Run("Contacts", func(t *testing.T) { t.Parallel(); testContacts(t, newStore) })
	t.Run("Blocking", func(t *testing.T) { t.Parallel(); testBlocking(t, newStore) })
	t.Run("Reporting", func(t *testing.T) { t.Parallel(); testReporting(t, newStore) })
	t.Run("Messages", func(t *testing.T) { t.Parallel(); testMessages(t, newStore) })
	t.Run("Pagination", func(t *testing.T) { t.Parallel(); testPagination(t, newStore) })
	t.Run("Races", func(t *testing.T) { t.Parallel(); testRaces(t, newStore) })
	t.Run("Receipts", func(t *testing.T) { t.Parallel(); testReceipts(t, newStore) })
	t.Run("CatchingUp", func(t *testing.T) { t.Parallel(); testCatchingUp(t, newStore) })
	t.Run("Connections", func(t *testing.T) { t.Parallel(); testConnections(t, newStore) })
	t.Run("Identities", func(t *testing.T) { t.Parallel(); testIdentities(t, newStore) })
	t.Run("Directory", func(t *testing.T) { t.Parallel(); testDirectory(t, newStore) })
	t.Run("ClientIDWindow", func(t *testing.T) { t.Parallel(); testClientIDWindow(t, newStore) })
	t.Run("Channels", func(t *testing.T) { t.Parallel(); testChannels(t, newStore) })
	t.Run("SendBudget", func(t *testing.T) { t.Parallel(); testSendBudget(t, newStore) })
	t.Run("ReportQueue", func(t *testing.T) { t.Parallel(); testReportQueue(t, newStore) })
}

// Fixture is one test's view of a store: the service over it with a clock that
// only moves when told and IDs that sort in creation order.
type Fixture struct {
	Store   core.Store
	Service *core.Service
	// Pusher records what the service pushes to the connections of the store.
	Pusher *RecordingPusher
	clock  atomic.Int64
	ids    atomic.Int64
	runID  string
}

// NewFixture returns a fixture over the store newStore returns.
func NewFixture(t *testing.T, newStore NewStore) *Fixture {
	t.Helper()
	f := &Fixture{Store: newStore(t), runID: randomHex(t, 6), Pusher: NewRecordingPusher()}
	// Far in the future: DynamoDB Local deletes items whose TTL attribute has
	// passed in real time, so a fixture clock in the past would see its
	// connections and idempotency markers vanish mid-test.
	f.clock.Store(time.Date(2100, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	f.Service = core.NewService(f.Store, f.Now, f.NewID, core.WithPusher(f.Pusher))
	return f
}

// Now is the fixture's clock.
func (f *Fixture) Now() time.Time { return time.Unix(0, f.clock.Load()).UTC() }

// Advance moves the fixture's clock forward by d.
func (f *Fixture) Advance(d time.Duration) { f.clock.Add(int64(d)) }

// NewID returns IDs that sort in the order they were made.
func (f *Fixture) NewID() string { return fmt.Sprintf("%020d%s", f.ids.Add(1), f.runID) }

// Email returns an address unique to this fixture, so tests never share data.
func (f *Fixture) Email(name string) string {
	return fmt.Sprintf("%s-%s@example.com", name, f.runID)
}

// Caller returns the caller for email.
func (f *Fixture) Caller(t *testing.T, email string) core.Caller {
	t.Helper()
	caller, err := core.NewCaller(email, true)
	require.NoError(t, err)
	return caller
}

// MustAddContact adds contact to owner's list through the service.
func (f *Fixture) MustAddContact(t *testing.T, owner, contact string) core.Contact {
	t.Helper()
	added, _, err := f.Service.AddContact(context.Background(), f.Caller(t, owner), core.AddContactInput{Email: contact, Name: "Name of " + contact})
	require.NoError(t, err)
	return added
}

// MustSend sends text from sender to recipient through the service and
// returns the message as stored, without the status its sender sees.
func (f *Fixture) MustSend(t *testing.T, sender, recipient, text string) core.Message {
	t.Helper()
	sent, created, err := f.Service.AddMessage(context.Background(), f.Caller(t, sender), core.AddMessageInput{Recipient: recipient, Text: text})
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, core.StatusSent, sent.Status)
	sent.Status = ""
	return sent
}

// MustConversation returns every message between a and b, oldest first.
func (f *Fixture) MustConversation(t *testing.T, a, b string) []core.Message {
	t.Helper()
	page, err := f.Store.Messages(context.Background(), core.MessageQuery{Reader: a, With: b, Limit: core.MaxMessagePage})
	require.NoError(t, err)
	return page.Messages
}

// withoutStatus is messages as stored, without the status their sender sees.
func withoutStatus(messages []core.Message) []core.Message {
	out := slices.Clone(messages)
	for i := range out {
		out[i].Status = ""
	}
	return out
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func testContacts(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("EmptyListIsEmptyNotNil", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		contacts, err := f.Service.GetContacts(ctx, f.Caller(t, f.Email("alice")))
		require.NoError(t, err)
		assert.NotNil(t, contacts)
		assert.Empty(t, contacts)
	})

	t.Run("AddTwiceReturnsTheExistingContact", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Caller(t, f.Email("alice")), f.Email("bob")
		first, created, err := f.Service.AddContact(ctx, alice, core.AddContactInput{Email: bob, Name: "Bob"})
		require.NoError(t, err)
		assert.True(t, created)
		again, created, err := f.Service.AddContact(ctx, alice, core.AddContactInput{Email: bob, Name: "Robert"})
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, again)
		contacts, err := f.Service.GetContacts(ctx, alice)
		require.NoError(t, err)
		assert.Len(t, contacts, 1)
	})

	t.Run("EmailsAreCaseInsensitive", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		first, _, err := f.Service.AddContact(ctx, f.Caller(t, alice), core.AddContactInput{Email: bob, Name: "Bob"})
		require.NoError(t, err)
		shouting, created, err := f.Service.AddContact(ctx, f.Caller(t, upper(alice)), core.AddContactInput{Email: "  " + upper(bob), Name: "Bob"})
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first.ID, shouting.ID)
		assert.Equal(t, bob, shouting.Email)
	})

	t.Run("ListHoldsOnlyTheOwnersContactsMostRecentActivityFirst", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, carol, dave := f.Email("alice"), f.Email("bob"), f.Email("carol"), f.Email("dave")
		f.MustAddContact(t, alice, bob)
		f.Advance(time.Second)
		f.MustAddContact(t, alice, carol)
		f.Advance(time.Second)
		f.MustAddContact(t, dave, bob)
		f.MustSend(t, alice, bob, "bob is now the most recent")

		contacts, err := f.Service.GetContacts(ctx, f.Caller(t, alice))
		require.NoError(t, err)
		require.Len(t, contacts, 2)
		assert.Equal(t, []string{bob, carol}, []string{contacts[0].Email, contacts[1].Email})
		for _, c := range contacts {
			assert.Equal(t, alice, c.Owner)
		}
	})

	t.Run("RoundTripKeepsEveryField", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		added := f.MustAddContact(t, alice, bob)
		contacts, err := f.Store.Contacts(ctx, alice)
		require.NoError(t, err)
		require.Len(t, contacts, 1)
		assert.Equal(t, added, contacts[0])
		assert.Equal(t, f.Now(), contacts[0].CreatedAt)
	})
}

func testBlocking(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("BlockingAStrangerAddsThemBlocked", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Caller(t, f.Email("alice")), f.Email("bob")
		blocked, err := f.Service.BlockContact(ctx, alice, bob)
		require.NoError(t, err)
		assert.True(t, blocked.Blocked)
		assert.Equal(t, bob, blocked.Email)
		contacts, err := f.Service.GetContacts(ctx, alice)
		require.NoError(t, err)
		require.Len(t, contacts, 1)
		assert.True(t, contacts[0].Blocked)
	})

	t.Run("BlockKeepsTheContactsNameAndUnblockLiftsIt", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		added := f.MustAddContact(t, alice, bob)
		blocked, err := f.Service.BlockContact(ctx, f.Caller(t, alice), bob)
		require.NoError(t, err)
		assert.Equal(t, added.ID, blocked.ID)
		assert.Equal(t, added.Name, blocked.Name)
		assert.True(t, blocked.Blocked)
		unblocked, err := f.Service.UnblockContact(ctx, f.Caller(t, alice), bob)
		require.NoError(t, err)
		assert.False(t, unblocked.Blocked)
		assert.Equal(t, added.Name, unblocked.Name)
	})

	t.Run("ErrNotFoundUnblockingAStranger", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		_, err := f.Service.UnblockContact(ctx, f.Caller(t, f.Email("alice")), f.Email("bob"))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
	})

	for _, tc := range []struct {
		name    string
		blocker string
	}{
		{"ErrBlockedBySender", "alice"},
		{"ErrBlockedByRecipient", "bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewFixture(t, newStore)
			alice, bob := f.Email("alice"), f.Email("bob")
			f.MustAddContact(t, alice, bob)
			f.MustAddContact(t, bob, alice)
			other := map[string]string{"alice": bob, "bob": alice}[tc.blocker]
			_, err := f.Service.BlockContact(ctx, f.Caller(t, f.Email(tc.blocker)), other)
			require.NoError(t, err)

			_, _, err = f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hello?"})
			assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
			_, _, err = f.Service.AddMessage(ctx, f.Caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "hello?"})
			assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
			assert.Empty(t, f.MustConversation(t, alice, bob))

			_, err = f.Service.UnblockContact(ctx, f.Caller(t, f.Email(tc.blocker)), other)
			require.NoError(t, err)
			f.MustSend(t, alice, bob, "unblocked")
		})
	}

	t.Run("RetryAfterABlockGetsTheAcceptedMessage", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		in := core.AddMessageInput{Recipient: bob, Text: "sent before the block", ClientID: "retry-1"}
		sent, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		require.True(t, created)
		_, err = f.Service.BlockContact(ctx, f.Caller(t, bob), alice)
		require.NoError(t, err)
		_, err = f.Service.BlockContact(ctx, f.Caller(t, alice), bob)
		require.NoError(t, err)

		again, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, sent, again)

		_, _, err = f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "new", ClientID: "retry-2"})
		assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
	})

	t.Run("ErrBlockedByRecipientWhoNeverAddedTheSender", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		_, err := f.Service.BlockContact(ctx, f.Caller(t, bob), alice)
		require.NoError(t, err)
		_, _, err = f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi"})
		assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
		assert.Empty(t, f.MustConversation(t, alice, bob))
	})
}

func testReporting(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ReportIsSetOnTheContactAndKeptWithEvidence", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, bob, alice)
		var sent []core.Message
		for i := range core.ReportEvidenceLength + 3 {
			sent = append(sent, f.MustSend(t, bob, alice, fmt.Sprintf("spam %d", i)))
		}

		contact, err := f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "  sends spam  ")
		require.NoError(t, err)
		assert.Equal(t, "sends spam", contact.Report)

		reports, err := f.Store.Reports(ctx, bob)
		require.NoError(t, err)
		require.Len(t, reports, 1)
		report := reports[0]
		assert.Equal(t, alice, report.Reporter)
		assert.Equal(t, bob, report.Reported)
		assert.Equal(t, "sends spam", report.Text)
		assert.Equal(t, f.Now(), report.Date)
		assert.Equal(t, sent[len(sent)-core.ReportEvidenceLength:], report.Evidence)
	})

	t.Run("ErrNotFoundReportingAStranger", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		_, err := f.Service.ReportContact(ctx, f.Caller(t, f.Email("alice")), f.Email("bob"), "who is this")
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		reports, err := f.Store.Reports(ctx, f.Email("bob"))
		require.NoError(t, err)
		assert.Empty(t, reports)
	})
}

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
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, bob, alice)
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
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, bob, alice)
		for _, sender := range []string{alice, bob} {
			recipient := map[string]string{alice: bob, bob: alice}[sender]
			_, created, err := f.Service.AddMessage(ctx, f.Caller(t, sender), core.AddMessageInput{Recipient: recipient, Text: "hi", ClientID: "same"})
			require.NoError(t, err)
			assert.True(t, created)
		}
		assert.Len(t, f.MustConversation(t, alice, bob), 2)
	})
}

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

func testRaces(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	const senders = 24

	t.Run("ConcurrentSendsWithOneClientIDStoreOne", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		var created atomic.Int32
		ids := make([]string, senders)
		var wg sync.WaitGroup
		for i := range senders {
			wg.Go(func() {
				sent, isNew, err := f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "once", ClientID: "race"})
				if assert.NoError(t, err) {
					ids[i] = sent.ID
					if isNew {
						created.Add(1)
					}
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, created.Load(), "exactly one send wins")
		stored := f.MustConversation(t, alice, bob)
		require.Len(t, stored, 1)
		for _, id := range ids {
			assert.Equal(t, stored[0].ID, id, "every retry gets the stored message back")
		}
	})

	t.Run("ConcurrentAddsOfOneContactCreateOne", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Caller(t, f.Email("alice")), f.Email("bob")
		var created atomic.Int32
		var wg sync.WaitGroup
		for range senders {
			wg.Go(func() {
				_, isNew, err := f.Service.AddContact(ctx, alice, core.AddContactInput{Email: bob, Name: "Bob"})
				if assert.NoError(t, err) && isNew {
					created.Add(1)
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, created.Load())
		contacts, err := f.Service.GetContacts(ctx, alice)
		require.NoError(t, err)
		assert.Len(t, contacts, 1)
	})

	t.Run("BlockRacingSendsNeverStoresABlockedMessageNorLosesAnAcceptedOne", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, bob, alice)

		var mu sync.Mutex
		accepted := map[string]bool{}
		refused := 0
		send := func(i int) {
			sent, _, err := f.Service.AddMessage(ctx, f.Caller(t, bob), core.AddMessageInput{Recipient: alice, Text: fmt.Sprintf("m%d", i), ClientID: fmt.Sprintf("c%d", i)})
			mu.Lock()
			defer mu.Unlock()
			switch core.ErrorCode(err) {
			case "":
				accepted[sent.ID] = true
			case core.EBLOCKED:
				refused++
			default:
				t.Errorf("send %d: unexpected error %v", i, err)
			}
		}

		var wg sync.WaitGroup
		for i := range senders {
			wg.Go(func() { send(i) })
		}
		_, err := f.Service.BlockContact(ctx, f.Caller(t, alice), bob)
		require.NoError(t, err)
		wg.Wait()

		for i := senders; i < senders+4; i++ {
			_, _, err := f.Service.AddMessage(ctx, f.Caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "after", ClientID: fmt.Sprintf("c%d", i)})
			assert.Equal(t, core.EBLOCKED, core.ErrorCode(err), "a send after the block returned is refused")
		}

		stored := f.MustConversation(t, alice, bob)
		storedIDs := map[string]bool{}
		for _, m := range stored {
			storedIDs[m.ID] = true
		}
		assert.Equal(t, accepted, storedIDs, "exactly the accepted sends are stored")
		assert.Equal(t, senders, len(accepted)+refused)
	})
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
