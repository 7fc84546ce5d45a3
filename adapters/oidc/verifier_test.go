package oidc_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/adapters/oidc/oidctest"
	"github.com/parley-chat/parley/core"
)

const email = "alice@example.com"

func mustVerifier(tb testing.TB, iss *oidctest.Issuer) *oidc.Verifier {
	tb.Helper()
	v, err := oidc.NewVerifier(tb.Context(), iss.Config(), iss.Client())
	require.NoError(tb, err)
	tb.Cleanup(v.Close)
	return v
}

func TestVerify_AcceptsValidIDToken(t *testing.T) {
	iss := oidctest.NewIssuer(t)
	v := mustVerifier(t, iss)

	tests := []struct {
		name string
		opts []oidctest.TokenOption
	}{
		{name: "EmailVerifiedBool"},
		{name: "EmailVerifiedString", opts: []oidctest.TokenOption{oidctest.WithClaim("email_verified", "true")}},
		{name: "NoTokenUse", opts: []oidctest.TokenOption{oidctest.WithoutClaim("token_use")}},
		{name: "AudienceList", opts: []oidctest.TokenOption{oidctest.WithClaim("aud", []string{"other", iss.ClientID})}},
		{name: "ClockSkewWithinLeeway", opts: []oidctest.TokenOption{
			oidctest.WithIssuedAt(time.Now().Add(10 * time.Second)),
			oidctest.WithNotBefore(time.Now().Add(10 * time.Second)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := v.Verify(t.Context(), iss.Token(t, email, tt.opts...))
			require.NoError(t, err)
			assert.Equal(t, email, claims["email"])
			assert.Equal(t, "true", claims["email_verified"])
			assert.Equal(t, iss.URL, claims["iss"])
			assert.Equal(t, oidctest.Subject(email), claims["sub"])
			assert.Regexp(t, `^[0-9]+$`, claims["exp"])
		})
	}
}

func TestVerify_RefusesBadTokens(t *testing.T) {
	iss := oidctest.NewIssuer(t)
	v := mustVerifier(t, iss)

	// The reason proves the intended rule fired, not some accident of the
	// forged token.
	wantReason := map[string]string{
		"AlgNone":                       "signature is invalid",
		"HS256SignedWithPublicKey":      "signature is invalid",
		"WrongIssuer":                   "another issuer",
		"WrongAudience":                 "another client",
		"Expired":                       "expired",
		"NotYetValid":                   "not valid yet",
		"EmailNotVerified":              "not verified",
		"NoEmail":                       "no email",
		"UnknownKID":                    "unknown key",
		"SignedByAnotherKeyWithSameKID": "signature is invalid",
		"AccessToken":                   "not an ID token",
		"TamperedPayload":               "signature is invalid",
	}
	cases := oidctest.BadTokenCases()
	require.Len(t, cases, len(wantReason))
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			token := iss.Token(t, email, tc.Options...)
			claims, err := v.Verify(t.Context(), token)
			require.Error(t, err)
			assert.Nil(t, claims)
			assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
			assert.Contains(t, core.ErrorMessage(err), wantReason[tc.Name])
			assert.NotContains(t, err.Error(), "unknown-kid", "error must not echo token content")
		})
	}

	more := []struct {
		name   string
		token  string
		reason string
	}{
		{name: "Empty", token: "", reason: "No token"},
		{name: "Garbage", token: "not-a-jwt", reason: "malformed"},
		{name: "TooLarge", token: strings.Repeat("a", 20<<10), reason: "too large"},
		{name: "NoKID", token: iss.Token(t, email, oidctest.WithKID("")), reason: "does not name its signing key"},
		{name: "NoExpiry", token: iss.Token(t, email, oidctest.WithoutClaim("exp")), reason: "required claim"},
		{name: "IssuedInTheFuture", token: iss.Token(t, email, oidctest.WithIssuedAt(time.Now().Add(10*time.Minute))), reason: "issued in the future"},
		{name: "IssuerWithTrailingSlash", token: iss.Token(t, email, oidctest.WithClaim("iss", iss.URL+"/")), reason: "another issuer"},
		{name: "NoAudience", token: iss.Token(t, email, oidctest.WithoutClaim("aud")), reason: "required claim"},
		{name: "EmptyEmail", token: iss.Token(t, email, oidctest.WithClaim("email", "")), reason: "no email"},
		{name: "EmailNotAString", token: iss.Token(t, email, oidctest.WithClaim("email", 42)), reason: "no email"},
		{name: "EmailVerifiedMissing", token: iss.Token(t, email, oidctest.WithoutClaim("email_verified")), reason: "not verified"},
		{name: "EmailVerifiedStringFalse", token: iss.Token(t, email, oidctest.WithClaim("email_verified", "false")), reason: "not verified"},
		{name: "TokenUseNotAString", token: iss.Token(t, email, oidctest.WithClaim("token_use", true)), reason: "not an ID token"},
	}
	for _, tt := range more {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tt.token)
			require.Error(t, err)
			assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
			assert.Contains(t, core.ErrorMessage(err), tt.reason)
		})
	}
}

