package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/webpush/webpushtest"
)

// notifyWait bounds the wait for a notification; it only has to come.
const notifyWait = 10 * time.Second

// notifiedLogs is a log handler that keeps what the local server's
// notification worker reported of each message ("notified").
type notifiedLogs struct {
	mu      sync.Mutex
	reports map[string]notifiedReport
	changed chan struct{}
}

type notifiedReport struct {
	Skipped                 bool
	Delivered, Gone, Failed int64
}

func newNotifiedLogs() *notifiedLogs {
	return &notifiedLogs{reports: map[string]notifiedReport{}, changed: make(chan struct{})}
}

func (l *notifiedLogs) Enabled(context.Context, slog.Level) bool { return true }
func (l *notifiedLogs) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *notifiedLogs) WithGroup(string) slog.Handler            { return l }

func (l *notifiedLogs) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "notified" {
		return nil
	}
	var id string
	var report notifiedReport
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "message_id":
			id = a.Value.String()
		case "unsent_id":
			id = "unsent:" + a.Value.String()
		case "skipped":
			report.Skipped = a.Value.Bool()
		case "delivered":
			report.Delivered = a.Value.Int64()
		case "gone":
			report.Gone = a.Value.Int64()
		case "failed":
			report.Failed = a.Value.Int64()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports[id] = report
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

// of waits for the report of the message with id.
func (l *notifiedLogs) of(t *testing.T, id string) notifiedReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), notifyWait)
	defer cancel()
	for {
		l.mu.Lock()
		report, ok := l.reports[id]
		changed := l.changed
		l.mu.Unlock()
		if ok {
			return report
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("message %s was never notified", id)
		}
	}
}

type pushPayload struct {
	Type   string  `json:"type"`
	With   string  `json:"with"`
	Name   string  `json:"name"`
	Text   *string `json:"text"`
	Unread int     `json:"unread"`
	Tag    string  `json:"tag"`
}

func (s *localServer) subscribe(t *testing.T, token string, sub *webpushtest.Subscription, previews bool, wantStatus int) {
	t.Helper()
	s.mustJSON(t, http.MethodPost, "/add-push-subscription", token, map[string]any{
		"endpoint": sub.Endpoint, "keys": map[string]string{"p256dh": sub.P256dh, "auth": sub.Auth}, "previews": previews,
	}, wantStatus, nil)
}

// mustNewDevice is a new browser of pushService's whose subscription for
// token's user is stored, with previews on or off.
func (s *localServer) mustNewDevice(t *testing.T, pushService *webpushtest.Service, token string, previews bool) *webpushtest.Subscription {
	t.Helper()
	sub, err := pushService.Subscribe()
	require.NoError(t, err)
	s.subscribe(t, token, sub, previews, http.StatusCreated)
	return sub
}

// newPushService starts a push service that checks the server's VAPID key,
// which token's GET /push-key answers with.
func (s *localServer) newPushService(t *testing.T, token string) *webpushtest.Service {
	t.Helper()
	var key struct {
		PublicKey string `json:"publicKey"`
	}
	s.mustJSON(t, http.MethodGet, "/push-key", token, nil, http.StatusOK, &key)
	require.Len(t, key.PublicKey, 87, "an uncompressed P-256 point, base64url")
	pushService := webpushtest.New(key.PublicKey)
	t.Cleanup(pushService.Close)
	return pushService
}

func waitForPushes(t *testing.T, service *webpushtest.Service, sub *webpushtest.Subscription, n int) []pushPayload {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), notifyWait)
	defer cancel()
	pushes, err := service.WaitForPushes(ctx, sub, n)
	require.NoError(t, err)
	require.Len(t, pushes, n, "no more than asked for")
	payloads := make([]pushPayload, len(pushes))
	for i, p := range pushes {
		require.NoError(t, json.Unmarshal(p.Payload, &payloads[i]), "%s", p.Payload)
	}
	return payloads
}

