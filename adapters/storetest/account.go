package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// testAccount is the contract of deleting an account for good.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testAccount(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	// metered is a fixture whose service meters sends, as every entry point
	// does: a send checks the tombstone in the write that spends it.
	metered := func(t *testing.T) *Fixture {
		f := NewFixture(t, newStore)
		budget, ok := f.Store.(core.SendBudget)
		require.True(t, ok, "the store keeps a send budget")
		f.Service = core.NewService(f.Store, f.Now, f.StampID, core.WithPusher(f.Pusher), core.WithSendBudget(budget, core.DefaultSendLimit()))
		return f
	}
	// signedIn is email's caller with a token issued now.
	signedIn := func(t *testing.T, f *Fixture, email string) core.Caller {
		caller := f.Caller(t, email)
		caller.IssuedAt = f.Now().Truncate(time.Second)
		return caller
	}
	chatting := func(t *testing.T, f *Fixture, a, b string) {
		f.MustAddEachOther(t, a, b)
		f.MustSend(t, a, b, "hello "+b)
		f.MustSend(t, b, a, "hello "+a)
	}

	t.Run("DeletingErasesEveryItemAndTheOthersSeeItEnd", func(t *testing.T) {
		t.Parallel()
		f := metered(t)
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		chatting(t, f, alice, bob)
		f.MustAddContact(t, carol, alice)
		f.MustSend(t, carol, alice, "a request")
		tab := f.MustConnect(t, alice)
		caller := signedIn(t, f, alice)
		_, err := f.Service.AddPushSubscription(ctx, caller, f.NewSubscriptionInput(t))
		require.NoError(t, err)
		f.Advance(time.Minute)

		report, err := f.Service.DeleteAccount(ctx, caller, "  "+upper(alice)+" ")
		require.NoError(t, err)
		assert.Equal(t, core.ErasureReport{Conversations: 2, Messages: 3, Contacts: 2}, report)

		contacts, err := f.Store.Contacts(ctx, alice)
		require.NoError(t, err)
		assert.Empty(t, contacts, "no contacts nor requests")
		for _, other := range []string{bob, carol} {
			assert.Empty(t, f.MustConversation(t, other, alice), "the conversation with %s is erased", other)
			theirs := f.mustContact(t, other, alice)
			assert.True(t, theirs.Deleted, "%s sees the account deleted", other)
			assert.Nil(t, theirs.LastMessage, "and keeps no text of it")
			assert.Zero(t, theirs.Unread)
			_, _, err := f.Service.AddMessage(ctx, f.Caller(t, other), core.AddMessageInput{Recipient: alice, Text: "still there?"})
			assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "nothing more reaches it")
		}
		assert.Empty(t, f.mustConnectionIDs(t, alice))
		assert.Empty(t, f.mustEndpoints(t, alice), "its notification devices are forgotten")
		assert.Equal(t, []string{tab.ID}, f.Pusher.Disconnected(), "its connection is closed")

		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(f.Service.Authorize(ctx, caller)), "a token issued before is refused")
		_, _, err = f.Service.AddMessage(ctx, caller, core.AddMessageInput{Recipient: bob, Text: "I am back"})
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "in the write that spends the send too")
		_, err = f.Service.Connect(ctx, caller, "conn-"+f.NewID())
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
		_, err = f.Service.Ack(ctx, caller, core.AckInput{With: bob, UpTo: f.NewID(), Read: true}, "")
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "an ack, in the write that spends its frame")
		_, err = f.Service.CreateChannel(ctx, caller, core.CreateChannelInput{Channel: "back-" + f.NewID()[:8], Title: "Back"})
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "a channel, in the write that spends its send")
		_, err = f.Service.AddPublisher(ctx, caller, core.AddPublisherInput{Channel: "any-channel", Email: bob, Name: "Bob"})
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "a publisher, in the write that spends its send")
	})

	t.Run("DeletingErasesTheChannelsItOwnsAndTheirSnapshotSaysSo", func(t *testing.T) {
		t.Parallel()
		f := metered(t)
		snapshots := &lastSnapshots{}
		budget, _ := f.Store.(core.SendBudget)
		f.Service = core.NewService(f.Store, f.Now, f.StampID, core.WithPusher(f.Pusher),
			core.WithSendBudget(budget, core.DefaultSendLimit()), core.WithSnapshotWriter(snapshots, nil))
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		mine, quiet, theirs := f.ChannelID("mine"), f.ChannelID("quiet"), f.ChannelID("theirs")
		f.MustCreateChannel(t, alice, mine)
		f.MustCreateChannel(t, alice, quiet)
		f.MustCreateChannel(t, bob, theirs)
		for _, in := range []core.AddPublisherInput{{Channel: mine, Email: bob, Name: "Guest"}, {Channel: theirs, Email: alice, Name: "Guest"}} {
			owner := alice
			if in.Channel == theirs {
				owner = bob
			}
			_, err := f.Service.AddPublisher(ctx, f.Caller(t, owner), in)
			require.NoError(t, err)
		}
		f.MustPost(t, alice, mine, "kick-off")
		_, _, err := f.Service.PostToChannel(ctx, f.Caller(t, bob), core.PostInput{Channel: mine, Text: "goal", ClientID: "k1"})
		require.NoError(t, err)
		f.MustPost(t, bob, theirs, "bob's own")
		owned, err := f.Store.OwnedChannels(ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, []string{mine, quiet}, owned, "the index written with each channel")
		before, err := f.Store.Channel(ctx, mine)
		require.NoError(t, err)

		report, err := f.Service.DeleteAccount(ctx, signedIn(t, f, alice), alice)
		require.NoError(t, err)
		assert.Equal(t, core.ErasureReport{Channels: 2, Posts: 2}, report)

		for _, id := range []string{mine, quiet} {
			c, err := f.Store.Channel(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, core.Channel{ID: id, Seq: c.Seq, Deleted: true}, c, "only the name is kept, taken, with no owner or title")
			posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Limit: 10})
			require.NoError(t, err)
			assert.Empty(t, posts)
			snapshot := snapshots.last(id)
			assert.True(t, snapshot.Deleted, "its snapshot says it is deleted")
			assert.Empty(t, snapshot.Posts)
			assert.Empty(t, snapshot.Title)
			assert.Equal(t, c.Seq, snapshot.Seq)
		}
		after, err := f.Store.Channel(ctx, mine)
		require.NoError(t, err)
		assert.Greater(t, after.Seq, before.Seq, "the deleted snapshot is newer than any before")
		_, err = f.Store.Publisher(ctx, mine, bob)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "its publishers are erased")
		_, _, err = f.Service.PostToChannel(ctx, f.Caller(t, bob), core.PostInput{Channel: mine, Text: "anyone?", ClientID: "k1"})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "nobody posts to it any more")
		_, _, err = f.Store.AddPost(ctx, core.Post{ID: f.NewID(), Channel: mine, Author: bob, AuthorName: "Guest", Text: "behind", Date: f.Now()}, nil)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "not even straight to the store")
		_, err = f.Service.CreateChannel(ctx, f.Caller(t, carol), core.CreateChannelInput{Channel: mine, Title: "Mine now"})
		assert.Equal(t, core.ECONFLICT, core.ErrorCode(err), "its name stays taken")
		owned, err = f.Store.OwnedChannels(ctx, alice)
		require.NoError(t, err)
		assert.Empty(t, owned)
		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: theirs, Limit: 10})
		require.NoError(t, err)
		assert.Len(t, posts, 1, "others' channels stay")

		erased, err := f.Store.EraseChannel(ctx, mine, alice)
		require.NoError(t, err, "erasing again does nothing")
		assert.Zero(t, erased)
		again, err := f.Store.Channel(ctx, mine)
		require.NoError(t, err)
		assert.Equal(t, after, again)
	})

	t.Run("ErrInvalidUnlessConfirmedWithYourOwnEmail", func(t *testing.T) {
		t.Parallel()
		f := metered(t)
		alice, bob := f.Email("alice"), f.Email("bob")
		chatting(t, f, alice, bob)
		for _, confirm := range []string{"", bob, "not an email"} {
			_, err := f.Service.DeleteAccount(ctx, signedIn(t, f, alice), confirm)
			assert.Equal(t, core.EINVALID, core.ErrorCode(err), "confirm %q", confirm)
		}
		assert.Len(t, f.MustConversation(t, alice, bob), 2, "nothing is erased")
		assert.NoError(t, f.Service.Authorize(ctx, signedIn(t, f, alice)))
	})

	t.Run("ARecycledEmailStartsEmpty", func(t *testing.T) {
		t.Parallel()
		f := metered(t)
		alice, bob := f.Email("alice"), f.Email("bob")
		chatting(t, f, alice, bob)
		old := signedIn(t, f, alice)
		for range core.DefaultSendBurst - 1 {
			f.MustSend(t, alice, bob, "spending the budget")
		}
		_, err := f.Service.DeleteAccount(ctx, old, alice)
		require.NoError(t, err)

		f.Advance(2 * time.Second)
		newcomer := signedIn(t, f, alice)
		require.NoError(t, f.Service.Authorize(ctx, newcomer), "a token issued after the deletion belongs to whoever signed up since")
		contacts, err := f.Service.GetContacts(ctx, newcomer)
		require.NoError(t, err)
		assert.Empty(t, contacts)
		messages, err := f.Service.GetMessages(ctx, newcomer, core.GetMessagesInput{With: bob})
		require.NoError(t, err)
		assert.Empty(t, messages)
		_, _, err = f.Service.AddMessage(ctx, newcomer, core.AddMessageInput{Recipient: bob, Text: "hi"})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "not a contact of theirs")
		_, _, err = f.Service.AddContact(ctx, newcomer, core.AddContactInput{Email: bob, Name: "Bob"})
		require.NoError(t, err)
		// The old account spent its whole burst; the refused send above cost
		// one of the newcomer's, and the rest of a full burst goes through.
		for i := range core.DefaultSendBurst - 1 {
			_, _, err := f.Service.AddMessage(ctx, newcomer, core.AddMessageInput{Recipient: bob, Text: fmt.Sprintf("burst %d", i)})
			require.NoError(t, err, "a full budget: send %d", i)
		}
		assert.False(t, f.mustContact(t, bob, alice).Deleted, "the other side hears from the newcomer")
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(f.Service.Authorize(ctx, old)), "the old token stays refused")
		_, err = f.Service.Ack(ctx, old, core.AckInput{With: bob, UpTo: f.NewID(), Read: true}, "")
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "by an ack too, in the write that spends its frame")
		_, err = f.Service.Ack(ctx, newcomer, core.AckInput{With: bob, UpTo: f.NewID(), Read: true}, "")
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "the newcomer's ack spends its frame and looks the message up")
	})

	t.Run("AHalfDoneDeletionKeepsTheAccountUnusableAndIsFinishedByTheNext", func(t *testing.T) {
		t.Parallel()
		f := metered(t)
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		chatting(t, f, alice, bob)
		_, err := f.Store.BeginDeletion(ctx, alice, f.Now())
		require.NoError(t, err, "a deletion that failed after its tombstone")
		f.Advance(time.Minute)

		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(f.Service.Authorize(ctx, signedIn(t, f, alice))), "even a fresh token")
		_, _, err = f.Service.AddMessage(ctx, signedIn(t, f, alice), core.AddMessageInput{Recipient: bob, Text: "x"})
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
		f.MustAddContact(t, carol, alice)
		_, _, err = f.Service.AddMessage(ctx, f.Caller(t, carol), core.AddMessageInput{Recipient: alice, Text: "hi?"})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "no request is made for it")

		_, err = f.Service.DeleteAccount(ctx, signedIn(t, f, alice), alice)
		require.NoError(t, err, "the next attempt finishes")
		assert.Empty(t, f.MustConversation(t, alice, bob))
		contacts, err := f.Store.Contacts(ctx, alice)
		require.NoError(t, err)
		assert.Empty(t, contacts)
		_, err = f.Service.DeleteAccount(ctx, signedIn(t, f, alice), alice)
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "once finished, its tokens are refused")
		_, err = f.Service.EraseAccount(ctx, alice)
		assert.NoError(t, err, "an operator may run it again")
	})

	t.Run("ReportsAboutItKeepTheirEvidenceAndExpire", func(t *testing.T) {
		t.Parallel()
		f := metered(t)
		alice, bob := f.Email("alice"), f.Email("bob")
		chatting(t, f, alice, bob)
		abuse := f.MustSend(t, alice, bob, "abuse")
		_, err := f.Service.ReportContact(ctx, f.Caller(t, bob), alice, "abusive")
		require.NoError(t, err)
		before, err := f.Store.Reports(ctx, alice)
		require.NoError(t, err)
		require.Len(t, before, 1)

		_, err = f.Service.DeleteAccount(ctx, signedIn(t, f, alice), alice)
		require.NoError(t, err)
		after, err := f.Store.Reports(ctx, alice)
		require.NoError(t, err)
		require.Len(t, after, 1)
		assert.Equal(t, before[0].Evidence, after[0].Evidence, "moderators keep what was reported")
		assert.Contains(t, after[0].Evidence, abuse)
		assert.Equal(t, f.Now().Add(core.ReportRetention).Truncate(time.Second), after[0].Expires)
	})

	t.Run("SendsRacingTheDeletionNeverLeaveAnOrphan", func(t *testing.T) {
		t.Parallel()
		f := metered(t)
		alice := f.Email("alice")
		senders := []string{f.Email("bob"), f.Email("carol"), f.Email("dave")}
		for _, sender := range senders {
			chatting(t, f, alice, sender)
		}
		var wg sync.WaitGroup
		var stop atomic.Bool
		for _, sender := range senders {
			wg.Go(func() {
				for i := 0; i < 200 && !stop.Load(); i++ {
					_, _, err := f.Service.AddMessage(ctx, f.Caller(t, sender), core.AddMessageInput{Recipient: alice, Text: fmt.Sprintf("m%d", i)})
					if code := core.ErrorCode(err); code != "" && code != core.ENOTFOUND && code != core.ETHROTTLED {
						t.Errorf("send: %v", err)
					}
					f.Advance(time.Second)
				}
			})
		}
		_, err := f.Service.DeleteAccount(ctx, signedIn(t, f, alice), alice)
		stop.Store(true)
		wg.Wait()
		require.NoError(t, err)
		contacts, err := f.Store.Contacts(ctx, alice)
		require.NoError(t, err)
		assert.Empty(t, contacts, "no request outlives it")
		for _, sender := range senders {
			assert.Empty(t, f.MustConversation(t, alice, sender), "no message to it outlives it")
			assert.True(t, f.mustContact(t, sender, alice).Deleted)
		}
	})
}

