// Package devoidc is the development OpenID provider of the local server: a
// sign-in page where you type any email address, the authorization code flow
// with PKCE (S256), discovery, a JWKS and real RS256 ID tokens (signed,
// published and discovered by adapters/oidc/oidckeys, as the test issuer's
// are), so the SPA and the API run locally exactly as they do against Cognito. It accepts any email
// address without a password, which is why it lives under cmd/parley/internal:
// no Lambda can import it.
package devoidc

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/adapters/oidc/oidckeys"
)

const (
	// codeTTL is how long an authorization code can be redeemed.
	codeTTL = 60 * time.Second
	// tokenTTL is the lifetime of ID and access tokens.
	tokenTTL = time.Hour
	// refreshTTL is how long a refresh token can be used: a working day of
	// `make run` without signing in again.
	refreshTTL = 12 * time.Hour
	// defaultMaxCodes bounds the memory held by codes nobody redeems.
	defaultMaxCodes = 10_000
	// maxFormBytes bounds request bodies of /authorize and /token.
	maxFormBytes = 64 << 10
)

// Provider is a development OpenID provider for one client. It is safe for
// concurrent use. Build it with New and mount Handler.
type Provider struct {
	issuer     string
	issuerHost string
	clientID   string
	key        oidckeys.Key
	now        func() time.Time
	maxCodes   int

	mu    sync.Mutex
	codes map[string]authCode
	// refreshTokens are single-use too: each refresh rotates the token.
	refreshTokens map[string]authCode
}

// Option configures a Provider.
type Option func(*Provider)

// WithClock replaces time.Now, for tests of expiry.
func WithClock(now func() time.Time) Option {
	return func(p *Provider) { p.now = now }
}

// WithMaxCodes caps the authorization codes issued but not yet redeemed or
// expired (default 10,000); beyond it sign-ins fail with
// temporarily_unavailable.
func WithMaxCodes(n int) Option {
	return func(p *Provider) { p.maxCodes = n }
}

// New returns a provider for issuer, the absolute URL it is mounted at (for
// example "http://localhost:8080/dev-oidc"), which accepts only clientID. It
// generates a fresh RSA 2048 signing key, so tokens do not survive a restart.
func New(issuer string, clientID string, opts ...Option) (*Provider, error) {
	issuer = strings.TrimRight(issuer, "/")
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("dev oidc: parse issuer: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("dev oidc: issuer %q is not an absolute http(s) URL without query or fragment", issuer)
	}
	if clientID == "" {
		return nil, errors.New("dev oidc: client ID is required")
	}
	key, err := oidckeys.NewKey()
	if err != nil {
		return nil, fmt.Errorf("dev oidc: generate signing key: %w", err)
	}
	p := &Provider{
		issuer:     issuer,
		issuerHost: strings.ToLower(u.Host),
		clientID:   clientID,
		key:        key,
		now:        time.Now,
		maxCodes:   defaultMaxCodes,
		codes:      make(map[string]authCode),

		refreshTokens: make(map[string]authCode),
	}
	for _, opt := range opts {
		opt(p)
	}
	if p.maxCodes < 1 {
		return nil, fmt.Errorf("dev oidc: max codes must be positive, got %d", p.maxCodes)
	}
	return p, nil
}

// Issuer returns the issuer identifier, the iss of the tokens.
func (p *Provider) Issuer() string { return p.issuer }

// ClientID returns the only client the provider serves.
func (p *Provider) ClientID() string { return p.clientID }

// Handler serves the provider's endpoints relative to the issuer URL; mount
// it with http.StripPrefix of the issuer's path:
//
//	GET  /.well-known/openid-configuration  discovery
//	GET  /.well-known/jwks.json             the public signing key
//	GET  /authorize                         the sign-in page
//	POST /authorize                         sign in, redirect with a code
//	POST /token                             exchange a code for tokens
//	GET  /logout                            end_session_endpoint
//
// Discovery, JWKS and token allow any origin, because the SPA fetches them.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /.well-known/openid-configuration", allowAnyOrigin(http.HandlerFunc(p.serveDiscovery)))
	mux.Handle("GET /.well-known/jwks.json", allowAnyOrigin(http.HandlerFunc(p.serveJWKS)))
	mux.Handle("POST /token", allowAnyOrigin(http.HandlerFunc(p.serveToken)))
	mux.HandleFunc("OPTIONS /.well-known/", servePreflight)
	mux.HandleFunc("OPTIONS /token", servePreflight)
	mux.HandleFunc("GET /authorize", p.serveAuthorizePage)
	mux.HandleFunc("POST /authorize", p.serveAuthorizeSubmit)
	mux.HandleFunc("GET /logout", p.serveLogout)
	return mux
}

func allowAnyOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		next.ServeHTTP(w, r)
	})
}

func servePreflight(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func (p *Provider) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, oidckeys.Discovery(p.issuer, map[string]any{
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"end_session_endpoint":                  p.issuer + "/logout",
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"scopes_supported":                      []string{"openid", "email"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{
			"iss", "aud", "sub", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "token_use",
		},
	}))
}

func (p *Provider) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, oidckeys.JWKS(p.key))
}

// issueTokens returns the ID token and the access token for a redeemed code.
// The access token says token_use "access" and has no aud, like Cognito's, so
// the API refuses it.
func (p *Provider) issueTokens(c authCode) (idToken, accessToken string, err error) {
	now := p.now()
	id := jwt.MapClaims{
		"iss":            p.issuer,
		"aud":            p.clientID,
		"sub":            oidckeys.Subject(c.email),
		"email":          c.email,
		"email_verified": true,
		"token_use":      "id",
		// To the millisecond (a NumericDate may have a fraction): a deletion
		// refuses the tokens issued before it, and a test that signs up again
		// at once must not fall into the same second.
		"iat":       float64(now.UnixMilli()) / 1000,
		"exp":       now.Add(tokenTTL).Unix(),
		"auth_time": c.authTime.Unix(),
	}
	if c.nonce != "" {
		id["nonce"] = c.nonce
	}
	if idToken, err = p.key.Sign(id); err != nil {
		return "", "", fmt.Errorf("sign ID token: %w", err)
	}
	access := jwt.MapClaims{
		"iss":       p.issuer,
		"client_id": p.clientID,
		"sub":       oidckeys.Subject(c.email),
		"token_use": "access",
		"scope":     c.scope,
		"iat":       now.Unix(),
		"exp":       now.Add(tokenTTL).Unix(),
		"jti":       rand.Text(),
	}
	if accessToken, err = p.key.Sign(access); err != nil {
		return "", "", fmt.Errorf("sign access token: %w", err)
	}
	return idToken, accessToken, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