func TestVerify_FollowsKeyRotation(t *testing.T) {
	iss := oidctest.NewIssuer(t)
	v := mustVerifier(t, iss)
	before := iss.Token(t, email)
	_, err := v.Verify(t.Context(), before)
	require.NoError(t, err)
	fetches := iss.JWKSRequests()

	newKID := iss.RotateKey()
	after := iss.Token(t, email)

	claims, err := v.Verify(t.Context(), after)
	require.NoError(t, err, "a token signed by the rotated-in key verifies after one refresh")
	assert.Equal(t, email, claims["email"])
	assert.Equal(t, fetches+1, iss.JWKSRequests())
	assert.Equal(t, newKID, iss.KID())

	_, err = v.Verify(t.Context(), before)
	assert.NoError(t, err, "tokens signed by the old key stay valid while it is published")
}

func TestVerify_IsSafeForConcurrentUse(t *testing.T) {
	iss := oidctest.NewIssuer(t)
	v := mustVerifier(t, iss)
	good := iss.Token(t, email)
	bad := iss.Token(t, email, oidctest.SignedWithOtherKey())

	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			_, err := v.Verify(t.Context(), good)
			assert.NoError(t, err)
			_, err = v.Verify(t.Context(), bad)
			assert.Error(t, err)
		})
	}
	wg.Wait()
}

func TestVerify_RateLimitsRefreshOnUnknownKID(t *testing.T) {
	iss := oidctest.NewIssuer(t)
	v := mustVerifier(t, iss)
	fetches := iss.JWKSRequests()

	for range 5 {
		_, err := v.Verify(t.Context(), iss.Token(t, email, oidctest.WithKID("unknown-kid")))
		require.Error(t, err)
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	}
	assert.Equal(t, fetches+1, iss.JWKSRequests(), "random kids cause at most one refresh per interval")
}

