package storetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// RecordingWebPusher is a core.WebPusher that records the notifications it
// sends, by endpoint, and answers ErrSubscriptionGone for the endpoints marked
// gone.
type RecordingWebPusher struct {
	recorder[core.Notification]
}

// NewRecordingWebPusher returns a web pusher that has sent nothing yet.
func NewRecordingWebPusher() *RecordingWebPusher { return &RecordingWebPusher{} }

// SendNotification implements core.WebPusher.
func (p *RecordingWebPusher) SendNotification(_ context.Context, sub core.PushSubscription, n core.Notification) error {
	if !p.deliver(sub.Endpoint, n) {
		return fmt.Errorf("send to %s: %w", sub.Endpoint, core.ErrSubscriptionGone)
	}
	return nil
}

// NewSubscriptionInput returns a subscription of a new device of the
// fixture's, with keys of the right sizes.
func (f *Fixture) NewSubscriptionInput(t *testing.T) core.AddPushSubscriptionInput {
	t.Helper()
	p256dh := make([]byte, 65)
	_, err := rand.Read(p256dh)
	require.NoError(t, err)
	p256dh[0] = 0x04
	auth := make([]byte, 16)
	_, err = rand.Read(auth)
	require.NoError(t, err)
	return core.AddPushSubscriptionInput{
		Endpoint: "https://push.example.com/send/" + f.NewID(),
		P256dh:   base64.RawURLEncoding.EncodeToString(p256dh),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}
}

// mustSubscribeWithoutPreviews stores a new device of user's that turned
// previews off, and returns it.
func (f *Fixture) mustSubscribeWithoutPreviews(t *testing.T, user string) core.AddPushSubscriptionInput {
	t.Helper()
	in := f.NewSubscriptionInput(t)
	off := false
	in.Previews = &off
	return f.mustStoreSubscription(t, user, in)
}

// MustSubscribe stores a new device's subscription of user's and returns it.
func (f *Fixture) MustSubscribe(t *testing.T, user string) core.AddPushSubscriptionInput {
	t.Helper()
	return f.mustStoreSubscription(t, user, f.NewSubscriptionInput(t))
}

func (f *Fixture) mustStoreSubscription(t *testing.T, user string, in core.AddPushSubscriptionInput) core.AddPushSubscriptionInput {
	t.Helper()
	created, err := f.Service.AddPushSubscription(context.Background(), f.Caller(t, user), in)
	require.NoError(t, err)
	require.True(t, created)
	return in
}

// mustEndpoints returns the endpoints of user's live subscriptions, in the
// store's order.
func (f *Fixture) mustEndpoints(t *testing.T, user string) []string {
	t.Helper()
	subscriptions, err := f.Store.PushSubscriptions(context.Background(), user, f.Now())
	require.NoError(t, err)
	return endpoints(subscriptions)
}

func endpoints(subscriptions []core.PushSubscription) []string {
	out := []string{}
	for _, s := range subscriptions {
		out = append(out, s.Endpoint)
	}
	return out
}

func testNotifications(t *testing.T, newStore NewStore) {
	t.Run("Subscriptions", func(t *testing.T) { t.Parallel(); testPushSubscriptions(t, newStore) })
	t.Run("Visibility", func(t *testing.T) { t.Parallel(); testVisibility(t, newStore) })
	t.Run("Notify", func(t *testing.T) { t.Parallel(); testNotify(t, newStore) })
	t.Run("NotifyUnsent", func(t *testing.T) { t.Parallel(); testNotifyUnsent(t, newStore) })
}