// testAccountCosts is what deleting a large account costs: on a store of its
// own, so that its ten thousand writes race no other test.
func testAccountCosts(t *testing.T, newStore NewMeteredStore) {
	t.Run("DeletesTenThousandMessagesAcrossFiftyConversations", func(t *testing.T) {
		store, meter := newStore(t)
		f := NewFixture(t, func(*testing.T) core.Store { return store })
		alice := f.Email("alice")
		MustSeedConversations(t, f, alice, 50, 200)
		if meter != nil {
			meter.Reset()
		}
		report, err := f.Service.EraseAccount(context.Background(), alice)
		require.NoError(t, err)
		assert.Equal(t, core.ErasureReport{Conversations: 50, Messages: 10_000, Contacts: 50}, report)
		contacts, err := f.Store.Contacts(context.Background(), alice)
		require.NoError(t, err)
		assert.Empty(t, contacts)
		assert.Empty(t, f.MustConversation(t, alice, f.Email("peer-7")))
		if meter != nil {
			requests := 0
			for _, n := range meter.Counts() {
				requests += n
			}
			// About one BatchWriteItem per 25 items and a few requests per
			// conversation: bounded by the data, never a request per message.
			assert.Less(t, requests, 10_000/25+50*8+20, "%v", meter.Counts())
			t.Logf("erasing 10,000 messages in 50 conversations: %d requests %v", requests, meter.Counts())
		}
	})
}