func TestNewVerifier(t *testing.T) {
	t.Run("StartsWhenTheIssuerIsDown", func(t *testing.T) {
		v, err := oidc.NewVerifier(t.Context(), oidc.Config{Issuer: "http://127.0.0.1:1", ClientID: "c"}, nil)
		require.NoError(t, err)
		v.Close()
	})
	t.Run("ErrorWithoutClientID", func(t *testing.T) {
		_, err := oidc.NewVerifier(t.Context(), oidc.Config{Issuer: "https://issuer.example"}, nil)
		assert.ErrorContains(t, err, "client ID")
	})
	t.Run("ErrorWithRelativeIssuer", func(t *testing.T) {
		_, err := oidc.NewVerifier(t.Context(), oidc.Config{Issuer: "issuer.example", ClientID: "c"}, nil)
		assert.Error(t, err)
	})
	t.Run("StopsRefreshingWhenContextEnds", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		iss := oidctest.NewIssuer(t)
		v, err := oidc.NewVerifier(ctx, iss.Config(), iss.Client())
		require.NoError(t, err)
		cancel()
		_, err = v.Verify(t.Context(), iss.Token(t, email))
		assert.NoError(t, err, "the keys fetched at start stay usable")
	})
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantOK  bool
		want    oidc.Config
		wantErr bool
	}{
		{name: "NoIssuerMeansDevelopmentProvider", env: map[string]string{oidc.EnvClientID: "c"}},
		{
			name:   "DefaultJWKSURLIsCognitoLayout",
			env:    map[string]string{oidc.EnvIssuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/", oidc.EnvClientID: "c"},
			wantOK: true,
			want: oidc.Config{
				Issuer:   "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/",
				ClientID: "c",
				JWKSURL:  "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json",
			},
		},
		{
			name:   "ExplicitJWKSURL",
			env:    map[string]string{oidc.EnvIssuer: "https://idp.example", oidc.EnvClientID: "c", oidc.EnvJWKSURL: "https://keys.example/jwks"},
			wantOK: true,
			want:   oidc.Config{Issuer: "https://idp.example", ClientID: "c", JWKSURL: "https://keys.example/jwks"},
		},
		{
			name:    "PlainHTTPIssuerOffLoopbackIsInvalid",
			env:     map[string]string{oidc.EnvIssuer: "http://idp.example", oidc.EnvClientID: "c"},
			wantOK:  true,
			want:    oidc.Config{Issuer: "http://idp.example", ClientID: "c", JWKSURL: "http://idp.example/.well-known/jwks.json"},
			wantErr: true,
		},
		{
			name:    "PlainHTTPJWKSURLOffLoopbackIsInvalid",
			env:     map[string]string{oidc.EnvIssuer: "https://idp.example", oidc.EnvClientID: "c", oidc.EnvJWKSURL: "http://keys.example/jwks"},
			wantOK:  true,
			want:    oidc.Config{Issuer: "https://idp.example", ClientID: "c", JWKSURL: "http://keys.example/jwks"},
			wantErr: true,
		},
		{
			name:   "PlainHTTPOnLoopbackIsValid",
			env:    map[string]string{oidc.EnvIssuer: "http://localhost:8080/dev-oidc", oidc.EnvClientID: "c", oidc.EnvJWKSURL: "http://127.0.0.1:8080/dev-oidc/.well-known/jwks.json"},
			wantOK: true,
			want:   oidc.Config{Issuer: "http://localhost:8080/dev-oidc", ClientID: "c", JWKSURL: "http://127.0.0.1:8080/dev-oidc/.well-known/jwks.json"},
		},
		{
			name:    "IssuerWithoutClientIDIsInvalid",
			env:     map[string]string{oidc.EnvIssuer: "https://idp.example"},
			wantOK:  true,
			want:    oidc.Config{Issuer: "https://idp.example", JWKSURL: "https://idp.example/.well-known/jwks.json"},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{oidc.EnvIssuer, oidc.EnvClientID, oidc.EnvJWKSURL} {
				t.Setenv(k, tt.env[k])
			}
			cfg, ok := oidc.ConfigFromEnv()
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, cfg)
			if ok {
				assert.Equal(t, tt.wantErr, cfg.Validate() != nil)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string
	}{
		{name: "Bearer", header: "Bearer abc.def.ghi", want: "abc.def.ghi"},
		{name: "SchemeIsCaseInsensitive", header: "bearer abc", want: "abc"},
		{name: "SurroundingSpace", header: "  BEARER   abc  ", want: "abc"},
		{name: "ErrMissing", header: ""},
		{name: "ErrBasic", header: "Basic dXNlcjpwYXNz"},
		{name: "ErrNoToken", header: "Bearer"},
		{name: "ErrNoTokenAfterSpace", header: "Bearer  "},
		{name: "ErrTwoTokens", header: "Bearer a b"},
		{name: "ErrTokenWithoutScheme", header: "abc.def.ghi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := oidc.BearerToken(tt.header)
			if tt.want == "" {
				assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFlattenClaims(t *testing.T) {
	got := oidc.FlattenClaims(map[string]any{
		"email":          "a@example.com",
		"email_verified": true,
		"exp":            float64(1735689600),
		"big":            "x",
		"groups":         []any{"admin", "users"},
		"ratio":          0.5,
		"address":        map[string]any{"country": "NL"},
		"nothing":        nil,
	})
	assert.Equal(t, map[string]string{
		"email":          "a@example.com",
		"email_verified": "true",
		"exp":            "1735689600",
		"big":            "x",
		"groups":         "[admin users]",
		"ratio":          "0.5",
		"address":        `{"country":"NL"}`,
		"nothing":        "",
	}, got)
}

func TestFlattenClaims_HugeNumbersKeepTheirExponent(t *testing.T) {
	got := oidc.FlattenClaims(map[string]any{
		"huge": json.Number("1e600000000"),
		"tiny": json.Number("1e-600000000"),
		"big":  json.Number("1.5e20"),
	})
	assert.Equal(t, map[string]string{
		"huge": "1e600000000",
		"tiny": "1e-600000000",
		"big":  "150000000000000000000",
	}, got)
}
