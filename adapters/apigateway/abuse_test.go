package apigateway_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/ulid"
	"github.com/parley-chat/parley/core"
)

// TestSendsOverBudgetAndFromSuspendedAccountsAreRefused drives add-message
// through a metered service on a clock that moves only when told.
func TestSendsOverBudgetAndFromSuspendedAccountsAreRefused(t *testing.T) {
	store := memory.New()
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	limit, err := core.NewSendLimit(2, 12) // one send back every 5 s
	require.NoError(t, err)
	service := core.NewService(store, now, ulid.NewGenerator().NewID, core.WithSendBudget(store, limit))
	h := apigateway.NewHandler(service, apigateway.Config{AllowedOrigin: origin}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()
	alice, bob := "alice@example.com", "bob@example.com"
	res, err := h.Route("add-contact")(ctx, event(alice, `{"email":"`+bob+`","name":"Bob"}`))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)

	send := func(clientID string) (int, map[string]string, string) {
		t.Helper()
		res, err := h.Route("add-message")(ctx, event(alice, fmt.Sprintf(`{"recipientNamespace":%q,"message":"hi","clientId":%q}`, bob, clientID)))
		require.NoError(t, err)
		return res.StatusCode, res.Headers, res.Body
	}
	status, _, _ := send("c1")
	require.Equal(t, http.StatusCreated, status)
	status, _, _ = send("c1")
	require.Equal(t, http.StatusOK, status, "a retry of a stored clientId is answered and costs nothing")
	status, _, _ = send("c2")
	require.Equal(t, http.StatusCreated, status)

	clock = clock.Add(2 * time.Second)
	status, headers, body := send("c3")
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "3", headers["Retry-After"], "computed from the bucket: the next send comes back 5 s after the burst")
	assert.Contains(t, headers["Access-Control-Expose-Headers"], "Retry-After", "the SPA may read it cross-origin")
	assert.Contains(t, body, `"code":"throttled"`)

	clock = clock.Add(3 * time.Second)
	status, _, _ = send("c3")
	assert.Equal(t, http.StatusCreated, status)

	require.NoError(t, store.Suspend(ctx, core.Suspension{Email: alice, Reason: "spam", Date: clock}))
	clock = clock.Add(time.Hour)
	status, headers, body = send("c4")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, `"code":"suspended"`)
	assert.Empty(t, headers["Retry-After"], "waiting does not lift a suspension")
}

func TestRetryAfterOfStoreFaults(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		wantStatus int
		wantRetry  string
	}{
		{"Unavailable", core.Errorf(core.EUNAVAILABLE, "The store cannot be reached."), http.StatusServiceUnavailable, "1"},
		{"UnavailableSaysHowLong", &core.Error{Code: core.EUNAVAILABLE, Message: "down", RetryAfter: 2500 * time.Millisecond}, http.StatusServiceUnavailable, "3"},
		{"Throttled", core.Errorf(core.ETHROTTLED, "slow down"), http.StatusTooManyRequests, "1"},
		{"Conflict", core.Errorf(core.ECONFLICT, "lost"), http.StatusConflict, "1"},
		{"NotFoundSaysNothing", core.Errorf(core.ENOTFOUND, "gone"), http.StatusNotFound, ""},
		{"InternalSaysNothing", &core.Error{Code: core.EINTERNAL, Message: "x", RetryAfter: time.Second}, http.StatusInternalServerError, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(failingStore{memory.New(), tc.err}, io.Discard)
			res, err := h.Route("get-contacts")(context.Background(), event("alice@example.com", ""))
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, res.StatusCode)
			assert.Equal(t, tc.wantRetry, res.Headers["Retry-After"])
		})
	}
}

// TestAcksSpendFromTheSendBudget: an ack that moves the watermarks spends a
// send, over the budget /ack answers 429 with Retry-After and the ack frame
// an error frame on the socket, which stays open; an ack that moves nothing
// is answered and spends nothing.
func TestAcksSpendFromTheSendBudget(t *testing.T) {
	store := memory.New()
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	limit, err := core.NewSendLimit(1, 6) // one send back every 10 s
	require.NoError(t, err)
	frames := &recordingPusher{}
	service := core.NewService(store, now, ulid.NewGenerator().NewID, core.WithSendBudget(store, limit), core.WithPusher(frames))
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := apigateway.NewHandler(service, apigateway.Config{AllowedOrigin: origin}, logger)
	ws := apigateway.NewWebSocketHandler(service, claimsVerifier{}, apigateway.Config{AllowedOrigin: origin}, logger)
	ctx := context.Background()
	alice, bob := "alice@example.com", "bob@example.com"
	for _, pair := range [][2]string{{alice, bob}, {bob, alice}} {
		res, err := h.Route("add-contact")(ctx, event(pair[0], `{"email":"`+pair[1]+`","name":"Someone"}`))
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)
	}
	var ids []string
	for range 2 {
		sent, _, err := service.AddMessage(ctx, core.Caller{Email: bob}, core.AddMessageInput{Recipient: alice, Text: "hi"})
		require.NoError(t, err)
		ids = append(ids, sent.ID)
		clock = clock.Add(10 * time.Second)
	}
	ack := func(upTo string) (int, map[string]string, string) {
		t.Helper()
		res, err := h.Route("ack")(ctx, event(alice, fmt.Sprintf(`{"recipientNamespace":%q,"upTo":%q}`, bob, upTo)))
		require.NoError(t, err)
		return res.StatusCode, res.Headers, res.Body
	}

	status, _, body := ack(ids[0])
	require.Equal(t, http.StatusOK, status, body)
	status, headers, body := ack(ids[1])
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "10", headers["Retry-After"])
	assert.Contains(t, body, `"code":"throttled"`)
	status, _, body = ack(ids[0])
	assert.Equal(t, http.StatusOK, status, "an ack that moves nothing spends nothing: %s", body)

	res, err := ws.WebSocketRoute("ws-connect")(ctx, webSocketEvent("conn-1", "", map[string]string{"sec-websocket-protocol": "parley.v1, bearer." + alice}))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	frames.mu.Lock()
	frames.sent = nil
	frames.mu.Unlock()
	res, err = ws.WebSocketRoute("ws-default")(ctx, webSocketEvent("conn-1", fmt.Sprintf(`{"action":"ack","with":%q,"upTo":%q}`, bob, ids[1]), nil))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode, "the connection stays open")
	require.Len(t, frames.sent, 1)
	assert.JSONEq(t, `{"type":"error","code":"throttled","message":"You are sending too fast. Try again in 10 s.","retryAfter":10}`, frames.sent[0])
}
