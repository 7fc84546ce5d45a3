package devoidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// maxResponseBytes bounds what SignIn reads from any response.
const maxResponseBytes = 1 << 20

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// SignIn signs email in at the development provider of issuer over HTTP, the
// way a browser and a public client do, and returns the ID token: it reads
// discovery, opens the sign-in page with a fresh PKCE challenge, state and
// nonce, submits the form, takes the code from the redirect to redirectURI
// (which it does not follow), checks state, redeems the code with the code
// verifier and checks the nonce. client may be nil for http.DefaultClient.
// It is for end-to-end tests of the local server.
func SignIn(ctx context.Context, client *http.Client, issuer, clientID, redirectURI, email string) (idToken string, err error) {
	if client == nil {
		client = http.DefaultClient
	}
	noFollow := *client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	var discovery struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
	}
	issuer = strings.TrimRight(issuer, "/")
	if err := getJSON(ctx, &noFollow, issuer+"/.well-known/openid-configuration", &discovery); err != nil {
		return "", fmt.Errorf("dev sign-in: discovery: %w", err)
	}
	if discovery.Issuer != issuer {
		return "", fmt.Errorf("dev sign-in: discovery names issuer %q, want %q", discovery.Issuer, issuer)
	}

	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	state, nonce := rand.Text(), rand.Text()
	authorize := discovery.AuthorizationEndpoint + "?" + url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {"openid email"},
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}.Encode()

	page, err := send(ctx, &noFollow, http.MethodGet, authorize, nil, http.StatusOK)
	if err != nil {
		return "", fmt.Errorf("dev sign-in: sign-in page: %w", err)
	}
	action, form, err := parseSignInForm(string(page.body))
	if err != nil {
		return "", fmt.Errorf("dev sign-in: sign-in page: %w", err)
	}
	form.Set("email", email)
	submitted, err := send(ctx, &noFollow, http.MethodPost, action, form, http.StatusFound)
	if err != nil {
		return "", fmt.Errorf("dev sign-in: submit email: %w", err)
	}
	callback, err := url.Parse(submitted.location)
	if err != nil {
		return "", fmt.Errorf("dev sign-in: redirect location: %w", err)
	}
	params := callback.Query()
	if e := params.Get("error"); e != "" {
		return "", fmt.Errorf("dev sign-in: authorization error %s: %s", e, params.Get("error_description"))
	}
	if params.Get("state") != state {
		return "", errors.New("dev sign-in: redirect carries the wrong state")
	}

	return redeemCode(ctx, &noFollow, discovery.TokenEndpoint, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {params.Get("code")},
		"redirect_uri":  {redirectURI},
		"client_id":     {clientID},
		"code_verifier": {verifier},
	}, nonce)
}

// redeemCode exchanges an authorization code, as form says, at the token
// endpoint and returns the ID token, which must carry nonce.
func redeemCode(ctx context.Context, client *http.Client, tokenEndpoint string, form url.Values, nonce string) (string, error) {
	tokens, err := send(ctx, client, http.MethodPost, tokenEndpoint, form, http.StatusOK)
	if err != nil {
		return "", fmt.Errorf("dev sign-in: token: %w", err)
	}
	var resp tokenResponse
	if err := json.Unmarshal(tokens.body, &resp); err != nil {
		return "", fmt.Errorf("dev sign-in: token response: %w", err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(resp.IDToken, claims); err != nil {
		return "", fmt.Errorf("dev sign-in: ID token: %w", err)
	}
	if claims["nonce"] != nonce {
		return "", errors.New("dev sign-in: ID token carries the wrong nonce")
	}
	return resp.IDToken, nil
}

// parseSignInForm reads the form the sign-in page posts: its action and its
// hidden fields.
func parseSignInForm(page string) (action string, form url.Values, err error) {
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		return "", nil, errors.New("no sign-in form")
	}
	form = url.Values{}
	for _, f := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return html.UnescapeString(m[1]), form, nil
}

type response struct {
	body     []byte
	location string
}

// send performs one request (form-encoded when form is not nil) and insists
// on the status want.
func send(ctx context.Context, client *http.Client, method, target string, form url.Values, want int) (response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return response{}, fmt.Errorf("build request: %w", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes))
	if err != nil {
		return response{}, fmt.Errorf("read %s response: %w", req.URL.Path, err)
	}
	if res.StatusCode != want {
		return response{}, fmt.Errorf("%s %s: status %d, want %d: %.200s", method, req.URL.Path, res.StatusCode, want, b)
	}
	return response{body: b, location: res.Header.Get("Location")}, nil
}

func getJSON(ctx context.Context, client *http.Client, target string, v any) error {
	res, err := send(ctx, client, http.MethodGet, target, nil, http.StatusOK)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		return fmt.Errorf("decode %s: %w", target, err)
	}
	return nil
}
