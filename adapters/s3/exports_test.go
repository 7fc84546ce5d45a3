package s3_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/s3"
)

func TestExportsPutAndLink(t *testing.T) {
	var put struct {
		path, body, contentType, authorization string
		length                                 int64
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		put.path, put.body, put.length = r.URL.Path, string(body), r.ContentLength
		put.contentType, put.authorization = r.Header.Get("Content-Type"), r.Header.Get("Authorization")
	}))
	t.Cleanup(server.Close)
	exports, err := s3.NewExports(server.Client(), server.URL+"/parley-exports", "eu-central-1", credentials.NewStaticCredentialsProvider("key", "secret", ""))
	require.NoError(t, err)
	ctx := context.Background()

	file, err := exports.Create(ctx, "01J-abc")
	require.NoError(t, err)
	_, err = io.WriteString(file, `{"account":{}}`)
	require.NoError(t, err)
	require.NoError(t, file.Close())
	assert.Equal(t, "/parley-exports/exports/01J-abc.json", put.path)
	assert.Equal(t, `{"account":{}}`, put.body)
	assert.EqualValues(t, len(`{"account":{}}`), put.length)
	assert.True(t, strings.HasPrefix(put.contentType, "application/json"))
	assert.Contains(t, put.authorization, "/eu-central-1/s3/aws4_request")

	link, err := exports.Link(ctx, "01J-abc", time.Now().Add(15*time.Minute))
	require.NoError(t, err)
	parsed, err := url.Parse(link)
	require.NoError(t, err)
	assert.Equal(t, "/parley-exports/exports/01J-abc.json", parsed.Path)
	query := parsed.Query()
	assert.Equal(t, "AWS4-HMAC-SHA256", query.Get("X-Amz-Algorithm"))
	assert.InDelta(t, 900, atoi(t, query.Get("X-Amz-Expires")), 2)
	assert.NotEmpty(t, query.Get("X-Amz-Signature"))
	assert.Contains(t, query.Get("X-Amz-Credential"), "/eu-central-1/s3/aws4_request")
}

func atoi(t *testing.T, s string) float64 {
	t.Helper()
	var n int
	for _, r := range s {
		require.True(t, r >= '0' && r <= '9', s)
		n = n*10 + int(r-'0')
	}
	return float64(n)
}
