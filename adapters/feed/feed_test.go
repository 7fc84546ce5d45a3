package feed_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/feed"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/core"
)

var epoch = time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)

func TestEncodeStaysWithinTheBound(t *testing.T) {
	for _, tc := range []struct{ name, text, author string }{
		{"Plain", "gg wp", "Caster"},
		{"Quotes", strings.Repeat(`"\`, 2000), `"Q"`},
		{"HTMLIsNotEscaped", strings.Repeat("<&>", 1333), "<b>"},
		{"LineSeparators", strings.Repeat("\u2028\u2029", 1000), "\u2028"},
		{"NewlinesAndTabs", strings.Repeat("\n\t", 2000), "x"},
		{"Emoji", strings.Repeat("🎮", 4000), "🏆"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			post := core.Post{ID: "01JNQ3ZB6S6Y5T5S3ZQ6P0M8X2", AuthorName: tc.author, Text: tc.text, Date: epoch}
			empty, err := feed.Encode(core.Snapshot{Channel: "finals", Title: "T", Updated: epoch})
			require.NoError(t, err)
			one, err := feed.Encode(core.Snapshot{Channel: "finals", Title: "T", Updated: epoch, Posts: []core.Post{post}})
			require.NoError(t, err)
			assert.LessOrEqual(t, len(one)-len(empty), core.EncodedPostBound(post))

			var decoded struct {
				Posts []struct{ Author, Message string }
			}
			require.NoError(t, json.Unmarshal(one, &decoded))
			require.Len(t, decoded.Posts, 1)
			assert.Equal(t, tc.text, decoded.Posts[0].Message)
			assert.Equal(t, tc.author, decoded.Posts[0].Author)
		})
	}
}

func TestEncodeIsTheContract(t *testing.T) {
	body, err := feed.Encode(core.Snapshot{
		Channel: "finals", Title: "Grand finals", Updated: epoch, Seq: 7, Previous: "0001",
		Posts: []core.Post{{ID: "0002", Author: "host@example.com", AuthorName: "Host", Text: "GG", Date: epoch}},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"channel":"finals","title":"Grand finals","updated":"2026-03-04T20:00:00.000Z","seq":7,"previous":"0001",
		"posts":[{"id":"0002","author":"Host","message":"GG","date":"2026-03-04T20:00:00.000Z"}]}`, string(body))
	assert.NotContains(t, string(body), "@", "never an email")
}

func TestEncodeSaysADeletedChannelIsGone(t *testing.T) {
	body, err := feed.Encode(core.Snapshot{Channel: "finals", Updated: epoch, Seq: 8, Posts: []core.Post{}, Deleted: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"channel":"finals","title":"","updated":"2026-03-04T20:00:00.000Z","seq":8,"previous":"",
		"posts":[],"deleted":true}`, string(body))
}

func TestLocalServesWithETags(t *testing.T) {
	local := feed.NewLocal()
	server := httptest.NewServer(local)
	defer server.Close()
	get := func(path, etag string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, server.URL+path, nil)
		require.NoError(t, err)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := server.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	assert.Equal(t, http.StatusNotFound, get("/feeds/finals.json", "").StatusCode)

	written, err := local.WriteSnapshot(context.Background(), core.Snapshot{Channel: "finals", Seq: 2})
	require.NoError(t, err)
	require.True(t, written)
	written, err = local.WriteSnapshot(context.Background(), core.Snapshot{Channel: "finals", Seq: 1})
	require.NoError(t, err)
	assert.False(t, written, "an older snapshot never replaces a newer one")

	first := get("/feeds/finals.json", "")
	require.Equal(t, http.StatusOK, first.StatusCode)
	etag := first.Header.Get("ETag")
	assert.NotEmpty(t, etag)
	assert.Equal(t, feed.CacheControl, first.Header.Get("Cache-Control"))
	assert.Equal(t, http.StatusNotModified, get("/feeds/finals.json", etag).StatusCode)
	assert.Equal(t, http.StatusNotModified, get("/feeds/finals.json", `"other", W/`+etag).StatusCode)
	assert.Equal(t, http.StatusOK, get("/feeds/finals.json", `"other"`).StatusCode)

	_, err = local.WriteSnapshot(context.Background(), core.Snapshot{Channel: "finals", Seq: 3})
	require.NoError(t, err)
	changed := get("/feeds/finals.json", etag)
	assert.Equal(t, http.StatusOK, changed.StatusCode, "a new snapshot answers the old ETag")
	assert.NotEqual(t, etag, changed.Header.Get("ETag"))
	assert.Equal(t, http.StatusNotFound, get("/feeds/Finals.json", "").StatusCode)
	assert.Equal(t, http.StatusNotFound, get("/feeds/finals", "").StatusCode)
}

// failingWriter fails for the channels in fail and records the others.
type failingWriter struct {
	mu      sync.Mutex
	fail    map[string]bool
	written []string
}

func (w *failingWriter) WriteSnapshot(_ context.Context, s core.Snapshot) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail[s.Channel] {
		return false, errors.New("S3 is down")
	}
	w.written = append(w.written, fmt.Sprintf("%s@%d", s.Channel, s.Seq))
	return true, nil
}

func postRecord(seq, pk, sk string) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{
		EventName: "INSERT",
		Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq,
			Keys: map[string]events.DynamoDBAttributeValue{
				"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute(sk),
			},
		},
	}
}

func TestStreamHandlerPublishesEachChannelOnceAndReportsFailures(t *testing.T) {
	store := memory.New()
	now := func() time.Time { return epoch }
	ids := 0
	service := core.NewService(store, now, func(time.Time) string { ids++; return fmt.Sprintf("%08d", ids) })
	ctx := context.Background()
	owner := core.Caller{Email: "host@example.com"}
	for _, channel := range []string{"alpha", "bravo", "charlie"} {
		_, err := service.CreateChannel(ctx, owner, core.CreateChannelInput{Channel: channel, Title: channel})
		require.NoError(t, err)
		_, _, err = service.PostToChannel(ctx, owner, core.PostInput{Channel: channel, Text: "hi"})
		require.NoError(t, err)
	}
	writer := &failingWriter{fail: map[string]bool{"bravo": true}}
	handler := feed.NewStreamHandler(service, writer, dynamodb.ChannelOfPostKey, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	var observed []int
	handler.Observe = func(written int) { observed = append(observed, written) }

	response, err := handler.Handle(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		postRecord("100", "CHAN#alpha", "POST#1"),
		postRecord("101", "CHAN#bravo", "POST#2"),
		postRecord("102", "CHAN#alpha", "POST#3"),
		postRecord("103", "USER#someone", "CONTACT#x"),
		postRecord("104", "CHAN#bravo", "POST#4"),
		postRecord("105", "CHAN#charlie", "POST#5"),
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"alpha@1", "charlie@1"}, writer.written, "one snapshot per channel per batch")
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "101"}}, response.BatchItemFailures,
		"the failed channel's first record, so Lambda retries from there")
	assert.Equal(t, []int{2}, observed, "the batch's count of snapshots written, for the metric")
}
