package apigateway_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/ulid"
	"github.com/parley-chat/parley/core"
)

const origin = "https://chat.example.com"

// failingStore is a memory store whose every call fails with err.
type failingStore struct {
	*memory.Store
	err error
}

func (s failingStore) Contacts(context.Context, string) ([]core.Contact, error) { return nil, s.err }

func (s failingStore) ContactsPage(context.Context, string, string, int) ([]core.Contact, string, error) {
	return nil, "", s.err
}

func newHandler(store core.Store, logs io.Writer) *apigateway.Handler {
	now := func() time.Time { return time.Now().UTC() }
	service := core.NewService(store, now, ulid.NewGenerator().NewID)
	return apigateway.NewHandler(service, apigateway.Config{AllowedOrigin: origin}, slog.New(slog.NewJSONHandler(logs, nil)))
}

func event(email, body string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Body: body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-1",
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: map[string]string{"email": email, "email_verified": "true", "token_use": "id"},
				},
			},
		},
	}
}

func decodeError(t *testing.T, res events.APIGatewayV2HTTPResponse) (code, message string) {
	t.Helper()
	var body struct{ Code, Message string }
	require.NoError(t, json.Unmarshal([]byte(res.Body), &body), res.Body)
	return body.Code, body.Message
}

func TestStoreErrorsBecomeStatusesWithoutInternals(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
	}{
		{"ErrThrottled", core.Errorf(core.ETHROTTLED, "Too many requests; try again shortly."), 429, "throttled"},
		{"ErrConflict", core.Errorf(core.ECONFLICT, "Try again."), 409, "conflict"},
		{"ErrInternalWrapped", fmt.Errorf("query contacts: %w", errors.New("secret-table-name: connection reset")), 500, "internal"},
		{"ErrInternalCoded", core.Errorf(core.EINTERNAL, "secret detail"), 500, "internal"},
		{"ErrUnmappedCode", core.Errorf("no-such-code", "secret detail"), 500, "internal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			h := newHandler(failingStore{memory.New(), tc.err}, &logs)
			res, err := h.Route("get-contacts")(context.Background(), event("alice@example.com", ""))
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, res.StatusCode)
			code, message := decodeError(t, res)
			assert.Equal(t, tc.wantCode, code)
			assert.NotContains(t, res.Body, "secret")
			assert.Equal(t, origin, res.Headers["Access-Control-Allow-Origin"])
			if tc.wantCode == "throttled" {
				assert.Equal(t, "1", res.Headers["Retry-After"])
			}
			if tc.wantCode == "internal" {
				assert.Equal(t, "Internal error.", message)
				assert.Contains(t, logs.String(), "secret", "the log keeps what the body hides")
				assert.Contains(t, logs.String(), `"request_id":"req-1"`)
			}
		})
	}
}

func TestCallerFromClaims(t *testing.T) {
	for _, tc := range []struct {
		name      string
		claims    map[string]string
		wantEmail string
		wantCode  string
	}{
		{"VerifiedIDToken", map[string]string{"email": "Alice@Example.com", "email_verified": "true", "token_use": "id"}, "alice@example.com", ""},
		{"NoTokenUseClaim", map[string]string{"email": "alice@example.com", "email_verified": "true"}, "alice@example.com", ""},
		{"ErrAccessToken", map[string]string{"email": "alice@example.com", "email_verified": "true", "token_use": "access"}, "", core.EUNAUTHORIZED},
		{"ErrEmailNotVerified", map[string]string{"email": "alice@example.com", "email_verified": "false"}, "", core.EUNAUTHORIZED},
		{"ErrNoEmail", map[string]string{"email_verified": "true"}, "", core.EUNAUTHORIZED},
		{"ErrNoClaims", nil, "", core.EUNAUTHORIZED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
			if tc.claims != nil {
				authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
					JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: tc.claims},
				}
			}
			caller, err := apigateway.CallerFromClaims(authorizer)
			assert.Equal(t, tc.wantCode, core.ErrorCode(err))
			assert.Equal(t, tc.wantEmail, caller.Email)
		})
	}
}

func TestRoutesAnswerWithTheContract(t *testing.T) {
	h := newHandler(memory.New(), io.Discard)
	ctx := context.Background()

	res, err := h.Route("add-contact")(ctx, event("alice@example.com", `{"email":"bob@example.com","name":"Bob"}`))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)
	var contact map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.Body), &contact))
	for _, field := range []string{"id", "email", "name", "avatar", "blocked", "request", "lastActivity"} {
		assert.Contains(t, contact, field)
	}
	assert.NotContains(t, contact, "report", "report is absent until one is filed")

	body := base64.StdEncoding.EncodeToString([]byte(`{"recipientNamespace":"bob@example.com","message":"hi","clientId":"c-1"}`))
	req := event("alice@example.com", body)
	req.IsBase64Encoded = true
	res, err = h.Route("add-message")(ctx, req)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)
	res, err = h.Route("add-message")(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode, "a repeated clientId returns the stored message")
	var message map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.Body), &message))
	assert.Equal(t, "c-1", message["clientId"])
	assert.Equal(t, false, message["them"])
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, message["date"])

	res, err = h.Route("get-contacts")(ctx, event("carol@example.com", ""))
	require.NoError(t, err)
	assert.Equal(t, "[]", res.Body, "an empty list is [] not null")
}

func TestEveryRouteHasAHandler(t *testing.T) {
	h := newHandler(memory.New(), io.Discard)
	for _, route := range apigateway.Routes {
		assert.NotPanics(t, func() { h.Route(route.Name) }, route.Name)
	}
	assert.Panics(t, func() { h.Route("no-such-route") })
}
