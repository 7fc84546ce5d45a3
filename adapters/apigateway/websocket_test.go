package apigateway_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
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
	service := core.NewService(memory.New(), now, ulid.NewGenerator(now).NewID)
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
