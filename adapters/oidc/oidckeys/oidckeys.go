// Package oidckeys is the signing side of an OpenID provider, written once:
// RSA keys named by their RFC 7638 thumbprints, the JWKS and the discovery
// document that publish them, and RS256 tokens. The development sign-in of
// the local server (cmd/parley/internal/devoidc) and the test issuer
// (adapters/oidc/oidctest) are both built on it; a Lambda only verifies
// tokens (adapters/oidc) and never signs one.
package oidckeys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/adapters/oidc"
)

// Key is one RS256 signing key and its key ID.
type Key struct {
	// ID is the kid of the tokens it signs: the RFC 7638 thumbprint of its
	// public key.
	ID string
	// Private signs; its public half is what the JWKS publishes.
	Private *rsa.PrivateKey
}

// NewKey generates a fresh RSA 2048 key.
func NewKey() (Key, error) {
	private, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Key{}, fmt.Errorf("generate RSA key: %w", err)
	}
	return Key{ID: thumbprint(&private.PublicKey), Private: private}, nil
}

// Sign signs claims with RS256 under k's kid.
func (k Key) Sign(claims jwt.MapClaims) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	token.Header["kid"] = k.ID
	signed, err := token.SignedString(k.Private)
	if err != nil {
		return "", fmt.Errorf("sign RS256 token: %w", err)
	}
	return signed, nil
}

// JWK is the public half of a Key as a JWKS lists it (RFC 7517).
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// Public is k's public key as a JWK.
func (k Key) Public() JWK {
	return JWK{
		Kty: "RSA",
		Use: "sig",
		Alg: "RS256",
		Kid: k.ID,
		N:   base64.RawURLEncoding.EncodeToString(k.Private.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.Private.E)).Bytes()),
	}
}

// JWKS is the document served at the JWKS URL that publishes keys, in order.
func JWKS(keys ...Key) map[string]any {
	published := make([]JWK, len(keys))
	for i, k := range keys {
		published[i] = k.Public()
	}
	return map[string]any{"keys": published}
}

// Discovery is the OpenID discovery document of issuer with what every
// Parley issuer publishes (its keys at oidc.DefaultJWKSURL, public subjects,
// RS256 ID tokens, the code flow), and extra fields of its own.
func Discovery(issuer string, extra map[string]any) map[string]any {
	document := map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              oidc.DefaultJWKSURL(issuer),
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	}
	for k, v := range extra {
		document[k] = v
	}
	return document
}

// Subject is the sub an issuer gives email: stable and opaque.
func Subject(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return hex.EncodeToString(sum[:16])
}

// thumbprint is the RFC 7638 JWK thumbprint of pub.
func thumbprint(pub *rsa.PublicKey) string {
	canonical := fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`,
		base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		base64.RawURLEncoding.EncodeToString(pub.N.Bytes()))
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