func testPushSubscriptions(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ManyDevicesPerUser", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		phone, laptop := f.MustSubscribe(t, alice), f.MustSubscribe(t, alice)
		f.MustSubscribe(t, bob)
		subscriptions, err := f.Store.PushSubscriptions(ctx, alice, f.Now())
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{phone.Endpoint, laptop.Endpoint}, endpoints(subscriptions))
		for _, s := range subscriptions {
			assert.Equal(t, alice, s.User)
			assert.Len(t, s.P256dh, 65)
			assert.Len(t, s.Auth, 16)
			assert.True(t, s.Previews, "previews are on unless turned off")
		}
	})

	t.Run("TheSameEndpointAgainIsUpdatedNotDuplicated", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		in := f.MustSubscribe(t, alice)
		off := false
		in.Previews = &off
		created, err := f.Service.AddPushSubscription(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		assert.False(t, created)
		subscriptions, err := f.Store.PushSubscriptions(ctx, alice, f.Now())
		require.NoError(t, err)
		require.Len(t, subscriptions, 1)
		assert.False(t, subscriptions[0].Previews)
	})

	t.Run("RemoveForgetsOnlyThatDevice", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		phone, laptop := f.MustSubscribe(t, alice), f.MustSubscribe(t, alice)
		require.NoError(t, f.Service.RemovePushSubscription(ctx, f.Caller(t, alice), phone.Endpoint))
		require.NoError(t, f.Service.RemovePushSubscription(ctx, f.Caller(t, alice), phone.Endpoint), "removing it again is no error")
		require.NoError(t, f.Service.RemovePushSubscription(ctx, f.Caller(t, f.Email("mallory")), laptop.Endpoint), "nobody else removes it")
		assert.Equal(t, []string{laptop.Endpoint}, f.mustEndpoints(t, alice))
	})

	t.Run("ExpiresWhenNotRefreshed", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		forgotten, refreshed := f.MustSubscribe(t, alice), f.MustSubscribe(t, alice)
		f.Advance(core.SubscriptionLifetime - time.Hour)
		_, err := f.Service.AddPushSubscription(ctx, f.Caller(t, alice), refreshed)
		require.NoError(t, err)
		f.Advance(2 * time.Hour)
		assert.Equal(t, []string{refreshed.Endpoint}, f.mustEndpoints(t, alice))
		created, err := f.Service.AddPushSubscription(ctx, f.Caller(t, alice), forgotten)
		require.NoError(t, err)
		assert.True(t, created, "an expired subscription stored again is a new one")
	})

	t.Run("BadSubscriptionsAreRefusedAndStoreNothing", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		good := f.NewSubscriptionInput(t)
		for _, tc := range []struct {
			name  string
			field string
			edit  func(in *core.AddPushSubscriptionInput)
		}{
			{"ErrHTTPEndpoint", "endpoint", func(in *core.AddPushSubscriptionInput) { in.Endpoint = "http://push.example.com/x" }},
			{"ErrLoopbackWithoutTheLocalServer", "endpoint", func(in *core.AddPushSubscriptionInput) { in.Endpoint = "http://127.0.0.1:9/x" }},
			{"ErrRelativeEndpoint", "endpoint", func(in *core.AddPushSubscriptionInput) { in.Endpoint = "/push" }},
			{"ErrNoEndpoint", "endpoint", func(in *core.AddPushSubscriptionInput) { in.Endpoint = "" }},
			{"ErrShortP256dh", "keys.p256dh", func(in *core.AddPushSubscriptionInput) { in.P256dh = in.P256dh[:40] }},
			{"ErrP256dhNotBase64url", "keys.p256dh", func(in *core.AddPushSubscriptionInput) { in.P256dh = "***" }},
			{"ErrCompressedP256dh", "keys.p256dh", func(in *core.AddPushSubscriptionInput) { in.P256dh = "A" + in.P256dh[1:] }},
			{"ErrLongAuth", "keys.auth", func(in *core.AddPushSubscriptionInput) { in.Auth += "AAAA" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := good
				tc.edit(&in)
				_, err := f.Service.AddPushSubscription(ctx, f.Caller(t, alice), in)
				require.Error(t, err)
				assert.Equal(t, core.EINVALID, core.ErrorCode(err))
				var e *core.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tc.field, e.Field)
			})
		}
		assert.Empty(t, f.mustEndpoints(t, alice))
	})

	t.Run("TheLocalServerAcceptsLoopbackPushServices", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		service := core.NewService(f.Store, f.Now, f.StampID, core.WithLoopbackPushEndpoints())
		for _, endpoint := range []string{"http://127.0.0.1:8999/push/a", "http://localhost:8999/push/b"} {
			in := f.NewSubscriptionInput(t)
			in.Endpoint = endpoint
			_, err := service.AddPushSubscription(ctx, f.Caller(t, alice), in)
			require.NoError(t, err, endpoint)
		}
		in := f.NewSubscriptionInput(t)
		in.Endpoint = "http://push.example.com/c"
		_, err := service.AddPushSubscription(ctx, f.Caller(t, alice), in)
		assert.Equal(t, core.EINVALID, core.ErrorCode(err), "only loopback may be plain http")
	})
}

