package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
)

// TestExportOfAHundredThousandMessages: POST /export of an account with
// 100,000 messages answers a link, and a GET of the link, without a token,
// returns the whole document, every message once, oldest first.
func TestExportOfAHundredThousandMessages(t *testing.T) {
	const email, conversations, perConversation = "owner@example.com", 10, 10_000
	store := memory.New()
	var ids int
	newID := func() string { ids++; return strconv.Itoa(1_000_000_000 + ids) }
	peer := func(n int) string { return "peer-" + strconv.Itoa(n) + "@example.com" }
	// One writer at a time: newID is not safe for concurrent use.
	for n := range conversations {
		require.NoError(t, storetest.SeedConversations(context.Background(), store, email, func(int) string { return peer(n) }, 1, perConversation, newID, time.Now().UTC()))
	}
	exports := newLocalExports("http://127.0.0.1:8080")
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	service, _, _, err := newLocalService(store, logger, core.WithExports(extra.ExportsTo(exports)))
	require.NoError(t, err)
	handler := lambdas.NewHandler(service, lambdas.Config{AllowedOrigin: "http://127.0.0.1:8080"}, logger)

	res, err := handler.Route("export")(context.Background(), events.APIGatewayV2HTTPRequest{
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "r1", Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
				"email": email, "email_verified": "true", "iat": strconv.FormatInt(time.Now().Unix(), 10),
			}},
		}},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	var link struct{ URL, Expires string }
	require.NoError(t, json.Unmarshal([]byte(res.Body), &link))
	target, err := url.Parse(link.URL)
	require.NoError(t, err)

	download := httptest.NewRecorder()
	exports.ServeHTTP(download, httptest.NewRequest(http.MethodGet, target.Path, nil))
	require.Equal(t, http.StatusOK, download.Code)
	var doc struct {
		Account       struct{ Email string }
		Conversations []struct {
			With     string
			Messages []struct{ ID string }
		}
	}
	require.NoError(t, json.NewDecoder(download.Body).Decode(&doc))
	assert.Equal(t, email, doc.Account.Email)
	require.Len(t, doc.Conversations, conversations)
	total := 0
	for _, c := range doc.Conversations {
		for i := 1; i < len(c.Messages); i++ {
			require.Less(t, c.Messages[i-1].ID, c.Messages[i].ID)
		}
		total += len(c.Messages)
	}
	assert.Equal(t, conversations*perConversation, total)

	gone := httptest.NewRecorder()
	exports.now = func() time.Time { return time.Now().Add(time.Hour) }
	exports.ServeHTTP(gone, httptest.NewRequest(http.MethodGet, target.Path, nil))
	assert.Equal(t, http.StatusNotFound, gone.Code, "the link stops working when it expires")
}
