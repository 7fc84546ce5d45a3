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

// TestEveryFrameSpendsFromTheFrameBudget: every /ack (moving or not), every
// ack frame, ping and unreadable frame spends one frame of the caller's
// frame budget, and sends stay untouched by them; over it /ack answers 429
// with Retry-After and a frame an error frame with retryAfter on the socket,
// which stays open.
func TestEveryFrameSpendsFromTheFrameBudget(t *testing.T) {
	store := memory.New()
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	frameLimit, err := core.NewFrameLimit(3, 6) // three at once, then one back every 10 s
	require.NoError(t, err)
	frames := &recordingPusher{}
	service := core.NewService(store, now, ulid.NewGenerator().NewID,
		core.WithSendBudget(store, core.DefaultSendLimit()), core.WithFrameLimit(frameLimit), core.WithPusher(frames))
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
	sent, _, err := service.AddMessage(ctx, core.Caller{Email: bob}, core.AddMessageInput{Recipient: alice, Text: "hi"})
	require.NoError(t, err)
	ack := func() (int, map[string]string, string) {
		t.Helper()
		res, err := h.Route("ack")(ctx, event(alice, fmt.Sprintf(`{"recipientNamespace":%q,"upTo":%q}`, bob, sent.ID)))
		require.NoError(t, err)
		return res.StatusCode, res.Headers, res.Body
	}
	status, _, body := ack()
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = ack()
	require.Equal(t, http.StatusOK, status, "an ack that moves nothing is answered: %s", body)

	res, err := ws.WebSocketRoute("ws-connect")(ctx, webSocketEvent("conn-1", "", map[string]string{"sec-websocket-protocol": "parley.v1, bearer." + alice}))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	frame := func(body string) string {
		t.Helper()
		frames.mu.Lock()
		frames.sent = nil
		frames.mu.Unlock()
		res, err := ws.WebSocketRoute("ws-default")(ctx, webSocketEvent("conn-1", body, nil))
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.StatusCode, "the connection stays open")
		require.Len(t, frames.sent, 1)
		return frames.sent[0]
	}
	assert.JSONEq(t, `{"type":"pong"}`, frame(`{"action":"ping"}`), "the third frame")

	throttled := `{"type":"error","code":"throttled","message":"You are sending too fast. Try again in 10 s.","retryAfter":10}`
	status, headers, body := ack()
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "10", headers["Retry-After"])
	assert.Contains(t, body, `"code":"throttled"`)
	assert.JSONEq(t, throttled, frame(`{"action":"ping"}`))
	assert.JSONEq(t, throttled, frame(fmt.Sprintf(`{"action":"ack","with":%q,"upTo":%q}`, bob, sent.ID)))
	assert.JSONEq(t, throttled, frame(`not json`), "a frame that cannot be read spends too")
	assert.JSONEq(t, throttled, frame(`{"action":"visibility","visible":true}`), "a visibility change spends too")
	connection, err := store.Connection(ctx, "conn-1", clock)
	require.NoError(t, err)
	assert.False(t, connection.Visible, "a refused visibility frame writes nothing")

	_, _, err = service.AddMessage(ctx, core.Caller{Email: alice}, core.AddMessageInput{Recipient: bob, Text: "sends are a budget of their own"})
	require.NoError(t, err)
	clock = clock.Add(10 * time.Second)
	assert.JSONEq(t, `{"type":"pong"}`, frame(`{"action":"ping"}`), "one frame back after 10 s")
}
