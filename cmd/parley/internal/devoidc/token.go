package devoidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
)

// codeVerifierFormat is RFC 7636 4.1: 43 to 128 unreserved characters.
var codeVerifierFormat = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// tokenResponse is the successful token endpoint response (RFC 6749 5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
}

// tokenError is an RFC 6749 5.2 error of the token endpoint.
type tokenError struct {
	status      int
	code        string
	description string
}

// serveToken issues tokens for an authorization code or a refresh token, and
// with them a new refresh token: each refresh token works once.
func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, tokenError{http.StatusBadRequest, "invalid_request", "the form could not be read"})
		return
	}
	form := r.PostForm
	for k, vs := range form {
		if len(vs) > 1 {
			writeTokenError(w, tokenError{http.StatusBadRequest, "invalid_request", k + " is repeated"})
			return
		}
	}
	var granted authCode
	var refused *tokenError
	switch grantType := form.Get("grant_type"); grantType {
	case "authorization_code":
		granted, refused = p.grantForCode(form)
	case "refresh_token":
		granted, refused = p.grantForRefreshToken(form)
	case "":
		refused = &tokenError{http.StatusBadRequest, "invalid_request", "grant_type is required"}
	default:
		refused = &tokenError{http.StatusBadRequest, "unsupported_grant_type", "only authorization_code and refresh_token are supported"}
	}
	if refused != nil {
		writeTokenError(w, *refused)
		return
	}
	response, err := p.issueTokenResponse(granted)
	if err != nil {
		slog.ErrorContext(r.Context(), "dev oidc: issue tokens", "error", err)
		writeTokenError(w, tokenError{http.StatusInternalServerError, "server_error", "tokens could not be issued"})
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, response)
}

// grantForCode redeems an authorization code: it must be unredeemed and
// unexpired, issued to the same client and redirect URI, and
// S256(code_verifier) must equal its code challenge.
func (p *Provider) grantForCode(form url.Values) (authCode, *tokenError) {
	code := form.Get("code")
	redirectURI := form.Get("redirect_uri")
	clientID := form.Get("client_id")
	verifier := form.Get("code_verifier")
	switch {
	case code == "" || redirectURI == "" || clientID == "" || verifier == "":
		return authCode{}, &tokenError{http.StatusBadRequest, "invalid_request", "code, redirect_uri, client_id and code_verifier are required"}
	case clientID != p.clientID:
		return authCode{}, &tokenError{http.StatusUnauthorized, "invalid_client", "unknown client_id"}
	case !codeVerifierFormat.MatchString(verifier):
		return authCode{}, &tokenError{http.StatusBadRequest, "invalid_request", "code_verifier must be 43 to 128 unreserved characters"}
	}
	granted, ok := p.redeemGrant(p.codes, code)
	if !ok {
		return authCode{}, &tokenError{http.StatusBadRequest, "invalid_grant", "the code is unknown, expired or already used"}
	}
	if granted.clientID != clientID || granted.redirectURI != redirectURI {
		return authCode{}, &tokenError{http.StatusBadRequest, "invalid_grant", "the code was issued to another client or redirect_uri"}
	}
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(challenge), []byte(granted.codeChallenge)) != 1 {
		return authCode{}, &tokenError{http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge"}
	}
	return granted, nil
}

// grantForRefreshToken redeems a refresh token issued to the same client.
func (p *Provider) grantForRefreshToken(form url.Values) (authCode, *tokenError) {
	token, clientID := form.Get("refresh_token"), form.Get("client_id")
	switch {
	case token == "" || clientID == "":
		return authCode{}, &tokenError{http.StatusBadRequest, "invalid_request", "refresh_token and client_id are required"}
	case clientID != p.clientID:
		return authCode{}, &tokenError{http.StatusUnauthorized, "invalid_client", "unknown client_id"}
	}
	granted, ok := p.redeemGrant(p.refreshTokens, token)
	if !ok || granted.clientID != clientID {
		return authCode{}, &tokenError{http.StatusBadRequest, "invalid_grant", "the refresh token is unknown, expired or already used"}
	}
	return granted, nil
}

// issueTokenResponse signs the tokens of granted and stores the refresh token
// that continues its session. A refreshed ID token carries no nonce.
func (p *Provider) issueTokenResponse(granted authCode) (tokenResponse, error) {
	idToken, accessToken, err := p.issueTokens(granted)
	if err != nil {
		return tokenResponse{}, err
	}
	session := authCode{clientID: granted.clientID, scope: granted.scope, email: granted.email, authTime: granted.authTime, expiresAt: p.now().Add(refreshTTL)}
	refreshToken, err := p.issueGrant(p.refreshTokens, session)
	if err != nil {
		return tokenResponse{}, fmt.Errorf("store refresh token: %w", err)
	}
	return tokenResponse{
		AccessToken:  accessToken,
		IDToken:      idToken,
		RefreshToken: refreshToken,
		TokenType:    "Bearer",
		ExpiresIn:    int(tokenTTL.Seconds()),
		Scope:        granted.scope,
	}, nil
}

// writeTokenError writes an RFC 6749 5.2 error response.
func writeTokenError(w http.ResponseWriter, e tokenError) {
	noStore(w)
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}
