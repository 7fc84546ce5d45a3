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
	t.Run("Order", func(t *testing.T) { t.Parallel(); testOrder(t, newStore) })
	t.Run("Connections", func(t *testing.T) { t.Parallel(); testConnections(t, newStore) })
	t.Run("Identities", func(t *testing.T) { t.Parallel(); testIdentities(t, newStore) })
	t.Run("Directory", func(t *testing.T) { t.Parallel(); testDirectory(t, newStore) })
	t.Run("ClientIDWindow", func(t *testing.T) { t.Parallel(); testClientIDWindow(t, newStore) })
	t.Run("Channels", func(t *testing.T) { t.Parallel(); testChannels(t, newStore) })
	t.Run("SendBudget", func(t *testing.T) { t.Parallel(); testSendBudget(t, newStore) })
	t.Run("ReportQueue", func(t *testing.T) { t.Parallel(); testReportQueue(t, newStore) })
	t.Run("Notifications", func(t *testing.T) { t.Parallel(); testNotifications(t, newStore) })
	t.Run("Unsend", func(t *testing.T) { t.Parallel(); testUnsend(t, newStore) })
	t.Run("Account", func(t *testing.T) { t.Parallel(); testAccount(t, newStore) })
	t.Run("Export", func(t *testing.T) { t.Parallel(); testExport(t, newStore) })
}

// Meter counts what a store asks of its database: requests by operation
// (DynamoDB's names) and the items its reads read.
type Meter interface {
	Reset()
	Counts() map[string]int
	ItemsRead() int
}

// NewMeteredStore returns a store of its own and the meter of its requests
// alone, for the contract of what operations cost; a nil meter for a store
// with no database to count (memory), which then runs the cases for their
// results only.
type NewMeteredStore func(t *testing.T) (core.Store, Meter)

// RunCosts runs the contract of what operations cost, one case at a time
// on a store of its own, so that no other test's requests are counted.
func RunCosts(t *testing.T, newStore NewMeteredStore) {
	t.Run("Receipts", func(t *testing.T) { testReceiptCosts(t, newStore) })
	t.Run("Account", func(t *testing.T) { testAccountCosts(t, newStore) })
	t.Run("Export", func(t *testing.T) { testExportCosts(t, newStore) })
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
	f.Service = core.NewService(f.Store, f.Now, f.StampID, core.WithPusher(f.Pusher))
	return f
}

// Now is the fixture's clock.
func (f *Fixture) Now() time.Time { return time.Unix(0, f.clock.Load()).UTC() }

// Advance moves the fixture's clock forward by d.
func (f *Fixture) Advance(d time.Duration) { f.clock.Add(int64(d)) }

// NewID returns an ID stamped with the fixture's clock.
func (f *Fixture) NewID() string { return f.StampID(f.Now()) }

// StampID returns an ID stamped with at: IDs sort by at's millisecond, then
// in the order they were made.
func (f *Fixture) StampID(at time.Time) string {
	return fmt.Sprintf("%013d%07d%s", at.UnixMilli(), f.ids.Add(1), f.runID)
}

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

// MustAddEachOther adds a and b to each other's contacts through the service.
func (f *Fixture) MustAddEachOther(t *testing.T, a, b string) {
	t.Helper()
	f.MustAddContact(t, a, b)
	f.MustAddContact(t, b, a)
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

// testRaces proves that concurrent writes leave exactly one winner.
// Long by design: a contract suite is a list of independent subtests, each read alone.
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
		f.MustAddEachOther(t, alice, bob)

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

// recorder is what the recording fakes share: what they delivered, by the
// address it went to (a connection's ID, a subscription's endpoint), and the
// addresses that answer gone. It is safe for concurrent use.
type recorder[T any] struct {
	mu        sync.Mutex
	delivered []delivery[T]
	gone      map[string]bool
}

type delivery[T any] struct {
	to   string
	what T
}

// deliver records what delivered to address, unless address is marked gone:
// then it records nothing and answers false.
func (r *recorder[T]) deliver(address string, what T) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone[address] {
		return false
	}
	r.delivered = append(r.delivered, delivery[T]{to: address, what: what})
	return true
}

// MarkGone makes every later delivery to address answer gone.
func (r *recorder[T]) MarkGone(address string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.markGoneLocked(address)
}

func (r *recorder[T]) markGoneLocked(address string) {
	if r.gone == nil {
		r.gone = map[string]bool{}
	}
	r.gone[address] = true
}

// To returns what was delivered to address, in order.
func (r *recorder[T]) To(address string) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, d := range r.delivered {
		if d.to == address {
			out = append(out, d.what)
		}
	}
	return out
}