// mustAddAliceAndBob makes alice@example.com and bob@example.com, signed in
// as alice and bob, contacts of each other, named Alice and Bob.
func (s *localServer) mustAddAliceAndBob(t *testing.T, alice, bob string) {
	t.Helper()
	s.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, nil)
	s.mustJSON(t, http.MethodPost, "/add-contact", bob, map[string]string{"email": "alice@example.com", "name": "Alice"}, http.StatusCreated, nil)
}

// TestLocalServerNotificationsEndToEnd is Web Push through the local server,
// as make run sends it: real requests to a push service of the test's, which
// checks their VAPID signature and decrypts them with the keys of the
// browser it plays.
func TestLocalServerNotificationsEndToEnd(t *testing.T) {
	logs := newNotifiedLogs()
	s := startServerLogging(t, Config{}, logs)
	alice, bob := s.signIn(t, "alice@example.com"), s.signIn(t, "bob@example.com")
	pushService := s.newPushService(t, bob)
	phone := s.mustNewDevice(t, pushService, bob, true)
	s.subscribe(t, bob, phone, true, http.StatusOK)
	laptop := s.mustNewDevice(t, pushService, bob, false)
	s.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, nil)

	t.Run("AStrangersFirstMessageIsARequest", func(t *testing.T) {
		s.send(t, alice, "bob@example.com", "hello Bob", http.StatusCreated)
		got := waitForPushes(t, pushService, phone, 1)[0]
		assert.Equal(t, "request", got.Type)
		assert.Equal(t, "alice@example.com", got.With)
		assert.Equal(t, "conv:alice@example.com", got.Tag)
		assert.Equal(t, 1, got.Unread)
		require.NotNil(t, got.Text)
		assert.Equal(t, "hello Bob", *got.Text)
		assert.Nil(t, waitForPushes(t, pushService, laptop, 1)[0].Text, "previews off on the laptop")
	})
	s.mustJSON(t, http.MethodPost, "/add-contact", bob, map[string]string{"email": "alice@example.com", "name": "Alice Liddell"}, http.StatusCreated, nil)

	t.Run("NoTabNotifiesEveryDeviceUnderOneTagWithTheUnreadCount", func(t *testing.T) {
		s.send(t, alice, "bob@example.com", "second", http.StatusCreated)
		got := waitForPushes(t, pushService, phone, 2)[1]
		assert.Equal(t, pushPayload{Type: "message", With: "alice@example.com", Name: "Alice Liddell", Text: got.Text, Unread: 2, Tag: "conv:alice@example.com"}, got)
		assert.Equal(t, "second", *got.Text)
		waitForPushes(t, pushService, laptop, 2)
	})

	tab := s.dial(t, bob)
	t.Run("AHiddenTabNotifies", func(t *testing.T) {
		tab.write(map[string]any{"action": "visibility", "visible": false})
		tab.drain()
		m, _ := s.send(t, alice, "bob@example.com", "hidden", http.StatusCreated)
		assert.Equal(t, notifiedReport{Delivered: 2}, logs.of(t, m.ID))
		waitForPushes(t, pushService, phone, 3)
	})

	t.Run("AVisibleTabNotifiesNoDevice", func(t *testing.T) {
		tab.write(map[string]any{"action": "visibility", "visible": true})
		tab.drain()
		m, _ := s.send(t, alice, "bob@example.com", "seen", http.StatusCreated)
		assert.Equal(t, notifiedReport{Skipped: true}, logs.of(t, m.ID))
		assert.Len(t, pushService.Pushes(phone), 3)
		tab.write(map[string]any{"action": "visibility", "visible": false})
		tab.drain()
	})

	t.Run("ABadVisibilityFrameIsRefused", func(t *testing.T) {
		tab.write(map[string]any{"action": "visibility"})
		frames := tab.drain()
		require.Len(t, frames, 1)
		assert.Equal(t, "invalid", frames[0].Code)
	})

	t.Run("NeverAcrossABlock", func(t *testing.T) {
		carol := s.signIn(t, "carol@example.com")
		s.mustJSON(t, http.MethodPost, "/add-contact", carol, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, nil)
		s.mustJSON(t, http.MethodPost, "/block-contact", bob, map[string]string{"email": "carol@example.com"}, http.StatusOK, nil)
		s.send(t, carol, "bob@example.com", "let me in", http.StatusForbidden)
		m, _ := s.send(t, alice, "bob@example.com", "after carol", http.StatusCreated)
		assert.Equal(t, notifiedReport{Delivered: 2}, logs.of(t, m.ID))
		for _, p := range waitForPushes(t, pushService, phone, 4) {
			assert.Equal(t, "alice@example.com", p.With, "nothing from carol")
		}
	})

	t.Run("ASlowOrFailingPushServiceDoesNotHoldASend", func(t *testing.T) {
		release := pushService.Hold()
		defer release()
		for range 3 {
			// Each answers while the push service answers nobody.
			s.send(t, alice, "bob@example.com", "while it hangs", http.StatusCreated)
		}
		release()
		waitForPushes(t, pushService, phone, 7)

		pushService.Answer(phone, http.StatusInternalServerError, http.StatusInternalServerError, http.StatusInternalServerError)
		m, _ := s.send(t, alice, "bob@example.com", "while it fails", http.StatusCreated)
		assert.Equal(t, notifiedReport{Delivered: 1, Failed: 1}, logs.of(t, m.ID))
	})

	t.Run("AGoneSubscriptionIsRemoved", func(t *testing.T) {
		pushService.Answer(laptop, http.StatusGone)
		m, _ := s.send(t, alice, "bob@example.com", "gone", http.StatusCreated)
		assert.Equal(t, notifiedReport{Delivered: 1, Gone: 1}, logs.of(t, m.ID))
		m, _ = s.send(t, alice, "bob@example.com", "after", http.StatusCreated)
		assert.Equal(t, notifiedReport{Delivered: 1}, logs.of(t, m.ID), "only the phone is left")
	})

	t.Run("RemovedDevicesAreNotNotified", func(t *testing.T) {
		s.mustJSON(t, http.MethodPost, "/remove-push-subscription", bob, map[string]string{"endpoint": phone.Endpoint}, http.StatusOK, nil)
		s.mustJSON(t, http.MethodPost, "/remove-push-subscription", bob, map[string]string{"endpoint": phone.Endpoint}, http.StatusOK, nil)
		m, _ := s.send(t, alice, "bob@example.com", "to nobody", http.StatusCreated)
		assert.Equal(t, notifiedReport{Skipped: true}, logs.of(t, m.ID))
	})

	assert.Empty(t, pushService.Refused(), "every request was signed and encrypted right")
}

