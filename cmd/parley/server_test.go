package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/adapters/oidc/oidctest"
	"github.com/parley-chat/parley/cmd/parley/internal/devoidc"
)

// localServer is a running local server and a client for its API.
type localServer struct {
	URL       string
	PublicURL string
	client    *http.Client
	stop      func()
}

// startServer runs the local server on a free loopback port until Stop or the
// end of the test.
func startServer(t *testing.T, config Config) *localServer {
	t.Helper()
	return startServerLogging(t, config, slog.NewJSONHandler(io.Discard, nil))
}

// startServerLogging is startServer with the server's logs going to logs.
func startServerLogging(t *testing.T, config Config, logs slog.Handler) *localServer {
	t.Helper()
	config.Host, config.Port = "127.0.0.1", "0"
	if config.Store == "" {
		config.Store = "memory"
	}
	if config.FrontendDir == "" {
		config.FrontendDir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	stopped := make(chan error, 1)
	logger := slog.New(logs)
	go func() { stopped <- Run(ctx, config, logger, ready) }()
	var address string
	select {
	case address = <-ready:
	case err := <-stopped:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("server did not start within 20s")
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-stopped:
				assert.NoError(t, err, "server shuts down cleanly")
			case <-time.After(15 * time.Second):
				t.Error("server did not stop within 15s")
			}
		})
	}
	t.Cleanup(stop)
	public := config.PublicURL
	if public == "" {
		public = "http://localhost:" + address[strings.LastIndexByte(address, ':')+1:]
	}
	return &localServer{URL: address, PublicURL: public, client: &http.Client{Timeout: 10 * time.Second}, stop: stop}
}

// Stop shuts the server down and waits until it has.
func (s *localServer) Stop() { s.stop() }

// signIn signs email in through the development provider, code flow with PKCE.
func (s *localServer) signIn(t *testing.T, email string) string {
	t.Helper()
	var config spaConfig
	s.mustJSON(t, http.MethodGet, "/config.json", "", nil, http.StatusOK, &config)
	token, err := devoidc.SignIn(context.Background(), s.client, config.Authority, config.ClientID, s.PublicURL+"/", email)
	require.NoError(t, err)
	return token
}

type apiResponse struct {
	Status  int
	Headers http.Header
	Body    []byte
}

func (s *localServer) do(t *testing.T, method, path, token string, body any) apiResponse {
	t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	default:
		encoded, err := json.Marshal(b)
		require.NoError(t, err)
		reader = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, s.URL+path, reader)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := s.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return apiResponse{Status: res.StatusCode, Headers: res.Header, Body: data}
}

func (s *localServer) mustJSON(t *testing.T, method, path, token string, body any, wantStatus int, out any) apiResponse {
	t.Helper()
	res := s.do(t, method, path, token, body)
	require.Equal(t, wantStatus, res.Status, "%s %s: %s", method, path, res.Body)
	if out != nil {
		require.NoError(t, json.Unmarshal(res.Body, out), "%s", res.Body)
	}
	return res
}

type contactJSON struct {
	ID      string `json:"id"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Avatar  string `json:"avatar"`
	Blocked bool   `json:"blocked"`
	Report  string `json:"report"`
	Request bool   `json:"request"`
	Unread  int    `json:"unread"`
}

type messageJSON struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	Date      string `json:"date"`
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	Them      bool   `json:"them"`
	ClientID  string `json:"clientId"`
	Status    string `json:"status"`
	Deleted   bool   `json:"deleted"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *localServer) send(t *testing.T, token, to, text string, wantStatus int) (messageJSON, errorJSON) {
	t.Helper()
	var m messageJSON
	var e errorJSON
	res := s.do(t, http.MethodPost, "/add-message", token, map[string]string{"recipientNamespace": to, "message": text})
	require.Equal(t, wantStatus, res.Status, "%s", res.Body)
	if wantStatus < 300 {
		require.NoError(t, json.Unmarshal(res.Body, &m))
	} else {
		require.NoError(t, json.Unmarshal(res.Body, &e))
	}
	return m, e
}