// MustSeedConversations gives email conversations with people peer-0 ...
// (f.Email), each of messages messages, half from each side, written straight
// to the store (no budget), a few conversations at once.
func MustSeedConversations(tb testing.TB, f *Fixture, email string, conversations, messages int) {
	tb.Helper()
	peer := func(n int) string { return f.Email(fmt.Sprintf("peer-%d", n)) }
	if err := SeedConversations(context.Background(), f.Store, email, peer, conversations, messages, f.NewID, f.Now()); err != nil {
		tb.Fatalf("seed conversations: %v", err)
	}
}

// SeedConversations gives email conversations with peer(0), peer(1), ...,
// each of messages messages, half from each side, written straight to store
// (no budget), eight conversations at once; newID names them in order, all
// dated at. For tests and benches of large accounts.
func SeedConversations(ctx context.Context, store core.Store, email string, peer func(int) string, conversations, messages int, newID func() string, at time.Time) error {
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, conversations)
	for range 8 {
		wg.Go(func() {
			for n := range work {
				errs <- seedConversation(ctx, store, email, peer(n), messages, newID, at)
			}
		})
	}
	for n := range conversations {
		work <- n
	}
	close(work)
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

func seedConversation(ctx context.Context, store core.Store, email, peer string, messages int, newID func() string, at time.Time) error {
	for _, c := range []core.Contact{
		{ID: newID(), Owner: email, Email: peer, Name: "Peer", CreatedAt: at, LastActivity: at},
		{ID: newID(), Owner: peer, Email: email, Name: "Owner", CreatedAt: at, LastActivity: at},
	} {
		if _, _, err := store.CreateContact(ctx, c); err != nil {
			return err
		}
	}
	for i := range messages {
		sender, recipient := email, peer
		if i%2 == 1 {
			sender, recipient = peer, email
		}
		m := core.Message{ID: newID(), Sender: sender, Recipient: recipient, Text: fmt.Sprintf("message %d of a long conversation", i), Date: at}
		// The contact the store keeps for the recipient (it exists: only its fields are written).
		request := core.Contact{ID: newID(), Owner: recipient, Email: sender, Name: "Name", CreatedAt: at, LastActivity: at}
		if _, err := store.AddMessage(ctx, m, m.Preview(), request, nil); err != nil {
			return err
		}
	}
	return nil
}

