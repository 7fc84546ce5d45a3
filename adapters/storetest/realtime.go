package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// RecordingPusher is a core.Pusher that records the events it delivers, by
// connection ID, and answers ErrConnectionGone for the connections marked gone
// or closed.
type RecordingPusher struct {
	recorder[core.Event]
	disconnected []string // guarded by recorder.mu
}

// NewRecordingPusher returns a pusher that has delivered nothing yet.
func NewRecordingPusher() *RecordingPusher { return &RecordingPusher{} }

// Push implements core.Pusher.
func (p *RecordingPusher) Push(_ context.Context, c core.Connection, e core.Event) error {
	if !p.deliver(c.ID, e) {
		return fmt.Errorf("push to %s: %w", c.ID, core.ErrConnectionGone)
	}
	return nil
}

// Disconnect implements core.Pusher: it records the connection closed and
// answers gone to every later push to it.
func (p *RecordingPusher) Disconnect(_ context.Context, connectionID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disconnected = append(p.disconnected, connectionID)
	p.markGoneLocked(connectionID)
	return nil
}

// Disconnected returns the IDs of the connections closed, in order.
func (p *RecordingPusher) Disconnected() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.disconnected)
}

// MustConnect registers a connection of user and returns it.
func (f *Fixture) MustConnect(t *testing.T, user string) core.Connection {
	t.Helper()
	c, err := f.Service.Connect(context.Background(), f.Caller(t, user), "conn-"+f.NewID())
	require.NoError(t, err)
	return c
}

// mustContact returns owner's contact for email as get-contacts shows it.
func (f *Fixture) mustContact(t *testing.T, owner, email string) core.Contact {
	t.Helper()
	contacts, err := f.Service.GetContacts(context.Background(), f.Caller(t, owner))
	require.NoError(t, err)
	at := slices.IndexFunc(contacts, func(c core.Contact) bool { return c.Email == email })
	require.GreaterOrEqual(t, at, 0, "%s has a contact for %s", owner, email)
	return contacts[at]
}