func (s *localServer) messages(t *testing.T, token, with, query string) []messageJSON {
	t.Helper()
	var page []messageJSON
	s.mustJSON(t, http.MethodGet, "/get-messages?recipientNamespace="+url.QueryEscape(with)+query, token, nil, http.StatusOK, &page)
	return page
}

func texts(messages []messageJSON) []string {
	out := make([]string, len(messages))
	for i, m := range messages {
		out[i] = m.Message
	}
	return out
}

func TestLocalServerChatEndToEnd(t *testing.T) {
	server := startServer(t, Config{})
	alice := server.signIn(t, "Alice@Example.com")
	bob := server.signIn(t, "bob@example.com")

	// Add each other; adding again returns the same contact.
	var added, again contactJSON
	server.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, &added)
	server.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "BOB@example.com", "name": "Bob"}, http.StatusOK, &again)
	assert.Equal(t, added, again)
	assert.Equal(t, "bob@example.com", added.Email)
	assert.True(t, strings.HasPrefix(added.Avatar, "data:image/svg+xml;base64,"), "the avatar is drawn locally: %s", added.Avatar)
	server.mustJSON(t, http.MethodPost, "/add-contact", bob, map[string]string{"email": "alice@example.com", "name": "Alice"}, http.StatusCreated, nil)

	// Exchange messages; each side sees `them` from its own point of view.
	for i := range 3 {
		server.send(t, alice, "bob@example.com", fmt.Sprintf("alice %d", i), http.StatusCreated)
		server.send(t, bob, "alice@example.com", fmt.Sprintf("bob %d", i), http.StatusCreated)
	}
	all := server.messages(t, bob, "alice@example.com", "")
	require.Equal(t, []string{"alice 0", "bob 0", "alice 1", "bob 1", "alice 2", "bob 2"}, texts(all))
	assert.True(t, all[0].Them)
	assert.False(t, all[1].Them)
	_, err := time.Parse(time.RFC3339, all[0].Date)
	assert.NoError(t, err)

	// Page back with `before`.
	newest := server.messages(t, alice, "bob@example.com", "&limit=4")
	assert.Equal(t, []string{"alice 1", "bob 1", "alice 2", "bob 2"}, texts(newest))
	older := server.messages(t, alice, "bob@example.com", "&limit=4&before="+newest[0].ID)
	assert.Equal(t, []string{"alice 0", "bob 0"}, texts(older))
	assert.Empty(t, server.messages(t, alice, "bob@example.com", "&limit=4&before="+older[0].ID))

	// A block refuses sending both ways, and nothing is stored.
	var blocked contactJSON
	server.mustJSON(t, http.MethodPost, "/block-contact", alice, map[string]string{"email": "bob@example.com"}, http.StatusOK, &blocked)
	assert.True(t, blocked.Blocked)
	_, refused := server.send(t, bob, "alice@example.com", "can you hear me", http.StatusForbidden)
	assert.Equal(t, "blocked", refused.Code)
	_, refused = server.send(t, alice, "bob@example.com", "I can still talk?", http.StatusForbidden)
	assert.Equal(t, "blocked", refused.Code)
	assert.Len(t, server.messages(t, alice, "bob@example.com", ""), 6)

	// Unblock, then talking works again.
	var unblocked contactJSON
	server.mustJSON(t, http.MethodPost, "/unblock-contact", alice, map[string]string{"email": "bob@example.com"}, http.StatusOK, &unblocked)
	assert.False(t, unblocked.Blocked)
	server.send(t, bob, "alice@example.com", "back again", http.StatusCreated)

	// Report.
	var reported contactJSON
	server.mustJSON(t, http.MethodPost, "/report-contact", alice, map[string]string{"email": "bob@example.com", "report": "too chatty"}, http.StatusOK, &reported)
	assert.Equal(t, "too chatty", reported.Report)
	var contacts []contactJSON
	server.mustJSON(t, http.MethodGet, "/get-contacts", alice, nil, http.StatusOK, &contacts)
	require.Len(t, contacts, 1)
	assert.Equal(t, "too chatty", contacts[0].Report)
}

