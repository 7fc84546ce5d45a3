package devoidc_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/cmd/parley/internal/devoidc"
	"github.com/parley-chat/parley/core"
)

const (
	clientID    = "parley-local"
	redirectURI = "http://localhost:5173/callback"
	// verifier is a valid RFC 7636 code verifier.
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

func challengeOf(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is the provider mounted under /dev-oidc as the local server does.
type fixture struct {
	srv    *httptest.Server
	client *http.Client // does not follow redirects
	issuer string
	clock  *clock
}

func newFixture(t *testing.T, opts ...devoidc.Option) *fixture {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clk := &clock{now: time.Now()}
	p, err := devoidc.New(srv.URL+"/dev-oidc", clientID, append([]devoidc.Option{devoidc.WithClock(clk.Now)}, opts...)...)
	require.NoError(t, err)
	mux.Handle("/dev-oidc/", http.StripPrefix("/dev-oidc", p.Handler()))
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fixture{srv: srv, client: client, issuer: p.Issuer(), clock: clk}
}

func authorizeParams() url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {"openid email"},
		"state":                 {"state-123"},
		"nonce":                 {"nonce-456"},
		"code_challenge":        {challengeOf(verifier)},
		"code_challenge_method": {"S256"},
	}
}

func (f *fixture) get(t *testing.T, path string, q url.Values) (*http.Response, string) {
	t.Helper()
	target := f.issuer + path
	if q != nil {
		target += "?" + q.Encode()
	}
	res, err := f.client.Get(target)
	require.NoError(t, err)
	return res, readBody(t, res)
}

func (f *fixture) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := f.client.PostForm(f.issuer+path, form)
	require.NoError(t, err)
	return res, readBody(t, res)
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

// signInCode posts the sign-in form for params and returns the code from the
// redirect.
func (f *fixture) signInCode(t *testing.T, params url.Values, email string) string {
	t.Helper()
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("email", email)
	res, _ := f.post(t, "/authorize", form)
	require.Equal(t, http.StatusFound, res.StatusCode)
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Empty(t, loc.Query().Get("error"), loc.Query().Get("error_description"))
	assert.Equal(t, params.Get("state"), loc.Query().Get("state"))
	assert.Equal(t, "localhost:5173", loc.Host)
	return loc.Query().Get("code")
}

func tokenForm(code string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirectURI},
		"client_id":     {clientID},
		"code_verifier": {verifier},
	}
}

type tokenResult struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Error        string `json:"error"`
}

func refreshForm(token string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {clientID}}
}

func (f *fixture) exchange(t *testing.T, form url.Values) (int, tokenResult) {
	t.Helper()
	res, body := f.post(t, "/token", form)
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
	var out tokenResult
	require.NoError(t, json.Unmarshal([]byte(body), &out), body)
	return res.StatusCode, out
}

func TestSignIn_IDTokenIsAcceptedByTheVerifier(t *testing.T) {
	f := newFixture(t)
	idToken, err := devoidc.SignIn(t.Context(), f.srv.Client(), f.issuer, clientID, redirectURI, "Alice@Example.com")
	require.NoError(t, err)

	v, err := oidc.NewVerifier(t.Context(), oidc.Config{Issuer: f.issuer, ClientID: clientID}, f.srv.Client())
	require.NoError(t, err)
	t.Cleanup(v.Close)
	claims, err := v.Verify(t.Context(), idToken)
	require.NoError(t, err)
	assert.Equal(t, "alice@example.com", claims["email"], "the address is lower-cased")
	assert.Equal(t, "true", claims["email_verified"])
	assert.Equal(t, "id", claims["token_use"])
	assert.Equal(t, f.issuer, claims["iss"])
	assert.Equal(t, clientID, claims["aud"])
	assert.NotEmpty(t, claims["nonce"])
	assert.NotEmpty(t, claims["auth_time"])
	assert.Len(t, claims["sub"], 32)

	again, err := devoidc.SignIn(t.Context(), f.srv.Client(), f.issuer, clientID, redirectURI, "alice@example.com")
	require.NoError(t, err)
	claimsAgain, err := v.Verify(t.Context(), again)
	require.NoError(t, err)
	assert.Equal(t, claims["sub"], claimsAgain["sub"], "sub is stable per email")
}

