package lambdas

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/emf"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/core"
)

// metricLines decodes the EMF lines written so far into their counts.
func metricLines(t *testing.T, out *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		delete(m, "_aws")
		delete(m, "Function")
		delete(m, "Service")
		lines = append(lines, m)
	}
	out.Reset()
	return lines
}

func TestRequestsAndPushesBecomeMetrics(t *testing.T) {
	var out bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	store := memory.New()
	limit, err := core.NewSendLimit(1, 1)
	require.NoError(t, err)
	config := Config{AllowedOrigin: "https://chat.example.com", Metrics: emf.New(&out, "add-message", time.Now)}
	pusher := pushFunc(func(context.Context, core.Connection, core.Event) error { return nil })
	options := append([]core.Option{core.WithSendBudget(store, limit)}, pushOptions(pusher, logger, config.Metrics)...)
	handler := NewHandler(NewService(store, options...), config, logger)
	ctx := context.Background()
	call := func(route, email, body string) int {
		res, err := handler.Route(route)(ctx, events.APIGatewayV2HTTPRequest{Body: body, RequestContext: events.APIGatewayV2HTTPRequestContext{
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"email": email, "email_verified": "true"}}}}})
		require.NoError(t, err)
		return res.StatusCode
	}
	_, err = NewService(store).Connect(ctx, core.Caller{Email: "bob@example.com"}, "bob-tab")
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, call("add-contact", "alice@example.com", `{"email":"bob@example.com","name":"Bob"}`))
	assert.Empty(t, metricLines(t, &out), "nobody of alice's is connected: nothing pushed")

	require.Equal(t, http.StatusCreated, call("add-message", "alice@example.com", `{"recipientNamespace":"bob@example.com","message":"hi"}`))
	assert.ElementsMatch(t, []map[string]any{
		{"PushesDelivered": 2.0, "PushesGone": 0.0, "PushesFailed": 0.0},
		{"MessagesSent": 1.0},
	}, metricLines(t, &out), "the message and its pushes to bob (message and request)")

	require.Equal(t, http.StatusTooManyRequests, call("add-message", "alice@example.com", `{"recipientNamespace":"bob@example.com","message":"again"}`))
	assert.Equal(t, []map[string]any{{"SendsThrottled": 1.0}}, metricLines(t, &out))

	require.Equal(t, http.StatusOK, call("block-contact", "bob@example.com", `{"email":"alice@example.com"}`))
	metricLines(t, &out)
	require.Equal(t, http.StatusForbidden, call("add-message", "bob@example.com", `{"recipientNamespace":"alice@example.com","message":"x"}`))
	assert.Equal(t, []map[string]any{{"SendsRefusedByBlock": 1.0}}, metricLines(t, &out))
}

type pushFunc func(context.Context, core.Connection, core.Event) error

func (f pushFunc) Disconnect(context.Context, string) error { return nil }

func (f pushFunc) Push(ctx context.Context, c core.Connection, e core.Event) error {
	return f(ctx, c, e)
}

func TestRequestCounts(t *testing.T) {
	for _, tc := range []struct {
		outcome apigateway.Outcome
		want    map[string]int
	}{
		{apigateway.Outcome{Route: "add-message", Status: 201}, map[string]int{emf.MessagesSent: 1}},
		{apigateway.Outcome{Route: "add-message", Status: 200}, nil},
		{apigateway.Outcome{Route: "add-message", Status: 403, Code: core.ESUSPENDED}, map[string]int{emf.SendsRefusedSuspended: 1}},
		{apigateway.Outcome{Route: "get-contacts", Status: 503, Code: core.EUNAVAILABLE}, map[string]int{emf.ServerErrors: 1}},
		{apigateway.Outcome{Route: "get-contacts", Status: 500, Code: core.EINTERNAL}, map[string]int{emf.ServerErrors: 1}},
		{apigateway.Outcome{Route: "add-contact", Status: 400, Code: core.EINVALID}, nil},
	} {
		assert.Equal(t, tc.want, requestCounts(tc.outcome), "%+v", tc.outcome)
	}
}