func TestLocalServerRefusesBadRequests(t *testing.T) {
	server := startServer(t, Config{})
	alice := server.signIn(t, "alice@example.com")
	server.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, nil)

	for _, tc := range []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantCode   string
		wantInText string
	}{
		{"ErrInvalidJSON", http.MethodPost, "/add-contact", "{not json", 400, "invalid", "JSON"},
		{"ErrMissingField", http.MethodPost, "/add-contact", map[string]string{"email": "carol@example.com"}, 400, "invalid", "name"},
		{"ErrWrongFieldType", http.MethodPost, "/add-contact", `{"email": 42, "name": "x"}`, 400, "invalid", "email"},
		{"ErrInvalidEmail", http.MethodPost, "/add-contact", map[string]string{"email": "not-an-email", "name": "x"}, 400, "invalid", "email"},
		{"ErrAddingYourself", http.MethodPost, "/add-contact", map[string]string{"email": "ALICE@example.com", "name": "me"}, 400, "invalid", "email"},
		{"ErrNameTooLong", http.MethodPost, "/add-contact", map[string]string{"email": "carol@example.com", "name": strings.Repeat("n", 101)}, 400, "invalid", "name"},
		{"ErrMessageTooLong", http.MethodPost, "/add-message", map[string]string{"recipientNamespace": "bob@example.com", "message": strings.Repeat("m", 4001)}, 400, "invalid", "message"},
		{"ErrBlankMessage", http.MethodPost, "/add-message", map[string]string{"recipientNamespace": "bob@example.com", "message": "  \n "}, 400, "invalid", "message"},
		{"ErrControlCharacter", http.MethodPost, "/add-message", map[string]string{"recipientNamespace": "bob@example.com", "message": "bell\a"}, 400, "invalid", "message"},
		{"ErrMessagingAStranger", http.MethodPost, "/add-message", map[string]string{"recipientNamespace": "carol@example.com", "message": "hi"}, 404, "not_found", "carol@example.com"},
		{"ErrBodyTooLarge", http.MethodPost, "/add-message", `{"recipientNamespace":"bob@example.com","message":"` + strings.Repeat("x", apigateway.MaxBodyBytes) + `"}`, 413, "too_large", "bytes"},
		{"ErrLimitNotANumber", http.MethodGet, "/get-messages?recipientNamespace=bob@example.com&limit=ten", nil, 400, "invalid", "limit"},
		{"ErrLimitTooLarge", http.MethodGet, "/get-messages?recipientNamespace=bob@example.com&limit=101", nil, 400, "invalid", "limit"},
		{"ErrNoRecipientNamespace", http.MethodGet, "/get-messages", nil, 400, "invalid", "recipientNamespace"},
		{"ErrUnblockingAStranger", http.MethodPost, "/unblock-contact", map[string]string{"email": "carol@example.com"}, 404, "not_found", "carol@example.com"},
		{"ErrReportTooLong", http.MethodPost, "/report-contact", map[string]string{"email": "bob@example.com", "report": strings.Repeat("r", 1001)}, 400, "invalid", "report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e errorJSON
			res := server.mustJSON(t, tc.method, tc.path, alice, tc.body, tc.wantStatus, &e)
			assert.Equal(t, tc.wantCode, e.Code)
			assert.Contains(t, e.Message, tc.wantInText)
			assert.Equal(t, server.PublicURL, res.Headers.Get("Access-Control-Allow-Origin"), "errors carry CORS headers")
		})
	}

	var contacts []contactJSON
	server.mustJSON(t, http.MethodGet, "/get-contacts", alice, nil, http.StatusOK, &contacts)
	assert.Len(t, contacts, 1, "bad input loses nothing and adds nothing")
	assert.Empty(t, server.messages(t, alice, "bob@example.com", ""))
}