func TestToken_CodeFlowWithPKCE(t *testing.T) {
	f := newFixture(t)
	v, err := oidc.NewVerifier(t.Context(), oidc.Config{Issuer: f.issuer, ClientID: clientID}, f.srv.Client())
	require.NoError(t, err)
	t.Cleanup(v.Close)

	t.Run("IssuesIDAndAccessToken", func(t *testing.T) {
		code := f.signInCode(t, authorizeParams(), "bob@example.com")
		status, tok := f.exchange(t, tokenForm(code))
		require.Equal(t, http.StatusOK, status, tok.Error)
		assert.Equal(t, "Bearer", tok.TokenType)
		assert.Equal(t, 3600, tok.ExpiresIn)

		claims, err := v.Verify(t.Context(), tok.IDToken)
		require.NoError(t, err)
		assert.Equal(t, "nonce-456", claims["nonce"])

		_, err = v.Verify(t.Context(), tok.AccessToken)
		assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "the API refuses the access token")
	})

	tests := []struct {
		name       string
		form       func(code string) url.Values
		before     func()
		wantStatus int
		wantError  string
	}{
		{
			name: "ErrWrongVerifier",
			form: func(code string) url.Values {
				form := tokenForm(code)
				form.Set("code_verifier", strings.Repeat("x", 43))
				return form
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name:       "ErrExpiredCode",
			form:       tokenForm,
			before:     func() { f.clock.Advance(61 * time.Second) },
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name: "ErrOtherRedirectURI",
			form: func(code string) url.Values {
				form := tokenForm(code)
				form.Set("redirect_uri", "http://localhost:5173/other")
				return form
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name:       "ErrUnknownCode",
			form:       func(string) url.Values { return tokenForm("no-such-code") },
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name:       "ErrOtherClient",
			form:       func(code string) url.Values { form := tokenForm(code); form.Set("client_id", "other"); return form },
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name:       "ErrNoVerifier",
			form:       func(code string) url.Values { form := tokenForm(code); form.Del("code_verifier"); return form },
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name:       "ErrMalformedVerifier",
			form:       func(code string) url.Values { form := tokenForm(code); form.Set("code_verifier", "short"); return form },
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name:       "ErrUnsupportedGrantType",
			form:       func(code string) url.Values { form := tokenForm(code); form.Set("grant_type", "password"); return form },
			wantStatus: http.StatusBadRequest, wantError: "unsupported_grant_type",
		},
		{
			name:       "ErrRepeatedParameter",
			form:       func(code string) url.Values { form := tokenForm(code); form.Add("code", code); return form },
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := f.signInCode(t, authorizeParams(), "bob@example.com")
			if tt.before != nil {
				tt.before()
			}
			status, tok := f.exchange(t, tt.form(code))
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantError, tok.Error)
			assert.Empty(t, tok.IDToken)
		})
	}

	t.Run("ErrCodeReuse", func(t *testing.T) {
		code := f.signInCode(t, authorizeParams(), "bob@example.com")
		status, _ := f.exchange(t, tokenForm(code))
		require.Equal(t, http.StatusOK, status)
		status, tok := f.exchange(t, tokenForm(code))
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "invalid_grant", tok.Error)
	})

	t.Run("ErrCodeReuseAfterFailedAttempt", func(t *testing.T) {
		code := f.signInCode(t, authorizeParams(), "bob@example.com")
		bad := tokenForm(code)
		bad.Set("code_verifier", strings.Repeat("y", 43))
		status, _ := f.exchange(t, bad)
		require.Equal(t, http.StatusBadRequest, status)
		status, tok := f.exchange(t, tokenForm(code))
		assert.Equal(t, http.StatusBadRequest, status, "a wrong guess burns the code")
		assert.Equal(t, "invalid_grant", tok.Error)
	})
}

func TestAuthorize_ShowsSignInPage(t *testing.T) {
	f := newFixture(t)
	params := authorizeParams()
	params.Set("state", `"><script>alert(1)</script>`)
	res, body := f.get(t, "/authorize", params)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	assert.Contains(t, body, `<label for="email">Email</label><input id="email" name="email" type="email" required autofocus>`)
	assert.Contains(t, body, `<button type="submit">Sign in</button>`)
	assert.Contains(t, body, "development sign-in")
	assert.Contains(t, body, `action="`+f.issuer+`/authorize"`)
	assert.NotContains(t, body, "<script>", "request values are escaped")

	code := f.signInCode(t, params, "carol@example.com")
	assert.NotEmpty(t, code, "state survives the round trip through the page")
}