func testVisibility(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("AConnectionSaysWhetherItsTabIsVisible", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		tab, other := f.MustConnect(t, alice), f.MustConnect(t, alice)
		require.NoError(t, f.Service.SetVisibility(ctx, tab, true))
		visible := func() map[string]bool {
			connections, err := f.Store.Connections(ctx, alice, f.Now())
			require.NoError(t, err)
			out := map[string]bool{}
			for _, c := range connections {
				out[c.ID] = c.Visible
			}
			return out
		}
		assert.Equal(t, map[string]bool{tab.ID: true, other.ID: false}, visible(), "a connection that said nothing is not visible")
		require.NoError(t, f.Service.SetVisibility(ctx, tab, false))
		assert.Equal(t, map[string]bool{tab.ID: false, other.ID: false}, visible())
	})

	t.Run("AGoneConnectionIsNotRegisteredAgain", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		tab := f.MustConnect(t, alice)
		require.NoError(t, f.Service.Disconnect(ctx, tab.ID))
		require.NoError(t, f.Service.SetVisibility(ctx, tab, true))
		assert.Empty(t, f.mustConnectionIDs(t, alice))
	})
}

// notifyFixture is a fixture whose sends are notified through a recording
// web pusher, as the local server does after each send.
type notifyFixture struct {
	*Fixture
	WebPusher *RecordingWebPusher
	notifier  *core.Notifier
	service   *core.Service
	mu        sync.Mutex
	sent      []core.Message
	read      []core.ConversationRead
	unsent    []core.Message
}

// newNotifyFixture returns a notify fixture and the addresses of alice and
// bob, the two people of every notify case.
func newNotifyFixture(t *testing.T, newStore NewStore) (f *notifyFixture, alice, bob string) {
	f = &notifyFixture{Fixture: NewFixture(t, newStore), WebPusher: NewRecordingWebPusher()}
	f.notifier = core.NewNotifier(f.Store, f.WebPusher, f.Now, nil)
	f.service = core.NewService(f.Store, f.Now, f.StampID, core.WithSentMessages(func(m core.Message) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.sent = append(f.sent, m)
	}), core.WithReadConversations(func(r core.ConversationRead) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.read = append(f.read, r)
	}), core.WithUnsentMessages(func(m core.Message) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.unsent = append(f.unsent, m)
	}))
	return f, f.Email("alice"), f.Email("bob")
}

// ack acknowledges, as reader, the messages from with up to upTo as read,
// and notifies what the service handed over as read (as the local server's
// worker, or the function on the stream, does after the ack): how many
// reads it handed over.
func (f *notifyFixture) ack(t *testing.T, reader, with, upTo string) int {
	t.Helper()
	f.mu.Lock()
	before := len(f.read)
	f.mu.Unlock()
	_, err := f.service.Ack(context.Background(), f.Caller(t, reader), core.AckInput{With: with, UpTo: upTo, Read: true}, "")
	require.NoError(t, err)
	f.mu.Lock()
	read := slices.Clone(f.read[before:])
	f.mu.Unlock()
	for _, r := range read {
		_, err := f.notifier.NotifyRead(context.Background(), r)
		require.NoError(t, err)
	}
	return len(read)
}

// send sends text from sender to recipient and notifies it, as the local
// server's worker (or the function on the stream) does after the send.
func (f *notifyFixture) send(t *testing.T, sender, recipient, text string) core.NotifyReport {
	t.Helper()
	_, created, err := f.service.AddMessage(context.Background(), f.Caller(t, sender), core.AddMessageInput{Recipient: recipient, Text: text})
	require.NoError(t, err)
	require.True(t, created)
	f.mu.Lock()
	m := f.sent[len(f.sent)-1]
	f.mu.Unlock()
	assert.Equal(t, text, m.Text, "the service hands over each message it stored")
	report, err := f.notifier.Notify(context.Background(), m)
	require.NoError(t, err)
	return report
}

