// Package oidc verifies OpenID Connect ID tokens against an issuer's JSON Web
// Key Set. The local server and the WebSocket connect Lambda use it where the
// API Gateway JWT authorizer is not in front of them, so it applies the same
// rules as that authorizer plus the identity rules of Parley: RS256 only, the
// configured issuer and audience, an ID token (never an access token) and a
// verified email address.
package oidc

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Environment variables read by ConfigFromEnv; identical for the local server
// and the Lambdas.
const (
	EnvIssuer   = "PARLEY_OIDC_ISSUER"
	EnvClientID = "PARLEY_OIDC_CLIENT_ID"
	EnvJWKSURL  = "PARLEY_OIDC_JWKS_URL"
)

// jwksPath is where Cognito, and the development provider, publish their keys
// relative to the issuer.
const jwksPath = "/.well-known/jwks.json"

// Config names the issuer whose ID tokens are accepted. Issuer must match the
// token's iss claim exactly, ClientID must be one of its audiences, and
// JWKSURL is where the signing keys are fetched from (empty means the Cognito
// layout, see DefaultJWKSURL).
type Config struct {
	Issuer   string
	ClientID string
	JWKSURL  string
}

// ConfigFromEnv reads PARLEY_OIDC_ISSUER, PARLEY_OIDC_CLIENT_ID and the
// optional PARLEY_OIDC_JWKS_URL (default DefaultJWKSURL(issuer)). ok is false
// when no issuer is configured, which tells the local server to run its
// development provider. ok is true whenever an issuer is set, even if the rest
// is unusable, so a half-configured deployment never falls back silently:
// call Validate, or let NewVerifier do it, to learn what is missing.
func ConfigFromEnv() (cfg Config, ok bool) {
	cfg = Config{
		Issuer:   strings.TrimSpace(os.Getenv(EnvIssuer)),
		ClientID: strings.TrimSpace(os.Getenv(EnvClientID)),
		JWKSURL:  strings.TrimSpace(os.Getenv(EnvJWKSURL)),
	}
	if cfg.Issuer == "" {
		return Config{}, false
	}
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = DefaultJWKSURL(cfg.Issuer)
	}
	return cfg, true
}

// DefaultJWKSURL returns where Cognito publishes the keys of issuer:
// the issuer followed by /.well-known/jwks.json.
func DefaultJWKSURL(issuer string) string {
	return strings.TrimRight(issuer, "/") + jwksPath
}

// Validate reports whether the configuration can be used to verify tokens:
// issuer and client ID are required, and the issuer and JWKS URL (when set)
// must be absolute http(s) URLs.
func (c Config) Validate() error {
	if c.Issuer == "" {
		return errors.New("issuer is required")
	}
	if c.ClientID == "" {
		return fmt.Errorf("client ID (%s) is required when an issuer is set", EnvClientID)
	}
	if err := checkHTTPURL(c.Issuer); err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	if c.JWKSURL != "" {
		if err := checkHTTPURL(c.JWKSURL); err != nil {
			return fmt.Errorf("JWKS URL: %w", err)
		}
	}
	return nil
}

// jwksURL returns the configured JWKS URL or the Cognito default.
func (c Config) jwksURL() string {
	if c.JWKSURL != "" {
		return c.JWKSURL
	}
	return DefaultJWKSURL(c.Issuer)
}

// checkHTTPURL accepts an absolute https URL, and plain http only on a
// loopback host: keys fetched over plain http across a network could be
// swapped by anyone on the way.
func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse %q: %w", raw, err)
	}
	switch {
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return fmt.Errorf("%q: use https; plain http is only for localhost", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
