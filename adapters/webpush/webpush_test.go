package webpush_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/webpush"
	"github.com/parley-chat/parley/adapters/webpush/webpushtest"
	"github.com/parley-chat/parley/core"
)

func newSender(t *testing.T) (*webpush.Sender, *webpushtest.Service) {
	t.Helper()
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	service := webpushtest.New(keys.Public)
	t.Cleanup(service.Close)
	return webpush.New(&http.Client{Timeout: 5 * time.Second}, keys, "https://parley.example.com"), service
}

func subscriptionOf(t *testing.T, sub *webpushtest.Subscription) core.PushSubscription {
	t.Helper()
	p256dh, err := base64.RawURLEncoding.DecodeString(sub.P256dh)
	require.NoError(t, err)
	auth, err := base64.RawURLEncoding.DecodeString(sub.Auth)
	require.NoError(t, err)
	return core.PushSubscription{User: "bob@example.com", Endpoint: sub.Endpoint, P256dh: p256dh, Auth: auth, Previews: true}
}

var notification = core.Notification{
	Type: core.NotifyMessage, With: "alice@example.com", Name: "Alice", Text: "hello", Unread: 2, Tag: "conv:alice@example.com",
}

func TestSendNotification(t *testing.T) {
	ctx := context.Background()

	t.Run("TheBrowserDecryptsTheContractsPayload", func(t *testing.T) {
		sender, service := newSender(t)
		sub, err := service.Subscribe()
		require.NoError(t, err)
		require.NoError(t, sender.SendNotification(ctx, subscriptionOf(t, sub), notification))
		require.Empty(t, service.Refused())
		pushes := service.Pushes(sub)
		require.Len(t, pushes, 1)
		var got map[string]any
		require.NoError(t, json.Unmarshal(pushes[0].Payload, &got))
		assert.Equal(t, map[string]any{
			"type": "message", "with": "alice@example.com", "name": "Alice", "text": "hello", "unread": float64(2), "tag": "conv:alice@example.com",
		}, got)
		assert.Equal(t, "86400", pushes[0].TTL)
		assert.Equal(t, "high", pushes[0].Urgency)
		assert.Len(t, pushes[0].Topic, 32, "one topic per conversation collapses what the service still holds")
	})

	t.Run("NoTextWithoutPreviews", func(t *testing.T) {
		sender, service := newSender(t)
		sub, err := service.Subscribe()
		require.NoError(t, err)
		n := notification
		n.Text = ""
		require.NoError(t, sender.SendNotification(ctx, subscriptionOf(t, sub), n))
		pushes := service.Pushes(sub)
		require.Len(t, pushes, 1)
		assert.NotContains(t, string(pushes[0].Payload), `"text"`)
	})

	t.Run("AnotherKeyIsRefused", func(t *testing.T) {
		_, service := newSender(t)
		other, err := webpush.GenerateKeys()
		require.NoError(t, err)
		sub, err := service.Subscribe()
		require.NoError(t, err)
		err = webpush.New(http.DefaultClient, other, "https://parley.example.com").SendNotification(ctx, subscriptionOf(t, sub), notification)
		require.Error(t, err)
		assert.NotErrorIs(t, err, core.ErrSubscriptionGone)
		assert.Len(t, service.Refused(), 1, "the service checks the signature")
	})

	for _, status := range []int{http.StatusGone, http.StatusNotFound} {
		t.Run("GoneOn"+http.StatusText(status), func(t *testing.T) {
			sender, service := newSender(t)
			sub, err := service.Subscribe()
			require.NoError(t, err)
			service.Answer(sub, status)
			err = sender.SendNotification(ctx, subscriptionOf(t, sub), notification)
			assert.ErrorIs(t, err, core.ErrSubscriptionGone)
		})
	}

	t.Run("RetriesOnTooManyRequestsAndServerErrors", func(t *testing.T) {
		sender, service := newSender(t)
		sub, err := service.Subscribe()
		require.NoError(t, err)
		service.Answer(sub, http.StatusTooManyRequests, http.StatusServiceUnavailable)
		require.NoError(t, sender.SendNotification(ctx, subscriptionOf(t, sub), notification))
		assert.Len(t, service.Pushes(sub), 1)
	})

	t.Run("GivesUpAfterThreeAttempts", func(t *testing.T) {
		sender, service := newSender(t)
		sub, err := service.Subscribe()
		require.NoError(t, err)
		service.Answer(sub, http.StatusInternalServerError, http.StatusInternalServerError, http.StatusInternalServerError)
		err = sender.SendNotification(ctx, subscriptionOf(t, sub), notification)
		require.Error(t, err)
		assert.NotErrorIs(t, err, core.ErrSubscriptionGone)
		require.NoError(t, sender.SendNotification(ctx, subscriptionOf(t, sub), notification), "the fourth request is accepted")
		assert.Len(t, service.Pushes(sub), 1)
	})

	t.Run("NoRetryOfARefusal", func(t *testing.T) {
		sender, service := newSender(t)
		sub, err := service.Subscribe()
		require.NoError(t, err)
		service.Answer(sub, http.StatusRequestEntityTooLarge)
		require.Error(t, sender.SendNotification(ctx, subscriptionOf(t, sub), notification))
		require.NoError(t, sender.SendNotification(ctx, subscriptionOf(t, sub), notification))
		assert.Len(t, service.Pushes(sub), 1, "the refused one was not sent again")
	})
}