func TestAuthorize_RefusesUntrustedClientOrRedirectWithPage(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		modify func(url.Values)
	}{
		{name: "UnknownClient", modify: func(q url.Values) { q.Set("client_id", "other") }},
		{name: "NoClient", modify: func(q url.Values) { q.Del("client_id") }},
		{name: "NoRedirectURI", modify: func(q url.Values) { q.Del("redirect_uri") }},
		{name: "ForeignHost", modify: func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }},
		{name: "LookalikeHost", modify: func(q url.Values) { q.Set("redirect_uri", "http://localhost.evil.example/cb") }},
		{name: "UserInfoTrick", modify: func(q url.Values) { q.Set("redirect_uri", "http://localhost@evil.example/cb") }},
		{name: "JavaScriptScheme", modify: func(q url.Values) { q.Set("redirect_uri", "javascript:alert(1)") }},
		{name: "Relative", modify: func(q url.Values) { q.Set("redirect_uri", "/callback") }},
		{name: "Fragment", modify: func(q url.Values) { q.Set("redirect_uri", "http://localhost:5173/cb#x") }},
		{name: "RepeatedRedirectURI", modify: func(q url.Values) { q.Add("redirect_uri", "https://evil.example/cb") }},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				q := authorizeParams()
				tt.modify(q)
				var (
					res  *http.Response
					body string
				)
				if method == http.MethodGet {
					res, body = f.get(t, "/authorize", q)
				} else {
					q.Set("email", "dave@example.com")
					res, body = f.post(t, "/authorize", q)
				}
				assert.Equal(t, http.StatusBadRequest, res.StatusCode)
				assert.Empty(t, res.Header.Get("Location"), "never redirect to an unvalidated URI")
				assert.Contains(t, body, "Invalid sign-in request")
				assert.NotContains(t, body, "<script")
			})
		}
	}
}

func TestAuthorize_AcceptsLocalRedirectURIs(t *testing.T) {
	f := newFixture(t)
	for _, uri := range []string{
		"http://127.0.0.1:3000/cb",
		"http://[::1]:5173/",
		"https://localhost/cb?keep=1",
		f.srv.URL + "/app/callback",
	} {
		t.Run(uri, func(t *testing.T) {
			q := authorizeParams()
			q.Set("redirect_uri", uri)
			res, _ := f.get(t, "/authorize", q)
			assert.Equal(t, http.StatusOK, res.StatusCode)
		})
	}
}

func TestAuthorize_RedirectsOtherErrorsToTheClient(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name      string
		modify    func(url.Values)
		wantError string
	}{
		{name: "NoCodeChallenge", modify: func(q url.Values) { q.Del("code_challenge") }, wantError: "invalid_request"},
		{name: "PlainChallenge", modify: func(q url.Values) { q.Set("code_challenge_method", "plain") }, wantError: "invalid_request"},
		{name: "NoChallengeMethod", modify: func(q url.Values) { q.Del("code_challenge_method") }, wantError: "invalid_request"},
		{name: "ImplicitFlow", modify: func(q url.Values) { q.Set("response_type", "id_token") }, wantError: "unsupported_response_type"},
		{name: "NotOpenID", modify: func(q url.Values) { q.Set("scope", "email") }, wantError: "invalid_scope"},
		{name: "StateTooLong", modify: func(q url.Values) { q.Set("state", strings.Repeat("s", 2000)) }, wantError: "invalid_request"},
		{name: "PromptNone", modify: func(q url.Values) { q.Set("prompt", "none") }, wantError: "login_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authorizeParams()
			tt.modify(q)
			res, _ := f.get(t, "/authorize", q)
			require.Equal(t, http.StatusFound, res.StatusCode)
			loc, err := url.Parse(res.Header.Get("Location"))
			require.NoError(t, err)
			assert.Equal(t, "localhost:5173", loc.Host)
			assert.Equal(t, tt.wantError, loc.Query().Get("error"))
			if len(q.Get("state")) < 1024 {
				assert.Equal(t, q.Get("state"), loc.Query().Get("state"))
			}
			assert.Empty(t, loc.Query().Get("code"))
		})
	}
}