// unsend unsends, as sender, message m, and notifies what the service
// handed over as unsent (as the local server's worker, or the function on
// the stream, does after the unsend): how many it handed over.
func (f *notifyFixture) unsend(t *testing.T, m core.Message) int {
	t.Helper()
	f.mu.Lock()
	before := len(f.unsent)
	f.mu.Unlock()
	_, err := f.service.DeleteMessage(context.Background(), f.Caller(t, m.Sender), core.DeleteMessageInput{With: m.Recipient, ID: m.ID})
	require.NoError(t, err)
	f.mu.Lock()
	unsent := slices.Clone(f.unsent[before:])
	f.mu.Unlock()
	for _, u := range unsent {
		assert.True(t, u.Deleted, "the service hands over the message erased")
		assert.Empty(t, u.Text)
		_, err := f.notifier.NotifyUnsent(context.Background(), u)
		require.NoError(t, err)
	}
	return len(unsent)
}

// testNotifyUnsent holds notifications to an unsend: no device keeps
// showing a message its sender unsent.
func testNotifyUnsent(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// sent are the texts alice sends bob, unsent the index of the one she
		// unsends after before, which bob does first.
		sent   []string
		unsent int
		before func(t *testing.T, f *notifyFixture, alice, bob string, sent []core.Message)
		// want is what bob's device is told of the unsend; Name and With are
		// alice's, Tag her conversation's.
		want core.Notification
	}{
		{
			name: "TheNewestUnreadLeavesTheCountAndNoText", sent: []string{"one", "two"}, unsent: 1,
			want: core.Notification{Type: core.NotifyUnsent, Unread: 1},
		},
		{
			name: "AnOlderUnreadLeavesTheNewestText", sent: []string{"one", "two"}, unsent: 0,
			want: core.Notification{Type: core.NotifyUnsent, Unread: 1, Text: "two"},
		},
		{
			name: "TheOnlyUnreadClosesIt", sent: []string{"one"}, unsent: 0,
			want: core.Notification{Type: core.NotifyRead},
		},
		{
			name: "OneReadAlreadyClosesIt", sent: []string{"one", "two"}, unsent: 1,
			before: func(t *testing.T, f *notifyFixture, alice, bob string, sent []core.Message) {
				f.ack(t, bob, alice, sent[1].ID)
			},
			want: core.Notification{Type: core.NotifyRead},
		},
		{
			name: "AcrossABlockClosesIt", sent: []string{"one", "two"}, unsent: 0,
			before: func(t *testing.T, f *notifyFixture, alice, bob string, _ []core.Message) {
				_, err := f.Service.BlockContact(ctx, f.Caller(t, bob), alice)
				require.NoError(t, err)
			},
			want: core.Notification{Type: core.NotifyRead},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, alice, bob := newNotifyFixture(t, newStore)
			f.MustAddEachOther(t, alice, bob)
			phone := f.MustSubscribe(t, bob)
			var sent []core.Message
			for _, text := range tc.sent {
				f.send(t, alice, bob, text)
				sent = append(sent, f.sent[len(f.sent)-1])
			}
			if tc.before != nil {
				tc.before(t, f, alice, bob, sent)
			}
			before := len(f.WebPusher.To(phone.Endpoint))
			assert.Equal(t, 1, f.unsend(t, sent[tc.unsent]))
			want := tc.want
			want.With, want.Tag = alice, "conv:"+alice
			if want.Type == core.NotifyUnsent {
				want.Name = "Name of " + alice
			}
			assert.Equal(t, []core.Notification{want}, f.WebPusher.To(phone.Endpoint)[before:])
			assert.Zero(t, f.unsend(t, sent[tc.unsent]), "unsending it again hands nothing over")
		})
	}

	t.Run("PreviewsOffSendNoText", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		in := f.mustSubscribeWithoutPreviews(t, bob)
		f.send(t, alice, bob, "one")
		first := f.sent[len(f.sent)-1]
		f.send(t, alice, bob, "two")
		f.unsend(t, first)
		sent := f.WebPusher.To(in.Endpoint)
		require.Len(t, sent, 3)
		assert.Equal(t, core.NotifyUnsent, sent[2].Type)
		assert.Empty(t, sent[2].Text)
	})

	t.Run("AVisibleTabStillCorrectsTheOtherDevices", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		phone := f.MustSubscribe(t, bob)
		f.send(t, alice, bob, "one")
		first := f.sent[len(f.sent)-1]
		f.send(t, alice, bob, "two")
		require.NoError(t, f.Service.SetVisibility(ctx, f.MustConnect(t, bob), true))
		f.unsend(t, first)
		sent := f.WebPusher.To(phone.Endpoint)
		require.Len(t, sent, 3)
		assert.Equal(t, core.Notification{Type: core.NotifyUnsent, With: alice, Name: "Name of " + alice, Text: "two", Unread: 1, Tag: "conv:" + alice}, sent[2])
	})

	t.Run("NoSubscriptionSkips", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		m := f.MustSend(t, alice, bob, "one")
		report, err := f.notifier.NotifyUnsent(ctx, m.Erased())
		require.NoError(t, err)
		assert.Equal(t, core.NotifyReport{Skipped: true}, report)
	})
}