func TestLocalServerRefusesBadTokens(t *testing.T) {
	issuer := oidctest.NewIssuer(t)
	server := startServer(t, Config{OIDC: issuer.Config()})

	valid := issuer.Token(t, "alice@example.com")
	server.mustJSON(t, http.MethodGet, "/get-contacts", valid, nil, http.StatusOK, nil)

	cases := oidctest.BadTokenCases()
	require.Len(t, cases, 12)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			token := issuer.Token(t, "alice@example.com", tc.Options...)
			var e errorJSON
			res := server.mustJSON(t, http.MethodGet, "/get-contacts", token, nil, http.StatusUnauthorized, &e)
			assert.Equal(t, "unauthorized", e.Code)
			assert.NotEmpty(t, e.Message)
			assert.Equal(t, "application/json; charset=utf-8", res.Headers.Get("Content-Type"))
			assert.NotEmpty(t, res.Headers.Get("Access-Control-Allow-Origin"))
		})
	}
	t.Run("NoToken", func(t *testing.T) {
		var e errorJSON
		server.mustJSON(t, http.MethodGet, "/get-contacts", "", nil, http.StatusUnauthorized, &e)
		assert.Equal(t, "unauthorized", e.Code)
	})
}

func TestLocalServerServesTheSPAAndItsConfig(t *testing.T) {
	dist := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dist, "assets"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dist, "index.html"), []byte("<!doctype html><title>Parley</title>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dist, "assets", "app-abc123.js"), []byte("console.log(1)"), 0o644))
	server := startServer(t, Config{FrontendDir: dist})

	var config spaConfig
	res := server.mustJSON(t, http.MethodGet, "/config.json", "", nil, http.StatusOK, &config)
	assert.Equal(t, spaConfig{APIURL: server.PublicURL, WSURL: "ws://" + strings.TrimPrefix(server.PublicURL, "http://") + "/ws", Authority: server.PublicURL + "/dev-oidc", ClientID: devClientID}, config)
	assert.Equal(t, "no-cache", res.Headers.Get("Cache-Control"))

	for _, tc := range []struct {
		path, wantBody, wantCache string
	}{
		{"/", "<title>Parley</title>", "no-cache"},
		{"/conversation/bob", "<title>Parley</title>", "no-cache"},
		{"/assets/app-abc123.js", "console.log(1)", "public, max-age=31536000, immutable"},
	} {
		res := server.do(t, http.MethodGet, tc.path, "", nil)
		assert.Equal(t, http.StatusOK, res.Status, tc.path)
		assert.Contains(t, string(res.Body), tc.wantBody, tc.path)
		assert.Equal(t, tc.wantCache, res.Headers.Get("Cache-Control"), tc.path)
		assert.Contains(t, res.Headers.Get("Content-Security-Policy"), "img-src 'self' data:;", tc.path)
	}

	preflight := server.do(t, http.MethodOptions, "/add-message", "", nil)
	assert.Equal(t, http.StatusNoContent, preflight.Status)
	assert.Equal(t, server.PublicURL, preflight.Headers.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, preflight.Headers.Get("Access-Control-Allow-Headers"), "authorization")

	var discovery map[string]any
	server.mustJSON(t, http.MethodGet, "/dev-oidc/.well-known/openid-configuration", "", nil, http.StatusOK, &discovery)
	assert.Equal(t, config.Authority, discovery["issuer"])
}