func TestAuthorize_RequiresAValidEmail(t *testing.T) {
	f := newFixture(t)
	for name, email := range map[string]string{
		"Missing":     "",
		"Blank":       "   ",
		"NoAt":        "alice",
		"DisplayName": "Alice <alice@example.com>",
		"TooLong":     strings.Repeat("a", 243) + "@example.com",
		"TwoAddrs":    "a@example.com, b@example.com",
		// Addresses every API call would refuse are refused here too.
		"NoDotInDomain":    "bob@localhost",
		"HashInDomain":     "p@q.com#r",
		"UnicodeDomain":    "bob@vİctim.com",
		"ZeroWidthInLocal": "bo\u200bb@example.com",
	} {
		t.Run(name, func(t *testing.T) {
			form := authorizeParams()
			form.Set("email", email)
			res, body := f.post(t, "/authorize", form)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Empty(t, res.Header.Get("Location"))
			assert.Contains(t, body, `role="alert"`)
			assert.Contains(t, body, `name="code_challenge"`, "the form is shown again")
		})
	}
}

func TestAuthorize_CapsOutstandingCodes(t *testing.T) {
	f := newFixture(t, devoidc.WithMaxCodes(2))
	f.signInCode(t, authorizeParams(), "a@example.com")
	f.signInCode(t, authorizeParams(), "b@example.com")

	form := authorizeParams()
	form.Set("email", "c@example.com")
	res, _ := f.post(t, "/authorize", form)
	require.Equal(t, http.StatusFound, res.StatusCode)
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "temporarily_unavailable", loc.Query().Get("error"))

	f.clock.Advance(61 * time.Second)
	assert.NotEmpty(t, f.signInCode(t, authorizeParams(), "c@example.com"), "expired codes make room")
}

func TestDiscoveryAndJWKS(t *testing.T) {
	f := newFixture(t)
	res, body := f.get(t, "/.well-known/openid-configuration", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	assert.Equal(t, f.issuer, doc["issuer"])
	assert.Equal(t, f.issuer+"/authorize", doc["authorization_endpoint"])
	assert.Equal(t, f.issuer+"/token", doc["token_endpoint"])
	assert.Equal(t, oidc.DefaultJWKSURL(f.issuer), doc["jwks_uri"])
	assert.Equal(t, f.issuer+"/logout", doc["end_session_endpoint"])
	assert.Equal(t, []any{"code"}, doc["response_types_supported"])
	assert.Equal(t, []any{"S256"}, doc["code_challenge_methods_supported"])
	assert.Equal(t, []any{"RS256"}, doc["id_token_signing_alg_values_supported"])
	assert.Equal(t, []any{"none"}, doc["token_endpoint_auth_methods_supported"])

	res, body = f.get(t, "/.well-known/jwks.json", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
	var jwks struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &jwks))
	require.Len(t, jwks.Keys, 1)
	assert.Equal(t, "RSA", jwks.Keys[0]["kty"])
	assert.Equal(t, "RS256", jwks.Keys[0]["alg"])
	assert.NotContains(t, jwks.Keys[0], "d", "only the public key is published")

	idToken, err := devoidc.SignIn(t.Context(), f.srv.Client(), f.issuer, clientID, redirectURI, "erin@example.com")
	require.NoError(t, err)
	tok, _, err := jwt.NewParser().ParseUnverified(idToken, jwt.MapClaims{})
	require.NoError(t, err)
	assert.Equal(t, jwks.Keys[0]["kid"], tok.Header["kid"])
	assert.Equal(t, "RS256", tok.Header["alg"])

	req, err := http.NewRequest(http.MethodOptions, f.issuer+"/token", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://localhost:5173")
	req.Header.Set("Access-Control-Request-Method", "POST")
	pre, err := f.client.Do(req)
	require.NoError(t, err)
	pre.Body.Close()
	assert.Equal(t, http.StatusNoContent, pre.StatusCode)
	assert.Equal(t, "*", pre.Header.Get("Access-Control-Allow-Origin"))
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	t.Run("RedirectsToLocalURI", func(t *testing.T) {
		res, _ := f.get(t, "/logout", url.Values{"post_logout_redirect_uri": {"http://localhost:5173/"}, "state": {"s1"}})
		assert.Equal(t, http.StatusFound, res.StatusCode)
		assert.Equal(t, "http://localhost:5173/?state=s1", res.Header.Get("Location"))
	})
	t.Run("ShowsPageForForeignURI", func(t *testing.T) {
		res, body := f.get(t, "/logout", url.Values{"post_logout_redirect_uri": {"https://evil.example/"}})
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Empty(t, res.Header.Get("Location"))
		assert.Contains(t, body, "signed out")
	})
	t.Run("ShowsPageWithoutURI", func(t *testing.T) {
		res, body := f.get(t, "/logout", nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Contains(t, body, "signed out")
	})
}

func TestNew(t *testing.T) {
	for name, tc := range map[string]struct{ issuer, clientID string }{
		"RelativeIssuer":   {"/dev-oidc", clientID},
		"IssuerWithQuery":  {"http://localhost:8080/dev-oidc?x=1", clientID},
		"NotHTTP":          {"ftp://localhost/dev-oidc", clientID},
		"NoClientID":       {"http://localhost:8080/dev-oidc", ""},
		"IssuerWithFragmt": {"http://localhost:8080/dev-oidc#x", clientID},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			_, err := devoidc.New(tc.issuer, tc.clientID)
			assert.Error(t, err)
		})
	}
	t.Run("TrimsTrailingSlash", func(t *testing.T) {
		p, err := devoidc.New("http://localhost:8080/dev-oidc/", clientID)
		require.NoError(t, err)
		assert.Equal(t, "http://localhost:8080/dev-oidc", p.Issuer())
	})
}