func testNotify(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("NoTabNotifiesEveryDevice", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		phone, laptop := f.MustSubscribe(t, bob), f.MustSubscribe(t, bob)
		report := f.send(t, alice, bob, "hello Bob")
		assert.Equal(t, core.NotifyReport{Delivered: 2}, report)
		want := core.Notification{
			Type: core.NotifyMessage, With: alice, Name: "Name of " + alice, Text: "hello Bob", Unread: 1, Tag: "conv:" + alice,
		}
		assert.Equal(t, []core.Notification{want}, f.WebPusher.To(phone.Endpoint))
		assert.Equal(t, []core.Notification{want}, f.WebPusher.To(laptop.Endpoint))
	})

	t.Run("ReadingClearsTheNotificationOnEveryDeviceOfTheReader", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		phone, laptop, alices := f.MustSubscribe(t, bob), f.MustSubscribe(t, bob), f.MustSubscribe(t, alice)
		f.send(t, alice, bob, "one")
		f.send(t, alice, bob, "two")
		last := f.sent[len(f.sent)-1]
		assert.Equal(t, 1, f.ack(t, bob, alice, last.ID))
		read := core.Notification{Type: core.NotifyRead, With: alice, Tag: "conv:" + alice}
		for _, device := range []core.AddPushSubscriptionInput{phone, laptop} {
			sent := f.WebPusher.To(device.Endpoint)
			require.Len(t, sent, 3)
			assert.Equal(t, read, sent[2])
		}
		assert.Empty(t, f.WebPusher.To(alices.Endpoint), "the sender has nothing to clear")
		assert.Zero(t, f.ack(t, bob, alice, last.ID), "an ack that moves nothing clears nothing")
	})

	t.Run("ReadingWithNothingUnreadClearsNothing", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		phone := f.MustSubscribe(t, bob)
		f.send(t, alice, bob, "one")
		assert.Equal(t, 1, f.ack(t, bob, alice, f.sent[0].ID))
		f.send(t, bob, alice, "my own reply")
		assert.Zero(t, f.ack(t, bob, alice, f.sent[1].ID), "the watermark moved over bob's own message only")
		assert.Len(t, f.WebPusher.To(phone.Endpoint), 2, "a message, a read")
	})

	t.Run("TheSecondMessageCarriesTheUnreadCountUnderTheSameTag", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		phone := f.MustSubscribe(t, bob)
		f.send(t, alice, bob, "one")
		f.send(t, alice, bob, "two")
		sent := f.WebPusher.To(phone.Endpoint)
		require.Len(t, sent, 2)
		assert.Equal(t, sent[0].Tag, sent[1].Tag)
		assert.Equal(t, []int{1, 2}, []int{sent[0].Unread, sent[1].Unread})
	})

	t.Run("AHiddenTabStillNotifies", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddContact(t, alice, bob)
		phone := f.MustSubscribe(t, bob)
		hidden, silent := f.MustConnect(t, bob), f.MustConnect(t, bob)
		require.NoError(t, f.Service.SetVisibility(ctx, hidden, true))
		require.NoError(t, f.Service.SetVisibility(ctx, hidden, false))
		_ = silent
		assert.Equal(t, core.NotifyReport{Delivered: 1}, f.send(t, alice, bob, "hi"))
		assert.Len(t, f.WebPusher.To(phone.Endpoint), 1)
	})

	t.Run("AVisibleTabNotifiesNoDevice", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddContact(t, alice, bob)
		phone := f.MustSubscribe(t, bob)
		f.MustConnect(t, bob)
		visible := f.MustConnect(t, bob)
		require.NoError(t, f.Service.SetVisibility(ctx, visible, true))
		assert.Equal(t, core.NotifyReport{Skipped: true}, f.send(t, alice, bob, "hi"))
		assert.Empty(t, f.WebPusher.To(phone.Endpoint))
	})

	t.Run("NeverAcrossABlock", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name    string
			blocker func(alice, bob string) (owner, blocked string)
		}{
			{"TheRecipientBlockedTheSender", func(alice, bob string) (string, string) { return bob, alice }},
			{"TheSenderBlockedTheRecipient", func(alice, bob string) (string, string) { return alice, bob }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				f, alice, bob := newNotifyFixture(t, newStore)
				f.MustAddEachOther(t, alice, bob)
				phone := f.MustSubscribe(t, bob)
				sent := f.MustSend(t, alice, bob, "sent before the block")
				owner, blocked := tc.blocker(alice, bob)
				_, err := f.Service.BlockContact(ctx, f.Caller(t, owner), blocked)
				require.NoError(t, err)
				// The stream delivers the message after the block.
				report, err := f.notifier.Notify(ctx, sent)
				require.NoError(t, err)
				assert.Equal(t, core.NotifyReport{Skipped: true}, report)
				assert.Empty(t, f.WebPusher.To(phone.Endpoint))
			})
		}
	})

	t.Run("AStrangersFirstMessageNotifiesAsARequest", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddContact(t, alice, bob)
		phone := f.MustSubscribe(t, bob)
		f.send(t, alice, bob, "hello stranger")
		sent := f.WebPusher.To(phone.Endpoint)
		require.Len(t, sent, 1)
		assert.Equal(t, core.NotifyRequest, sent[0].Type)
		assert.Equal(t, "conv:"+alice, sent[0].Tag)
		assert.Equal(t, 1, sent[0].Unread)
		assert.NotEmpty(t, sent[0].Name)
	})

	t.Run("PreviewsOffSendNoText", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddEachOther(t, alice, bob)
		in := f.mustSubscribeWithoutPreviews(t, bob)
		f.send(t, alice, bob, "a secret")
		sent := f.WebPusher.To(in.Endpoint)
		require.Len(t, sent, 1)
		assert.Empty(t, sent[0].Text)
		assert.Equal(t, "Name of "+alice, sent[0].Name)
	})

	t.Run("ALongTextIsCutToItsStart", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddContact(t, alice, bob)
		phone := f.MustSubscribe(t, bob)
		long := ""
		for len([]rune(long)) < 2*core.MaxPreviewRunes {
			long += "é"
		}
		f.send(t, alice, bob, long)
		sent := f.WebPusher.To(phone.Endpoint)
		require.Len(t, sent, 1)
		assert.Equal(t, string([]rune(long)[:core.MaxPreviewRunes]), sent[0].Text)
	})

	t.Run("AGoneSubscriptionIsRemoved", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddContact(t, alice, bob)
		phone, laptop := f.MustSubscribe(t, bob), f.MustSubscribe(t, bob)
		f.WebPusher.MarkGone(phone.Endpoint)
		assert.Equal(t, core.NotifyReport{Delivered: 1, Gone: 1}, f.send(t, alice, bob, "hi"))
		assert.Equal(t, []string{laptop.Endpoint}, f.mustEndpoints(t, bob))
	})

	t.Run("NoSubscriptionReadsNothingMore", func(t *testing.T) {
		t.Parallel()
		f, alice, bob := newNotifyFixture(t, newStore)
		f.MustAddContact(t, alice, bob)
		assert.Equal(t, core.NotifyReport{Skipped: true}, f.send(t, alice, bob, "hi"))
	})
}