func TestLocalServerRefusesBadPushSubscriptions(t *testing.T) {
	s := startServer(t, Config{})
	bob := s.signIn(t, "bob@example.com")
	for _, tc := range []struct {
		name, field string
		body        map[string]any
	}{
		{"ErrNotHTTPS", "endpoint", map[string]any{"endpoint": "http://push.example.com/x", "keys": map[string]string{"p256dh": "BA", "auth": "AA"}}},
		{"ErrShortKey", "keys.p256dh", map[string]any{"endpoint": "https://push.example.com/x", "keys": map[string]string{"p256dh": "BAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			}
			s.mustJSON(t, http.MethodPost, "/add-push-subscription", bob, tc.body, http.StatusBadRequest, &e)
			assert.Equal(t, "invalid", e.Code)
			assert.Contains(t, e.Message, tc.field)
		})
	}
}

func TestLocalServerReadingClearsTheNotificationOnEveryDevice(t *testing.T) {
	logs := newNotifiedLogs()
	s := startServerLogging(t, Config{}, logs)
	alice, bob := s.signIn(t, "alice@example.com"), s.signIn(t, "bob@example.com")
	pushService := s.newPushService(t, bob)
	phone, laptop := s.mustNewDevice(t, pushService, bob, true), s.mustNewDevice(t, pushService, bob, false)
	alicesPhone := s.mustNewDevice(t, pushService, alice, true)
	s.mustAddAliceAndBob(t, alice, bob)
	m, _ := s.send(t, alice, "bob@example.com", "read me anywhere", http.StatusCreated)
	assert.Equal(t, notifiedReport{Delivered: 2}, logs.of(t, m.ID))

	t.Run("AReadOnOneDeviceSendsAReadPushToEachOfTheReaders", func(t *testing.T) {
		// Read on a device with no push subscription: only the ack says so.
		s.mustJSON(t, http.MethodPost, "/ack", bob, map[string]any{"recipientNamespace": "alice@example.com", "upTo": m.ID, "read": true}, http.StatusOK, nil)
		for _, device := range []*webpushtest.Subscription{phone, laptop} {
			got := waitForPushes(t, pushService, device, 2)[1]
			assert.Equal(t, pushPayload{Type: "read", With: "alice@example.com", Tag: "conv:alice@example.com"}, got)
			push := pushService.Pushes(device)[1]
			assert.Equal(t, "low", push.Urgency)
			assert.Equal(t, "3600", push.TTL)
			assert.Equal(t, pushService.Pushes(device)[0].Topic, push.Topic, "it replaces the conversation's undelivered notification")
		}
	})

	t.Run("NoReadPushWhenNothingWasUnread", func(t *testing.T) {
		reply, _ := s.send(t, bob, "alice@example.com", "my own", http.StatusCreated)
		assert.Equal(t, notifiedReport{Delivered: 1}, logs.of(t, reply.ID), "alice is told")
		s.mustJSON(t, http.MethodPost, "/ack", bob, map[string]any{"recipientNamespace": "alice@example.com", "upTo": reply.ID, "read": true}, http.StatusOK, nil)
		// A message after the ack: its push comes after any the ack made.
		next, _ := s.send(t, alice, "bob@example.com", "after", http.StatusCreated)
		assert.Equal(t, notifiedReport{Delivered: 2}, logs.of(t, next.ID))
		assert.Equal(t, "message", waitForPushes(t, pushService, phone, 3)[2].Type, "the ack over bob's own message sent nothing")
	})

	assert.Len(t, pushService.Pushes(alicesPhone), 1, "the other member's devices are not told of bob's read")
	assert.Empty(t, pushService.Refused(), "every request was signed and encrypted right")
}

// TestLocalServerUnsendCorrectsTheNotification: a message unsent leaves no
// device showing its text.
func TestLocalServerUnsendCorrectsTheNotification(t *testing.T) {
	logs := newNotifiedLogs()
	s := startServerLogging(t, Config{}, logs)
	alice, bob := s.signIn(t, "alice@example.com"), s.signIn(t, "bob@example.com")
	pushService := s.newPushService(t, bob)
	phone := s.mustNewDevice(t, pushService, bob, true)
	s.mustAddAliceAndBob(t, alice, bob)
	first, _ := s.send(t, alice, "bob@example.com", "first", http.StatusCreated)
	secret, _ := s.send(t, alice, "bob@example.com", "the secret", http.StatusCreated)
	// The worker queue notifies the two at once: in either order.
	var texts []string
	for _, p := range waitForPushes(t, pushService, phone, 2) {
		texts = append(texts, *p.Text)
	}
	assert.ElementsMatch(t, []string{"first", "the secret"}, texts)
	unsend := func(id string) {
		s.mustJSON(t, http.MethodPost, "/delete-message", alice, map[string]string{"recipientNamespace": "bob@example.com", "id": id}, http.StatusOK, nil)
		assert.Equal(t, notifiedReport{Delivered: 1}, logs.of(t, "unsent:"+id))
	}

	unsend(secret.ID)
	got := waitForPushes(t, pushService, phone, 3)[2]
	assert.Equal(t, pushPayload{Type: "unsent", With: "alice@example.com", Name: "Alice", Unread: 1, Tag: "conv:alice@example.com"}, got,
		"the count of what is left, and no text: the newest message is the one unsent")
	assert.Equal(t, pushService.Pushes(phone)[0].Topic, pushService.Pushes(phone)[2].Topic, "it replaces an undelivered notification of the conversation")

	unsend(first.ID)
	got = waitForPushes(t, pushService, phone, 4)[3]
	assert.Equal(t, pushPayload{Type: "read", With: "alice@example.com", Tag: "conv:alice@example.com"}, got, "nothing is left unread: it closes")
	assert.Empty(t, pushService.Refused(), "every request was signed and encrypted right")
}
