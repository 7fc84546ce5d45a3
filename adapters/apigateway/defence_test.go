package apigateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/ulid"
	"github.com/parley-chat/parley/core"
)

// TestLogsCarryNoEmailAddresses: neither the caller's address nor anyone
// else's reaches a log line, refused or failed requests included.
func TestLogsCarryNoEmailAddresses(t *testing.T) {
	var logs strings.Builder
	h := newHandler(memory.New(), &logs)
	ctx := context.Background()
	for _, tc := range []struct{ route, body string }{
		{"add-contact", `{"email":"bob.private@example.com","name":"Bob"}`},
		{"add-message", `{"recipientNamespace":"carol.private@example.com","message":"hi"}`},
		{"unblock-contact", `{"email":"dave.private@example.com"}`},
		{"report-contact", `{"email":"erin.private@example.com","report":"spam"}`},
	} {
		_, err := h.Route(tc.route)(ctx, event("alice.private@example.com", tc.body))
		require.NoError(t, err)
	}
	failing := newHandler(failingStore{memory.New(), fmt.Errorf("contacts of alice.private@example.com: %w", errors.New("secret-cause"))}, &logs)
	_, err := failing.Route("get-contacts")(ctx, event("alice.private@example.com", ""))
	require.NoError(t, err)

	out := logs.String()
	require.Contains(t, out, `"code":"not_found"`, "the refusals were logged")
	require.Contains(t, out, "secret-cause", "the failure was logged")
	assert.NotContains(t, out, ".private@")
	assert.Contains(t, out, "[email]")
}

// TestClaimsMustNameTheConfiguredIssuerAndAudience is the Lambdas' check
// behind the JWT authorizer (PARLEY_OIDC_ISSUER, PARLEY_OIDC_CLIENT_ID).
func TestClaimsMustNameTheConfiguredIssuerAndAudience(t *testing.T) {
	const issuer, audience = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_pool", "spa-client"
	now := func() time.Time { return time.Now().UTC() }
	service := core.NewService(memory.New(), now, ulid.NewGenerator().NewID)
	h := apigateway.NewHandler(service, apigateway.Config{AllowedOrigin: origin, Issuer: issuer, Audience: audience}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	for _, tc := range []struct {
		name, iss, aud string
		want           int
	}{
		{"Configured", issuer, audience, http.StatusOK},
		{"AudienceInAList", issuer, "[other " + audience + "]", http.StatusOK},
		{"ErrOtherIssuer", "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_evil", audience, http.StatusUnauthorized},
		{"ErrNoIssuer", "", audience, http.StatusUnauthorized},
		{"ErrOtherAudience", issuer, "other-client", http.StatusUnauthorized},
		{"ErrAudiencePrefix", issuer, "spa-client-2", http.StatusUnauthorized},
		{"ErrNoAudience", issuer, "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := event("alice@example.com", "")
			claims := req.RequestContext.Authorizer.JWT.Claims
			if tc.iss != "" {
				claims["iss"] = tc.iss
			}
			if tc.aud != "" {
				claims["aud"] = tc.aud
			}
			res, err := h.Route("get-contacts")(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.StatusCode, res.Body)
		})
	}
}
