// Package oidctest runs a throw-away OpenID issuer for tests: an httptest
// server on 127.0.0.1 publishing discovery and a JWKS, which mints RS256 ID
// tokens, good ones and every kind of bad one the verifier must refuse.
package oidctest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/adapters/oidc/oidckeys"
)

// DefaultClientID is the audience of the tokens an Issuer mints.
const DefaultClientID = "parley-test-client"

// Issuer is a test OpenID issuer. Its zero value is not usable; call
// NewIssuer. It is safe for concurrent use.
type Issuer struct {
	// URL is the issuer identifier, the iss of its tokens, e.g.
	// http://127.0.0.1:41234 (no trailing slash).
	URL string
	// ClientID is the aud of its tokens.
	ClientID string

	server       *httptest.Server
	jwksRequests atomic.Int64

	mu        sync.Mutex
	current   oidckeys.Key   // signs new tokens
	published []oidckeys.Key // served in the JWKS, newest first
	other     *rsa.PrivateKey
}

// NewIssuer starts an issuer with one RSA key. The server is closed when the
// test ends.
func NewIssuer(tb testing.TB) *Issuer {
	tb.Helper()
	iss := &Issuer{ClientID: DefaultClientID}
	iss.current = mustNewSigningKey(tb)
	iss.published = []oidckeys.Key{iss.current}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/jwks.json", iss.serveJWKS)
	mux.HandleFunc("GET /.well-known/openid-configuration", iss.serveDiscovery)
	iss.server = httptest.NewServer(mux)
	tb.Cleanup(iss.server.Close)
	iss.URL = iss.server.URL
	return iss
}

// Config returns the verifier configuration that trusts this issuer.
func (i *Issuer) Config() oidc.Config {
	return oidc.Config{
		Issuer:   i.URL,
		ClientID: i.ClientID,
		JWKSURL:  oidc.DefaultJWKSURL(i.URL),
	}
}

// Client returns an HTTP client for the issuer's server.
func (i *Issuer) Client() *http.Client {
	return i.server.Client()
}

// KID returns the key ID that signs new tokens.
func (i *Issuer) KID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.current.ID
}

// JWKSRequests counts the requests for the JWKS so far, to observe a
// verifier's refreshes.
func (i *Issuer) JWKSRequests() int {
	return int(i.jwksRequests.Load())
}

// RotateKey makes a new key with a new kid sign all later tokens and
// publishes it in the JWKS next to the old one, as Cognito does during a
// rotation. It returns the new kid.
func (i *Issuer) RotateKey() string {
	k, err := oidckeys.NewKey()
	if err != nil {
		// Only a broken crypto/rand gets here; a test cannot go on without keys.
		panic(fmt.Sprintf("oidctest: rotate key: %v", err))
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.current = k
	i.published = append([]oidckeys.Key{k}, i.published...)
	return k.ID
}

// Token mints an ID token for email that a verifier configured with
// Config() accepts, unless opts break it. The claims are iss, aud, sub,
// email, email_verified true, token_use "id", iat, auth_time and exp one
// hour from now.
func (i *Issuer) Token(tb testing.TB, email string, opts ...TokenOption) string {
	tb.Helper()
	now := time.Now()
	spec := tokenSpec{
		claims: jwt.MapClaims{
			"iss":            i.URL,
			"aud":            i.ClientID,
			"sub":            Subject(email),
			"email":          email,
			"email_verified": true,
			"token_use":      "id",
			"iat":            now.Unix(),
			"auth_time":      now.Unix(),
			"exp":            now.Add(time.Hour).Unix(),
		},
	}
	i.mu.Lock()
	spec.kid, spec.key = i.current.ID, i.current.Private
	i.mu.Unlock()
	for _, opt := range opts {
		opt(&spec)
	}
	if spec.otherKey {
		spec.key = i.otherKey(tb)
	}
	token, err := spec.sign()
	if err != nil {
		tb.Fatalf("oidctest: mint token: %v", err)
	}
	return token
}

// Subject is the sub the issuer gives email: stable and opaque
// (oidckeys.Subject, as the development sign-in gives it too).
func Subject(email string) string {
	return oidckeys.Subject(email)
}

func (i *Issuer) otherKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.other == nil {
		i.other = mustNewSigningKey(tb).Private
	}
	return i.other
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	i.jwksRequests.Add(1)
	i.mu.Lock()
	jwks := oidckeys.JWKS(i.published...)
	i.mu.Unlock()
	writeJSON(w, jwks)
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, oidckeys.Discovery(i.URL, nil))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// TokenOption changes one thing about a token minted by Issuer.Token.
type TokenOption func(*tokenSpec)

type signMode int

const (
	signRS256 signMode = iota
	signNone
	signHS256WithPublicKey
)

type tokenSpec struct {
	claims   jwt.MapClaims
	kid      string
	key      *rsa.PrivateKey
	mode     signMode
	otherKey bool
	tamper   bool
}