func TestToken_RefreshTokenRenewsTheSessionOnce(t *testing.T) {
	f := newFixture(t)
	v, err := oidc.NewVerifier(t.Context(), oidc.Config{Issuer: f.issuer, ClientID: clientID}, f.srv.Client())
	require.NoError(t, err)
	t.Cleanup(v.Close)
	signIn := func(t *testing.T) tokenResult {
		status, tok := f.exchange(t, tokenForm(f.signInCode(t, authorizeParams(), "carol@example.com")))
		require.Equal(t, http.StatusOK, status, tok.Error)
		require.NotEmpty(t, tok.RefreshToken)
		return tok
	}

	t.Run("IssuesAFreshIDTokenAndRotates", func(t *testing.T) {
		first := signIn(t)
		status, renewed := f.exchange(t, refreshForm(first.RefreshToken))
		require.Equal(t, http.StatusOK, status, renewed.Error)
		claims, err := v.Verify(t.Context(), renewed.IDToken)
		require.NoError(t, err)
		assert.Equal(t, "carol@example.com", claims["email"])
		assert.NotContains(t, claims, "nonce", "a refreshed ID token carries no nonce")
		assert.NotEqual(t, first.RefreshToken, renewed.RefreshToken)

		status, reused := f.exchange(t, refreshForm(first.RefreshToken))
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "invalid_grant", reused.Error, "a refresh token works once")
		status, _ = f.exchange(t, refreshForm(renewed.RefreshToken))
		assert.Equal(t, http.StatusOK, status, "the rotated token works")
	})

	for _, tc := range []struct {
		name       string
		form       func(token string) url.Values
		wait       time.Duration
		wantStatus int
		wantError  string
	}{
		{"ErrUnknownToken", func(string) url.Values { return refreshForm("not-a-token") }, 0, http.StatusBadRequest, "invalid_grant"},
		{"ErrExpiredToken", refreshForm, 13 * time.Hour, http.StatusBadRequest, "invalid_grant"},
		{"ErrOtherClient", func(token string) url.Values {
			form := refreshForm(token)
			form.Set("client_id", "another-client")
			return form
		}, 0, http.StatusUnauthorized, "invalid_client"},
		{"ErrNoToken", func(string) url.Values { return refreshForm("") }, 0, http.StatusBadRequest, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := signIn(t)
			f.clock.Advance(tc.wait)
			status, refused := f.exchange(t, tc.form(tok.RefreshToken))
			assert.Equal(t, tc.wantStatus, status)
			assert.Equal(t, tc.wantError, refused.Error)
			assert.Empty(t, refused.IDToken)
		})
	}
}