// ExportedDocument is an export as a RecordingArchive received it.
type ExportedDocument struct {
	Account       core.AccountState
	Contacts      []core.Contact
	Conversations []ExportedConversation
	Reports       []core.Report
	Channels      []ExportedChannel
	Devices       []core.Device
	Closed        bool
}

// ExportedConversation is one conversation of an export.
type ExportedConversation struct {
	With     string
	Messages []core.Message
}

// lastSnapshots is a core.SnapshotWriter that keeps each channel's last
// snapshot.
type lastSnapshots struct {
	mu       sync.Mutex
	channels map[string]core.Snapshot
}

// WriteSnapshot implements core.SnapshotWriter.
func (l *lastSnapshots) WriteSnapshot(_ context.Context, s core.Snapshot) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.channels == nil {
		l.channels = map[string]core.Snapshot{}
	}
	if old, ok := l.channels[s.Channel]; ok && old.Seq >= s.Seq {
		return false, nil
	}
	l.channels[s.Channel] = s
	return true, nil
}

func (l *lastSnapshots) last(channel string) core.Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.channels[channel]
}

// ExportedChannel is one channel of an export.
type ExportedChannel struct {
	Channel core.Channel
	Posts   []core.Post
}

// RecordingArchive is a core.ExportArchive and renderer that keeps the last
// document in memory, part by part, for the contract to read.
type RecordingArchive struct {
	mu       sync.Mutex
	Document *ExportedDocument
	links    int
}