// testConnections is the contract of realtime connections and of the pushes that reach them.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testConnections(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ManyDevicesPerUser", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		phone, laptop, bobs := f.MustConnect(t, alice), f.MustConnect(t, alice), f.MustConnect(t, bob)
		assert.ElementsMatch(t, []string{phone.ID, laptop.ID}, f.mustConnectionIDs(t, alice))

		caller, c, err := f.Service.ConnectionCaller(ctx, bobs.ID)
		require.NoError(t, err)
		assert.Equal(t, bob, caller.Email)
		assert.Equal(t, bobs.ID, c.ID)
	})

	t.Run("AKnownConnectionIsServedWithoutAReadUntilItEndsOrIsForgotten", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		f.Service = core.NewService(f.Store, f.Now, f.StampID, core.WithPusher(f.Pusher), core.WithKnownConnections(2))
		alice, bob := f.Email("alice"), f.Email("bob")
		tab := f.MustConnect(t, alice)
		caller := func(id string) string {
			t.Helper()
			caller, c, err := f.Service.ConnectionCaller(ctx, id)
			if err != nil {
				return core.ErrorCode(err)
			}
			assert.Equal(t, id, c.ID)
			return caller.Email
		}
		require.Equal(t, alice, caller(tab.ID))
		// Gone from the store behind this service's back (another process):
		// the service still knows whose it is.
		require.NoError(t, f.Store.RemoveConnection(ctx, tab))
		assert.Equal(t, alice, caller(tab.ID), "remembered: no read")

		again := f.MustConnect(t, alice)
		require.Equal(t, alice, caller(again.ID))
		require.NoError(t, f.Service.Disconnect(ctx, again.ID))
		assert.Equal(t, core.EUNAUTHORIZED, caller(again.ID), "a disconnect forgets it here too")

		bobs, others := f.MustConnect(t, bob), f.MustConnect(t, bob)
		require.Equal(t, bob, caller(bobs.ID))
		require.Equal(t, bob, caller(others.ID))
		assert.Equal(t, core.EUNAUTHORIZED, caller(tab.ID), "two are remembered: the first goes, and is read again")

		f.Advance(core.ConnectionLifetime)
		assert.Equal(t, core.EUNAUTHORIZED, caller(bobs.ID), "an expired connection is refused, remembered or not")
	})

	t.Run("TheEleventhConnectionClosesTheOldest", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		var opened []core.Connection
		for range core.DefaultMaxConnections {
			opened = append(opened, f.MustConnect(t, alice))
			f.Advance(time.Millisecond)
		}
		bobs := f.MustConnect(t, bob)
		assert.Empty(t, f.Pusher.Disconnected(), "ten are allowed")
		eleventh := f.MustConnect(t, alice)

		assert.Equal(t, []string{opened[0].ID}, f.Pusher.Disconnected(), "only the oldest is closed")
		assert.Equal(t, []core.Event{core.ClosingEvent{Code: core.CloseTooManyConnections, Reason: "too many connections"}}, f.Pusher.To(opened[0].ID),
			"told why before it is closed")
		assert.Equal(t, connectionIDs(append(opened[1:], eleventh)), f.mustConnectionIDs(t, alice))
		_, _, err := f.Service.ConnectionCaller(ctx, opened[0].ID)
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "the closed connection is forgotten")
		assert.Equal(t, []string{bobs.ID}, f.mustConnectionIDs(t, bob), "another person's connections are theirs")
	})

	t.Run("ConcurrentConnectsNeverPassTheCap", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		const tries = 2 * core.DefaultMaxConnections
		var wg sync.WaitGroup
		ids := make([]string, tries)
		for i := range tries {
			ids[i] = "conn-" + f.NewID()
		}
		var mu sync.Mutex
		connected := 0
		for i := range tries {
			wg.Go(func() {
				_, err := f.Service.Connect(ctx, f.Caller(t, alice), ids[i])
				if !assert.Contains(t, []string{"", core.ECONFLICT}, core.ErrorCode(err), "connected, or refused as a lost race") {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					connected++
				}
			})
		}
		wg.Wait()
		assert.Len(t, f.mustConnectionIDs(t, alice), min(connected, core.DefaultMaxConnections))
		assert.Len(t, f.Pusher.Disconnected(), max(connected-core.DefaultMaxConnections, 0), "each one past the cap closed one")
	})

	t.Run("OneMessageIsPushedAtMostTheCapTimes", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		var bobs []core.Connection
		for range 3 * core.DefaultMaxConnections {
			bobs = append(bobs, f.MustConnect(t, bob))
			f.Advance(time.Millisecond)
		}
		f.Advance(core.ConnectGrace)
		sent := f.MustSend(t, alice, bob, "hi")
		messages := 0
		for _, c := range bobs {
			for _, e := range f.Pusher.To(c.ID) {
				if m, ok := e.(core.MessageEvent); ok && m.Message.ID == sent.ID {
					messages++
				}
			}
		}
		assert.Equal(t, core.DefaultMaxConnections, messages)
	})

	t.Run("AConnectionLivesNoLongerThanItsToken", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, bob, alice)
		short, err := f.Service.ConnectUntil(ctx, f.Caller(t, alice), "conn-"+f.NewID(), f.Now().Add(10*time.Minute))
		require.NoError(t, err)
		long, err := f.Service.ConnectUntil(ctx, f.Caller(t, alice), "conn-"+f.NewID(), f.Now().Add(5*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, f.Now().Add(10*time.Minute), short.ExpiresAt)
		assert.Equal(t, f.Now().Add(core.ConnectionLifetime), long.ExpiresAt, "capped at API Gateway's 2 h")
		_, err = f.Service.ConnectUntil(ctx, f.Caller(t, alice), "conn-"+f.NewID(), f.Now())
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "an expired token opens nothing")

		f.Advance(10 * time.Minute)
		sent := f.MustSend(t, bob, alice, "after the token expired")
		assert.Empty(t, f.Pusher.To(short.ID), "an expired connection is pushed nothing")
		sent.Status = core.StatusSent
		assert.Contains(t, f.Pusher.To(long.ID), core.Event(core.MessageEvent{Message: sent}), "the other is")
		_, _, err = f.Service.ConnectionCaller(ctx, short.ID)
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "its frames are refused")
		f.Service.CloseUnknownConnection(ctx, short.ID)
		assert.Equal(t, []string{short.ID}, f.Pusher.Disconnected(), "and it is closed")
		assert.Equal(t, []core.Event{core.ClosingEvent{Code: core.CloseExpired, Reason: "connection expired"}}, f.Pusher.To(short.ID))
	})

	t.Run("ExpiredConnectionsAreGone", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		old := f.MustConnect(t, alice)
		f.Advance(core.ConnectionLifetime - time.Minute)
		fresh := f.MustConnect(t, alice)
		f.Advance(2 * time.Minute)
		assert.Equal(t, []string{fresh.ID}, f.mustConnectionIDs(t, alice))
		_, _, err := f.Service.ConnectionCaller(ctx, old.ID)
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	})

	t.Run("DisconnectForgetsOnlyThatConnection", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		phone, laptop := f.MustConnect(t, alice), f.MustConnect(t, alice)
		require.NoError(t, f.Service.Disconnect(ctx, phone.ID))
		require.NoError(t, f.Service.Disconnect(ctx, phone.ID), "a second disconnect is no error")
		assert.Equal(t, []string{laptop.ID}, f.mustConnectionIDs(t, alice))
	})

	t.Run("AMessageReachesEveryDeviceOfBothMembersOnce", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		f.MustAddContact(t, alice, bob)
		phone, laptop, bobs, carols := f.MustConnect(t, alice), f.MustConnect(t, alice), f.MustConnect(t, bob), f.MustConnect(t, carol)
		sent := f.MustSend(t, alice, bob, "hi")
		sent.Status = core.StatusSent
		for _, c := range []core.Connection{phone, laptop} {
			assert.Equal(t, []core.Event{core.MessageEvent{Message: sent}}, f.Pusher.To(c.ID))
		}
		events := f.Pusher.To(bobs.ID)
		require.Len(t, events, 2, "the message and the request it made")
		assert.Equal(t, core.MessageEvent{Message: sent}, events[0])
		request, ok := events[1].(core.ContactEvent)
		require.True(t, ok, "%T", events[1])
		assert.True(t, request.Contact.Request)
		assert.Equal(t, alice, request.Contact.Email)
		assert.Empty(t, f.Pusher.To(carols.ID), "a stranger hears nothing")
	})

	t.Run("AGoneConnectionIsForgotten", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		stale, live := f.MustConnect(t, bob), f.MustConnect(t, bob)
		f.Pusher.MarkGone(stale.ID)
		f.Advance(core.ConnectGrace)
		f.MustSend(t, alice, bob, "hi")
		assert.Equal(t, []string{live.ID}, f.mustConnectionIDs(t, bob))
	})

	t.Run("AConnectionStillOpeningIsNotForgotten", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		// API Gateway answers 410 until $connect has returned: a push in
		// that moment must not forget the connection $connect just made.
		opening := f.MustConnect(t, bob)
		f.Pusher.MarkGone(opening.ID)
		f.MustSend(t, alice, bob, "hi")
		assert.Equal(t, []string{opening.ID}, f.mustConnectionIDs(t, bob))
	})

	t.Run("NothingCrossesABlock", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		_, err := f.Service.BlockContact(ctx, f.Caller(t, bob), alice)
		require.NoError(t, err)
		alices, bobs := f.MustConnect(t, alice), f.MustConnect(t, bob)
		_, _, err = f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "let me in"})
		require.Equal(t, core.EBLOCKED, core.ErrorCode(err))
		_, err = f.Service.Typing(ctx, f.Caller(t, alice), alices, bob)
		require.NoError(t, err)
		assert.Empty(t, f.Pusher.To(bobs.ID))
		assert.Empty(t, f.Pusher.To(alices.ID))
	})

	t.Run("TypingReachesOnlyAMemberWhoAddedYou", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, alice, carol)
		f.MustAddContact(t, bob, alice)
		f.MustSend(t, alice, carol, "carol has me only as a request")
		alices, bobs, carols := f.MustConnect(t, alice), f.MustConnect(t, bob), f.MustConnect(t, carol)
		for _, to := range []string{bob, carol} {
			_, err := f.Service.Typing(ctx, f.Caller(t, alice), alices, to)
			require.NoError(t, err)
		}
		assert.Equal(t, []core.Event{core.TypingEvent{From: alice}}, f.Pusher.To(bobs.ID))
		assert.Empty(t, f.Pusher.To(carols.ID))
		assert.Empty(t, f.Pusher.To(alices.ID), "never to the typist's own devices")
	})

	t.Run("AckTellsTheSenderAndTheReadersOtherDevices", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		sent := f.MustSend(t, bob, alice, "read me")
		bobs, alicesPhone, alicesLaptop := f.MustConnect(t, bob), f.MustConnect(t, alice), f.MustConnect(t, alice)
		_, err := f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: sent.ID, Read: true}, alicesPhone.ID)
		require.NoError(t, err)
		assert.Equal(t, []core.Event{core.ReceiptEvent{With: alice, Watermarks: core.Watermarks{Delivered: sent.ID, Read: sent.ID}}}, f.Pusher.To(bobs.ID))
		assert.Empty(t, f.Pusher.To(alicesPhone.ID), "not to the device that acknowledged")
		events := f.Pusher.To(alicesLaptop.ID)
		require.Len(t, events, 1)
		contact, ok := events[0].(core.ContactEvent)
		require.True(t, ok, "%T", events[0])
		assert.Equal(t, 0, contact.Contact.Unread)

		_, err = f.Service.Ack(ctx, f.Caller(t, alice), core.AckInput{With: bob, UpTo: sent.ID, Read: true}, alicesPhone.ID)
		require.NoError(t, err)
		assert.Len(t, f.Pusher.To(bobs.ID), 1, "an ack that moves nothing tells nobody")
	})
}

// mustConnectionIDs returns the IDs of user's live connections, sorted.
func (f *Fixture) mustConnectionIDs(t *testing.T, user string) []string {
	t.Helper()
	connections, err := f.Store.Connections(context.Background(), user, f.Now())
	require.NoError(t, err)
	return connectionIDs(connections)
}

func connectionIDs(connections []core.Connection) []string {
	ids := make([]string, 0, len(connections))
	for _, c := range connections {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}