// TestLocalServerSendsCloudFrontsSecurityHeaders: the SPA and the API answer
// with the headers of terraform/security-headers.json and the local origins,
// the WebSocket's own origin in connect-src (the end-to-end tests give it one,
// as AWS does); the feeds keep their own policy.
func TestLocalServerSendsCloudFrontsSecurityHeaders(t *testing.T) {
	server := startServer(t, Config{WebSocketURL: "ws://127.0.0.1:9/ws"})
	var config spaConfig
	server.mustJSON(t, http.MethodGet, "/config.json", "", nil, http.StatusOK, &config)
	assert.Equal(t, "ws://127.0.0.1:9/ws", config.WSURL)

	for _, path := range []string{"/", "/config.json", "/get-contacts"} {
		res := server.do(t, http.MethodGet, path, "", nil)
		csp := res.Headers.Get("Content-Security-Policy")
		assert.Contains(t, csp, "connect-src 'self' "+server.PublicURL+" ws://127.0.0.1:9;", path)
		assert.Contains(t, csp, "form-action 'self' "+server.PublicURL+";", path)
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.Equal(t, "DENY", res.Headers.Get("X-Frame-Options"), path)
		assert.Equal(t, "nosniff", res.Headers.Get("X-Content-Type-Options"), path)
		assert.Empty(t, res.Headers.Get("Strict-Transport-Security"), "no HSTS over plain HTTP: %s", path)
	}
	feed := server.do(t, http.MethodGet, "/feeds/none.json", "", nil)
	assert.Empty(t, feed.Headers.Get("Content-Security-Policy"), "feeds have a policy of their own")
	assert.Equal(t, "nosniff", feed.Headers.Get("X-Content-Type-Options"))
}

func TestWebSocketURLFromEnvMustBeAWebSocketURL(t *testing.T) {
	t.Setenv("PARLEY_WS_URL", "http://127.0.0.1:8080/ws")
	_, err := ConfigFromEnv()
	assert.ErrorContains(t, err, "PARLEY_WS_URL")

	t.Setenv("PARLEY_WS_URL", "ws://127.0.0.1:8080/ws")
	config, err := ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "ws://127.0.0.1:8080/ws", config.WebSocketURL)
}

func TestOIDCConfigFromEnvReplacesTheDevelopmentProvider(t *testing.T) {
	t.Setenv("PARLEY_OIDC_ISSUER", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc")
	t.Setenv("PARLEY_OIDC_CLIENT_ID", "spa-client")
	config, err := ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, oidc.Config{Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", ClientID: "spa-client", JWKSURL: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json"}, config.OIDC)

	t.Setenv("PARLEY_STORE", "postgres")
	_, err = ConfigFromEnv()
	assert.ErrorContains(t, err, "PARLEY_STORE")
}

// TestLocalServerOnDynamoDBKeepsMessagesAcrossRestarts needs DynamoDB Local:
// `make test` starts it and sets PARLEY_DYNAMODB_ENDPOINT.
func TestLocalServerOnDynamoDBKeepsMessagesAcrossRestarts(t *testing.T) {
	endpoint := os.Getenv("PARLEY_DYNAMODB_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("PARLEY_REQUIRE_DYNAMODB") == "1" {
			t.Fatal("PARLEY_REQUIRE_DYNAMODB=1 but PARLEY_DYNAMODB_ENDPOINT is not set")
		}
		t.Skip("PARLEY_DYNAMODB_ENDPOINT is not set; run `make test-go` to start DynamoDB Local")
	}
	config := Config{Store: "dynamodb"}
	config.App.DynamoDBEndpoint = endpoint
	config.App.TableName = fmt.Sprintf("parley-restart-%d", time.Now().UnixNano())

	first := startServer(t, config)
	alice, bob := first.signIn(t, "alice@example.com"), first.signIn(t, "bob@example.com")
	first.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, nil)
	first.mustJSON(t, http.MethodPost, "/add-contact", bob, map[string]string{"email": "alice@example.com", "name": "Alice"}, http.StatusCreated, nil)
	var want []string
	for i := range 5 {
		first.send(t, alice, "bob@example.com", fmt.Sprintf("from alice %d", i), http.StatusCreated)
		first.send(t, bob, "alice@example.com", fmt.Sprintf("from bob %d", i), http.StatusCreated)
		want = append(want, fmt.Sprintf("from alice %d", i), fmt.Sprintf("from bob %d", i))
	}
	first.Stop()

	second := startServer(t, config)
	bob = second.signIn(t, "bob@example.com")
	assert.Equal(t, want, texts(second.messages(t, bob, "alice@example.com", "")))
	var contacts []contactJSON
	second.mustJSON(t, http.MethodGet, "/get-contacts", bob, nil, http.StatusOK, &contacts)
	require.Len(t, contacts, 1)
	assert.Equal(t, "alice@example.com", contacts[0].Email)
}