// Exports returns the service's exports into a.
func (a *RecordingArchive) Exports() core.Exports {
	return core.Exports{Archive: a, Render: a.render}
}

// Create implements core.ExportArchive.
func (a *RecordingArchive) Create(context.Context, string) (io.WriteCloser, error) {
	return nopWriteCloser{}, nil
}

// Link implements core.ExportArchive.
func (a *RecordingArchive) Link(_ context.Context, name string, _ time.Time) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.links++
	return "memory://exports/" + name, nil
}

func (a *RecordingArchive) render(io.Writer) core.ExportWriter {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.Document = &ExportedDocument{}
	return documentRecorder{doc: a.Document}
}

type nopWriteCloser struct{}

func (nopWriteCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriteCloser) Close() error                { return nil }

// documentRecorder fills in a document as an ExportWriter.
type documentRecorder struct{ doc *ExportedDocument }

func (d documentRecorder) Account(a core.AccountState) error { d.doc.Account = a; return nil }
func (d documentRecorder) Contact(c core.Contact) error {
	d.doc.Contacts = append(d.doc.Contacts, c)
	return nil
}
func (d documentRecorder) Conversation(with string) error {
	d.doc.Conversations = append(d.doc.Conversations, ExportedConversation{With: with, Messages: []core.Message{}})
	return nil
}
func (d documentRecorder) Message(m core.Message) error {
	last := &d.doc.Conversations[len(d.doc.Conversations)-1]
	last.Messages = append(last.Messages, m)
	return nil
}
func (d documentRecorder) Report(r core.Report) error {
	d.doc.Reports = append(d.doc.Reports, r)
	return nil
}
func (d documentRecorder) Channel(c core.Channel) error {
	d.doc.Channels = append(d.doc.Channels, ExportedChannel{Channel: c, Posts: []core.Post{}})
	return nil
}
func (d documentRecorder) Post(p core.Post) error {
	last := &d.doc.Channels[len(d.doc.Channels)-1]
	last.Posts = append(last.Posts, p)
	return nil
}
func (d documentRecorder) Device(v core.Device) error {
	d.doc.Devices = append(d.doc.Devices, v)
	return nil
}
func (d documentRecorder) Close() error { d.doc.Closed = true; return nil }

