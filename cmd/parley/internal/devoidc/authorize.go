package devoidc

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/parley-chat/parley/core"
)

// maxParamBytes bounds state and nonce, which are kept with the code.
const maxParamBytes = 1024

// codeChallengeS256 matches BASE64URL(SHA256(verifier)) without padding.
var codeChallengeS256 = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// authRequest is a validated authorization request.
type authRequest struct {
	ClientID            string
	RedirectURI         string
	ResponseType        string
	Scope               string
	State               string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// authCode is what an authorization code stands for until it is redeemed.
type authCode struct {
	clientID      string
	redirectURI   string
	codeChallenge string
	nonce         string
	scope         string
	email         string
	authTime      time.Time
	expiresAt     time.Time
}

// authError is an error to send back to the client at its redirect URI.
type authError struct {
	code        string // OAuth 2.0 error code
	description string
}

func (e *authError) Error() string { return e.code + ": " + e.description }

// checkRedirectURI is the rule for redirect_uri and post_logout_redirect_uri,
// since the provider has no client registry: an absolute http or https URL
// without user info or fragment whose host is localhost, 127.0.0.1 or [::1]
// on any port, or exactly the issuer's own host and port. Anything else could
// carry a code to a stranger.
func (p *Provider) checkRedirectURI(raw string) error {
	if raw == "" {
		return errors.New("redirect URI is missing")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("redirect URI is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("redirect URI must be http or https")
	case u.Host == "" || u.Opaque != "":
		return errors.New("redirect URI must be absolute")
	case u.User != nil:
		return errors.New("redirect URI must not carry user info")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("redirect URI must not have a fragment")
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || host == "127.0.0.1" || host == "::1" || strings.ToLower(u.Host) == p.issuerHost {
		return nil
	}
	return errors.New("redirect URI must be on localhost, 127.0.0.1, [::1] or the issuer's host")
}

// parseAuthRequest validates params in two steps, as RFC 6749 4.1.2.1 asks:
// a bad client or redirect URI is reported to the user (clientErr), never
// sent to the unvalidated URI; anything else is an *authError for the client.
func (p *Provider) parseAuthRequest(params url.Values) (req authRequest, clientErr error, err error) {
	for k, vs := range params {
		if len(vs) > 1 {
			if k == "client_id" || k == "redirect_uri" {
				return req, fmt.Errorf("%s is repeated", k), nil
			}
			return req, nil, &authError{"invalid_request", k + " is repeated"}
		}
	}
	req = authRequest{
		ClientID:            params.Get("client_id"),
		RedirectURI:         params.Get("redirect_uri"),
		ResponseType:        params.Get("response_type"),
		Scope:               params.Get("scope"),
		State:               params.Get("state"),
		Nonce:               params.Get("nonce"),
		CodeChallenge:       params.Get("code_challenge"),
		CodeChallengeMethod: params.Get("code_challenge_method"),
	}
	if req.ClientID != p.clientID {
		return req, errors.New("unknown client_id"), nil
	}
	if err := p.checkRedirectURI(req.RedirectURI); err != nil {
		return req, err, nil
	}
	switch {
	case req.ResponseType != "code":
		return req, nil, &authError{"unsupported_response_type", "response_type must be code"}
	case !hasScope(req.Scope, "openid"):
		return req, nil, &authError{"invalid_scope", "scope must include openid"}
	case req.CodeChallengeMethod != "S256":
		return req, nil, &authError{"invalid_request", "code_challenge_method must be S256"}
	case !codeChallengeS256.MatchString(req.CodeChallenge):
		return req, nil, &authError{"invalid_request", "code_challenge must be a base64url SHA-256"}
	case len(req.State) > maxParamBytes || len(req.Nonce) > maxParamBytes:
		return req, nil, &authError{"invalid_request", "state or nonce is too long"}
	case params.Get("prompt") == "none":
		// There is no session to reuse: every sign-in shows the page.
		return req, nil, &authError{"login_required", "the development provider keeps no session"}
	}
	return req, nil, nil
}

func hasScope(scope, want string) bool {
	for s := range strings.FieldsSeq(scope) {
		if s == want {
			return true
		}
	}
	return false
}

func (p *Provider) serveAuthorizePage(w http.ResponseWriter, r *http.Request) {
	req, clientErr, err := p.parseAuthRequest(r.URL.Query())
	if clientErr != nil {
		p.renderBadRequest(w, clientErr)
		return
	}
	if err != nil {
		redirectWithError(w, r, req, err)
		return
	}
	p.renderSignIn(w, http.StatusOK, req, "")
}

func (p *Provider) serveAuthorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.renderBadRequest(w, errors.New("the form could not be read"))
		return
	}
	params := r.PostForm
	email := params.Get("email")
	params.Del("email")
	req, clientErr, err := p.parseAuthRequest(params)
	if clientErr != nil {
		p.renderBadRequest(w, clientErr)
		return
	}
	if err != nil {
		redirectWithError(w, r, req, err)
		return
	}
	normalized, problem := normalizeEmail(email)
	if problem != "" {
		// The person at the keyboard can fix this; the client cannot.
		p.renderSignIn(w, http.StatusBadRequest, req, problem)
		return
	}
	code, err := p.issueCode(req, normalized)
	if err != nil {
		slog.WarnContext(r.Context(), "dev oidc: issue code", "error", err)
		redirectWithError(w, r, req, &authError{"temporarily_unavailable", "too many sign-ins in progress"})
		return
	}
	redirectTo(w, r, req.RedirectURI, url.Values{"code": {code}}, req.State)
}

// normalizeEmail is core.NormalizeEmail, the rule every API call applies,
// so the development sign-in never signs in an address the API refuses.
// problem, when set, is a sentence for the person signing in.
func normalizeEmail(raw string) (email, problem string) {
	if strings.TrimSpace(raw) == "" {
		return "", "Enter your email address."
	}
	email, err := core.NormalizeEmail(raw)
	if err != nil {
		return "", "Enter a valid email address, like alice@example.com: " + core.ErrorMessage(err)
	}
	return email, ""
}

var errTooManyCodes = errors.New("too many outstanding authorization codes")

// issueCode stores a single-use code for req and email.
func (p *Provider) issueCode(req authRequest, email string) (string, error) {
	now := p.now()
	return p.issueGrant(p.codes, authCode{
		clientID:      req.ClientID,
		redirectURI:   req.RedirectURI,
		codeChallenge: req.CodeChallenge,
		nonce:         req.Nonce,
		scope:         req.Scope,
		email:         email,
		authTime:      now,
		expiresAt:     now.Add(codeTTL),
	})
}

// issueGrant stores grant in grants under a new random key (256 bits) and
// returns the key. Expired grants are dropped when grants is full, and a full
// map of live grants refuses, so memory stays bounded.
func (p *Provider) issueGrant(grants map[string]authCode, grant authCode) (string, error) {
	key := rand.Text() + rand.Text()
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(grants) >= p.maxCodes {
		for k, g := range grants {
			if !now.Before(g.expiresAt) {
				delete(grants, k)
			}
		}
	}
	if len(grants) >= p.maxCodes {
		return "", fmt.Errorf("%w (%d)", errTooManyCodes, len(grants))
	}
	grants[key] = grant
	return key, nil
}

// redeemGrant removes key from grants and returns what it stood for: a code
// or refresh token works once, whatever the outcome of the exchange.
func (p *Provider) redeemGrant(grants map[string]authCode, key string) (authCode, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g, ok := grants[key]
	delete(grants, key)
	if !ok || !p.now().Before(g.expiresAt) {
		return authCode{}, false
	}
	return g, true
}

func redirectWithError(w http.ResponseWriter, r *http.Request, req authRequest, err error) {
	var ae *authError
	if !errors.As(err, &ae) {
		ae = &authError{"server_error", "unexpected error"}
	}
	redirectTo(w, r, req.RedirectURI, url.Values{
		"error":             {ae.code},
		"error_description": {ae.description},
	}, req.State)
}

// redirectTo sends the browser to a validated redirect URI with params and
// state added to its query.
func redirectTo(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values, state string) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		http.Error(w, "bad redirect URI", http.StatusBadRequest)
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *Provider) serveLogout(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("post_logout_redirect_uri")
	if target != "" && p.checkRedirectURI(target) == nil {
		redirectTo(w, r, target, nil, truncate(r.URL.Query().Get("state"), maxParamBytes))
		return
	}
	renderPage(w, http.StatusOK, pageData{Title: "Signed out", Message: "You are signed out of the development provider."})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (p *Provider) renderBadRequest(w http.ResponseWriter, err error) {
	renderPage(w, http.StatusBadRequest, pageData{
		Title:   "Invalid sign-in request",
		Message: "The sign-in request is invalid: " + err.Error() + ".",
	})
}

func (p *Provider) renderSignIn(w http.ResponseWriter, status int, req authRequest, problem string) {
	renderPage(w, status, pageData{
		Title:   "Development sign-in",
		Message: "This is the development sign-in of the local Parley server. Any email address is accepted without a password.",
		Problem: problem,
		Form:    true,
		Action:  p.issuer + "/authorize",
		Hidden: []hiddenField{
			{"client_id", req.ClientID},
			{"redirect_uri", req.RedirectURI},
			{"response_type", req.ResponseType},
			{"scope", req.Scope},
			{"state", req.State},
			{"nonce", req.Nonce},
			{"code_challenge", req.CodeChallenge},
			{"code_challenge_method", req.CodeChallengeMethod},
		},
	})
}

type hiddenField struct {
	Name, Value string
}

type pageData struct {
	Title   string
	Message string
	Problem string
	Form    bool
	Action  string
	Hidden  []hiddenField
}

// page is the one HTML page. SignIn reads the hidden fields back with
// hiddenInput, so keep their markup in step.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Parley</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}
.note{background:#fff4ce;border:1px solid #e0c45c;padding:.75rem;border-radius:.25rem}
.problem{color:#a00}
label,input,button{display:block;font-size:1rem;margin-top:.5rem}
input{width:100%;padding:.5rem;box-sizing:border-box}
button{padding:.5rem 1rem;margin-top:1rem}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="note">{{.Message}}</p>
{{- if .Problem}}
<p class="problem" role="alert">{{.Problem}}</p>
{{- end}}
{{- if .Form}}
<form method="post" action="{{.Action}}">
{{- range .Hidden}}
<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{- end}}
<label for="email">Email</label><input id="email" name="email" type="email" required autofocus>
<button type="submit">Sign in</button>
</form>
{{- end}}
</body>
</html>
`))

func renderPage(w http.ResponseWriter, status int, data pageData) {
	var b strings.Builder
	if err := page.Execute(&b, data); err != nil {
		slog.Error("dev oidc: render page", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// No form-action: browsers apply it to the redirect that follows the
	// post, which goes to the SPA's origin.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