// WithClaim sets claim k to v (any JSON value), replacing the default.
func WithClaim(k string, v any) TokenOption {
	return func(s *tokenSpec) { s.claims[k] = v }
}

// WithoutClaim removes claim k.
func WithoutClaim(k string) TokenOption {
	return func(s *tokenSpec) { delete(s.claims, k) }
}

// WithExpiry sets exp.
func WithExpiry(t time.Time) TokenOption {
	return WithClaim("exp", t.Unix())
}

// WithNotBefore sets nbf.
func WithNotBefore(t time.Time) TokenOption {
	return WithClaim("nbf", t.Unix())
}

// WithIssuedAt sets iat.
func WithIssuedAt(t time.Time) TokenOption {
	return WithClaim("iat", t.Unix())
}

// WithKID puts kid in the header instead of the signing key's; "" leaves the
// kid header out.
func WithKID(kid string) TokenOption {
	return func(s *tokenSpec) { s.kid = kid }
}

// SignedWithOtherKey signs with a key the issuer never published, under the
// current kid, so the signature does not match the published key.
func SignedWithOtherKey() TokenOption {
	return func(s *tokenSpec) { s.otherKey = true }
}

// AlgNone produces an unsigned token with alg "none".
func AlgNone() TokenOption {
	return func(s *tokenSpec) { s.mode = signNone }
}

// HS256WithPublicKey signs with HS256 using the issuer's PEM-encoded RSA
// public key as the HMAC secret, the classic algorithm-confusion attack.
func HS256WithPublicKey() TokenOption {
	return func(s *tokenSpec) { s.mode = signHS256WithPublicKey }
}

// TamperedPayload signs the token properly, then replaces its payload
// segment with one naming another email address, keeping the signature.
func TamperedPayload() TokenOption {
	return func(s *tokenSpec) { s.tamper = true }
}

func (s tokenSpec) sign() (string, error) {
	var (
		token  *jwt.Token
		secret any
	)
	switch s.mode {
	case signNone:
		token, secret = jwt.NewWithClaims(jwt.SigningMethodNone, s.claims), jwt.UnsafeAllowNoneSignatureType
	case signHS256WithPublicKey:
		der, err := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
		if err != nil {
			return "", fmt.Errorf("marshal public key: %w", err)
		}
		pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		token, secret = jwt.NewWithClaims(jwt.SigningMethodHS256, s.claims), pemKey
	default:
		token, secret = jwt.NewWithClaims(jwt.SigningMethodRS256, s.claims), s.key
	}
	if s.kid != "" {
		token.Header["kid"] = s.kid
	}
	signed, err := token.SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign %s token: %w", token.Method.Alg(), err)
	}
	if !s.tamper {
		return signed, nil
	}
	forged := jwt.MapClaims{}
	for k, v := range s.claims {
		forged[k] = v
	}
	forged["email"] = "mallory@example.com"
	forged["sub"] = Subject("mallory@example.com")
	payload, err := json.Marshal(forged)
	if err != nil {
		return "", fmt.Errorf("marshal forged claims: %w", err)
	}
	parts := strings.Split(signed, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, "."), nil
}

// BadTokenCase is one way an ID token can be wrong; Issuer.Token with
// Options mints it.
type BadTokenCase struct {
	Name    string
	Options []TokenOption
}

// BadTokenCases lists the tokens every verifying entry point must refuse
// with 401. Times are relative to the call, with ten minutes of margin, so
// mint the tokens right away.
func BadTokenCases() []BadTokenCase {
	now := time.Now()
	return []BadTokenCase{
		{Name: "AlgNone", Options: []TokenOption{AlgNone()}},
		{Name: "HS256SignedWithPublicKey", Options: []TokenOption{HS256WithPublicKey()}},
		{Name: "WrongIssuer", Options: []TokenOption{WithClaim("iss", "https://issuer.invalid")}},
		{Name: "WrongAudience", Options: []TokenOption{WithClaim("aud", "another-client")}},
		{Name: "Expired", Options: []TokenOption{
			WithIssuedAt(now.Add(-2 * time.Hour)), WithExpiry(now.Add(-10 * time.Minute)),
		}},
		{Name: "NotYetValid", Options: []TokenOption{WithNotBefore(now.Add(10 * time.Minute))}},
		{Name: "EmailNotVerified", Options: []TokenOption{WithClaim("email_verified", false)}},
		{Name: "NoEmail", Options: []TokenOption{WithoutClaim("email")}},
		{Name: "UnknownKID", Options: []TokenOption{WithKID("unknown-kid")}},
		{Name: "SignedByAnotherKeyWithSameKID", Options: []TokenOption{SignedWithOtherKey()}},
		{Name: "AccessToken", Options: []TokenOption{WithClaim("token_use", "access")}},
		{Name: "TamperedPayload", Options: []TokenOption{TamperedPayload()}},
	}
}

func mustNewSigningKey(tb testing.TB) oidckeys.Key {
	tb.Helper()
	k, err := oidckeys.NewKey()
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}
	return k
}