// testExport is the contract of a person's export.
func testExport(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	t.Run("HoldsEverythingOfThePersonAndNothingOfOthers", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		archive := &RecordingArchive{}
		f.Service = core.NewService(f.Store, f.Now, f.StampID, core.WithPusher(f.Pusher), core.WithExports(archive.Exports()))
		alice, bob, carol, dave := f.Email("alice"), f.Email("bob"), f.Email("carol"), f.Email("dave")
		f.MustAddEachOther(t, alice, bob)
		mine := f.MustSend(t, alice, bob, "one")
		theirs := f.MustSend(t, bob, alice, "two")
		unsent := f.MustSend(t, alice, bob, "oops")
		_, err := f.Service.DeleteMessage(ctx, f.Caller(t, alice), core.DeleteMessageInput{With: bob, ID: unsent.ID})
		require.NoError(t, err)
		_, err = f.Service.Ack(ctx, f.Caller(t, bob), core.AckInput{With: alice, UpTo: mine.ID, Read: true}, "")
		require.NoError(t, err)
		_, err = f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "rude")
		require.NoError(t, err)
		device := f.NewSubscriptionInput(t)
		_, err = f.Service.AddPushSubscription(ctx, f.Caller(t, alice), device)
		require.NoError(t, err)
		f.MustAddContact(t, carol, dave)
		f.MustSend(t, carol, dave, "not alice's")
		channel := f.ChannelID("mine")
		created := f.MustCreateChannel(t, alice, channel)
		first := f.MustPost(t, alice, channel, "kick-off")
		second := f.MustPost(t, alice, channel, "goal")
		f.MustCreateChannel(t, carol, f.ChannelID("carols"))

		link, err := f.Service.Export(ctx, f.Caller(t, alice))
		require.NoError(t, err)
		assert.Equal(t, f.Now().Add(core.ExportLifetime), link.Expires)
		assert.NotEmpty(t, link.URL)
		doc := archive.Document
		require.NotNil(t, doc)
		assert.True(t, doc.Closed)
		assert.Equal(t, alice, doc.Account.Email)
		require.Len(t, doc.Contacts, 1)
		assert.Equal(t, bob, doc.Contacts[0].Email)
		require.Len(t, doc.Conversations, 1)
		assert.Equal(t, bob, doc.Conversations[0].With)
		read, erased := mine, unsent.Erased()
		read.Status, erased.Status = core.StatusRead, core.StatusSent
		assert.Equal(t, []core.Message{read, theirs, erased}, doc.Conversations[0].Messages, "both members' messages, mine with their status")
		require.Len(t, doc.Reports, 1)
		assert.Equal(t, "rude", doc.Reports[0].Text)
		require.Len(t, doc.Channels, 1, "the channels it owns, not others'")
		assert.Equal(t, created.Title, doc.Channels[0].Channel.Title)
		assert.Equal(t, []core.Post{second, first}, doc.Channels[0].Posts, "with their posts, newest first")
		require.Len(t, doc.Devices, 1, "its notification devices")
		assert.Equal(t, device.Endpoint, doc.Devices[0].Endpoint)
	})
}

// testExportCosts is what exporting a long conversation costs: a read per
// thousand messages, never one per message.
func testExportCosts(t *testing.T, newStore NewMeteredStore) {
	t.Run("ExportsTwoThousandFiveHundredMessagesInPagesOfAThousand", func(t *testing.T) {
		store, meter := newStore(t)
		f := NewFixture(t, func(*testing.T) core.Store { return store })
		archive := &RecordingArchive{}
		f.Service = core.NewService(store, f.Now, f.StampID, core.WithExports(archive.Exports()))
		alice := f.Email("alice")
		MustSeedConversations(t, f, alice, 1, 2500)
		if meter != nil {
			meter.Reset()
		}
		_, err := f.Service.Export(context.Background(), f.Caller(t, alice))
		require.NoError(t, err)
		require.Len(t, archive.Document.Conversations, 1)
		messages := archive.Document.Conversations[0].Messages
		require.Len(t, messages, 2500)
		for i := 1; i < len(messages); i++ {
			require.Less(t, messages[i-1].ID, messages[i].ID, "oldest first, each once")
		}
		if meter != nil {
			// The account item; the contacts; a Query per thousand messages, and
			// the receipts for the pages that do not reach them (the last does);
			// the index of the person's channels (none); the notification
			// devices.
			assert.Equal(t, map[string]int{"GetItem": 1 + 2, "Query": 1 + 3 + 1 + 1}, meter.Counts(), "and the devices")
		}
	})
}
