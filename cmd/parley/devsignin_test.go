package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/oidc"
)

// TestDevelopmentSignInBeyondLoopbackIsRefusedUnlessForced: the server does
// not start (nor listen) on a reachable address with the development
// sign-in, unless PARLEY_DEV_SIGNIN_ANY_HOST=1 says so or a real issuer is set.
func TestDevelopmentSignInBeyondLoopbackIsRefusedUnlessForced(t *testing.T) {
	for _, tc := range []struct {
		name    string
		config  Config
		wantErr bool
	}{
		{"ErrAnyAddress", Config{Host: "0.0.0.0"}, true},
		{"ErrIPv6AnyAddress", Config{Host: "::"}, true},
		{"ErrLANAddress", Config{Host: "192.168.1.20"}, true},
		{"ErrHostName", Config{Host: "parley.internal"}, true},
		{"Loopback", Config{Host: "127.0.0.1"}, false},
		{"LoopbackIPv6", Config{Host: "::1"}, false},
		{"Localhost", Config{Host: "localhost"}, false},
		{"Forced", Config{Host: "0.0.0.0", DevSignInAnyHost: true}, false},
		{"RealIssuer", Config{Host: "0.0.0.0", OIDC: oidc.Config{Issuer: "https://issuer.example.com", ClientID: "spa"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.config.checkDevSignInReach()
			if !tc.wantErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), EnvDevSignInAnyHost, "the error says how to force it")
			runErr := Run(context.Background(), tc.config, slog.New(slog.NewJSONHandler(io.Discard, nil)), nil)
			assert.Equal(t, err, runErr, "Run refuses before it listens")
		})
	}

	t.Setenv(EnvDevSignInAnyHost, "1")
	config, err := ConfigFromEnv()
	require.NoError(t, err)
	assert.True(t, config.DevSignInAnyHost)
}
