package devoidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"regexp"
)

// codeVerifierFormat is RFC 7636 4.1: 43 to 128 unreserved characters.
var codeVerifierFormat = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// tokenResponse is the successful token endpoint response (RFC 6749 5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

// serveToken exchanges an authorization code for tokens: the code must be
// unredeemed and unexpired, issued to the same client and redirect URI, and
// S256(code_verifier) must equal the code challenge.
func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "the form could not be read")
		return
	}
	form := r.PostForm
	for k, vs := range form {
		if len(vs) > 1 {
			writeTokenError(w, http.StatusBadRequest, "invalid_request", k+" is repeated")
			return
		}
	}
	grantType := form.Get("grant_type")
	code := form.Get("code")
	redirectURI := form.Get("redirect_uri")
	clientID := form.Get("client_id")
	verifier := form.Get("code_verifier")
	switch {
	case grantType == "":
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	case grantType != "authorization_code":
		writeTokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	case code == "" || redirectURI == "" || clientID == "" || verifier == "":
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "code, redirect_uri, client_id and code_verifier are required")
		return
	case clientID != p.clientID:
		writeTokenError(w, http.StatusUnauthorized, "invalid_client", "unknown client_id")
		return
	case !codeVerifierFormat.MatchString(verifier):
		writeTokenError(w, http.StatusBadRequest, "invalid_request", "code_verifier must be 43 to 128 unreserved characters")
		return
	}
	granted, ok := p.redeemCode(code)
	if !ok {
		writeTokenError(w, http.StatusBadRequest, "invalid_grant", "the code is unknown, expired or already used")
		return
	}
	if granted.clientID != clientID || granted.redirectURI != redirectURI {
		writeTokenError(w, http.StatusBadRequest, "invalid_grant", "the code was issued to another client or redirect_uri")
		return
	}
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(challenge), []byte(granted.codeChallenge)) != 1 {
		writeTokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge")
		return
	}
	idToken, accessToken, err := p.issueTokens(granted)
	if err != nil {
		slog.ErrorContext(r.Context(), "dev oidc: issue tokens", "error", err)
		writeTokenError(w, http.StatusInternalServerError, "server_error", "tokens could not be issued")
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: accessToken,
		IDToken:     idToken,
		TokenType:   "Bearer",
		ExpiresIn:   int(tokenTTL.Seconds()),
		Scope:       granted.scope,
	})
}

// writeTokenError writes an RFC 6749 5.2 error response.
func writeTokenError(w http.ResponseWriter, status int, code, description string) {
	noStore(w)
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}
