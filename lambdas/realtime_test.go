package lambdas

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/oidc"
)

// TestOnlyTheConnectLambdaFetchesTheIssuersKeys: $disconnect and $default
// never see a token, so their cold start asks the issuer for nothing, even
// with the issuer configured as it is for every WebSocket function.
func TestOnlyTheConnectLambdaFetchesTheIssuersKeys(t *testing.T) {
	var fetches atomic.Int32
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	t.Cleanup(issuer.Close)
	t.Setenv(oidc.EnvIssuer, issuer.URL)
	t.Setenv(oidc.EnvClientID, "parley-spa")
	t.Setenv(oidc.EnvJWKSURL, issuer.URL+"/jwks.json")

	tests := []struct {
		route          string
		verifiesTokens bool
	}{
		{"ws-connect", true},
		{"ws-disconnect", false},
		{"ws-default", false},
	}
	require.Len(t, apigateway.WebSocketRoutes, len(tests), "every WebSocket route is a case")
	for _, tt := range tests {
		t.Run(tt.route, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			before := fetches.Load()
			verifier, err := webSocketVerifier(ctx, tt.route)
			require.NoError(t, err)
			if !tt.verifiesTokens {
				assert.Equal(t, refuseEveryToken{}, verifier)
				assert.Equal(t, before, fetches.Load(), "no request to the issuer")
				return
			}
			assert.IsType(t, &oidc.Verifier{}, verifier)
			assert.Greater(t, fetches.Load(), before, "the issuer's keys are fetched at cold start")
		})
	}
}
