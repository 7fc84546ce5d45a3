package apigateway_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/ulid"
	"github.com/parley-chat/parley/core"
)

// claimsVerifier accepts any token and names its email in the claims.
type claimsVerifier struct{}

func (claimsVerifier) Verify(_ context.Context, token string) (map[string]string, error) {
	return map[string]string{"email": token, "email_verified": "true", "token_use": "id"}, nil
}

func webSocketEvent(connectionID, body string, headers map[string]string) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		Body:           body,
		Headers:        headers,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{ConnectionID: connectionID, RequestID: "req-" + connectionID},
	}
}

// TestWebSocketRoutesLogNoEmailAddresses: the realtime routes log as the
// REST routes do, with no one's address in the line.
func TestWebSocketRoutesLogNoEmailAddresses(t *testing.T) {
	var logs strings.Builder
	now := func() time.Time { return time.Now().UTC() }
	service := core.NewService(memory.New(), now, ulid.NewGenerator().NewID)
	h := apigateway.NewWebSocketHandler(service, claimsVerifier{}, apigateway.Config{AllowedOrigin: origin}, slog.New(slog.NewJSONHandler(&logs, nil)))
	ctx := context.Background()

	res, err := h.WebSocketRoute("ws-connect")(ctx, webSocketEvent("conn-1", "", map[string]string{
		"sec-websocket-protocol": "parley.v1, bearer.alice.private@example.com",
	}))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "parley.v1", res.Headers["Sec-WebSocket-Protocol"])

	res, err = h.WebSocketRoute("ws-default")(ctx, webSocketEvent("conn-1", `{"action":"ack","with":"bob.private@example.com","upTo":"01J00000000000000000000000"}`, nil))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode, "a refused frame is answered on the socket, not with a failed route")

	out := logs.String()
	require.Contains(t, out, `"code":"not_found"`, "the refused ack was logged")
	assert.NotContains(t, out, ".private@")
}

// TestSuspendedAccountsCannotConnectOrType: the handshake of a suspended
// account is refused 403 suspended, and a typing frame over the budget is
// answered on the socket with throttled and when to try again.
func TestSuspendedAccountsCannotConnectOrType(t *testing.T) {
	store := memory.New()
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	limit, err := core.NewSendLimit(1, 6) // one signal back every 10 s
	require.NoError(t, err)
	frames := &recordingPusher{}
	service := core.NewService(store, now, ulid.NewGenerator().NewID, core.WithSendBudget(store, limit), core.WithPusher(frames))
	h := apigateway.NewWebSocketHandler(service, claimsVerifier{}, apigateway.Config{AllowedOrigin: origin}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()
	connect := func(id, email string) events.APIGatewayProxyResponse {
		res, err := h.WebSocketRoute("ws-connect")(ctx, webSocketEvent(id, "", map[string]string{"sec-websocket-protocol": "parley.v1, bearer." + email}))
		require.NoError(t, err)
		return res
	}
	require.Equal(t, http.StatusOK, connect("conn-1", "alice@example.com").StatusCode)
	for _, frame := range []string{`{"action":"typing","to":"bob@example.com"}`, `{"action":"typing","to":"bob@example.com"}`} {
		res, err := h.WebSocketRoute("ws-default")(ctx, webSocketEvent("conn-1", frame, nil))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
	}
	require.Len(t, frames.sent, 1, "the second signal is refused on the socket")
	assert.JSONEq(t, `{"type":"error","code":"throttled","message":"You are sending too fast. Try again in 10 s.","retryAfter":10}`, frames.sent[0])

	require.NoError(t, store.Suspend(ctx, core.Suspension{Email: "bob@example.com", Reason: "spam", Date: clock}))
	res := connect("conn-2", "bob@example.com")
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, res.Body, `"code":"suspended"`)
}

// recordingPusher keeps the frames pushed, rendered as a connection gets them.
type recordingPusher struct {
	mu           sync.Mutex
	sent         []string
	disconnected []string
}

func (p *recordingPusher) Disconnect(_ context.Context, connectionID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disconnected = append(p.disconnected, connectionID)
	return nil
}

func (p *recordingPusher) Push(_ context.Context, c core.Connection, e core.Event) error {
	frame, err := apigateway.EncodeEvent(c.User, e)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, string(frame))
	return nil
}

// expiringVerifier is claimsVerifier with an exp claim at exp.
type expiringVerifier struct{ exp time.Time }

func (v expiringVerifier) Verify(ctx context.Context, token string) (map[string]string, error) {
	claims, err := claimsVerifier{}.Verify(ctx, token)
	claims["exp"] = strconv.FormatInt(v.exp.Unix(), 10)
	return claims, err
}

// TestAConnectionEndsWithItsToken: $connect keeps the token's exp as the
// connection's expiry; past it, a frame is refused with 401 and the
// connection is told it is closed (4001) and closed.
func TestAConnectionEndsWithItsToken(t *testing.T) {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	frames := &recordingPusher{}
	service := core.NewService(memory.New(), now, ulid.NewGenerator().NewID, core.WithPusher(frames))
	h := apigateway.NewWebSocketHandler(service, expiringVerifier{exp: clock.Add(15 * time.Minute)}, apigateway.Config{AllowedOrigin: origin}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()
	res, err := h.WebSocketRoute("ws-connect")(ctx, webSocketEvent("conn-1", "", map[string]string{"sec-websocket-protocol": "parley.v1, bearer.alice@example.com"}))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	ping := func() int {
		t.Helper()
		res, err := h.WebSocketRoute("ws-default")(ctx, webSocketEvent("conn-1", `{"action":"ping"}`, nil))
		require.NoError(t, err)
		return res.StatusCode
	}
	require.Equal(t, http.StatusOK, ping())
	clock = clock.Add(15 * time.Minute)
	frames.sent = nil
	assert.Equal(t, http.StatusUnauthorized, ping())
	require.Len(t, frames.sent, 1)
	assert.JSONEq(t, `{"type":"closing","code":4001,"reason":"connection expired"}`, frames.sent[0])
	assert.Equal(t, []string{"conn-1"}, frames.disconnected)
}
