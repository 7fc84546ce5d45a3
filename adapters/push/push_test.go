package push_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/push"
	"github.com/parley-chat/parley/core"
)

// fakeConnections is a local stand-in for a stage's @connections endpoint: it
// records each POST and answers with the status its connection is set to.
type fakeConnections struct {
	mu       sync.Mutex
	posts    []*http.Request
	bodies   []string
	statuses map[string]int
	hang     chan struct{}
}

func (f *fakeConnections) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := strings.TrimPrefix(r.URL.Path, "/ws/@connections/")
	f.mu.Lock()
	f.posts = append(f.posts, r)
	f.bodies = append(f.bodies, string(body))
	status, ok := f.statuses[id]
	f.mu.Unlock()
	if status == -1 {
		select {
		case <-f.hang:
		case <-r.Context().Done():
		}
		return
	}
	if !ok {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

func newClient(t *testing.T, fake *fakeConnections) *push.Client {
	t.Helper()
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	client, err := push.New(server.Client(), server.URL+"/ws", "eu-west-1",
		credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session-token"), apigateway.EncodeEvent)
	require.NoError(t, err)
	return client
}

func TestPushSignsAndPostsTheFrame(t *testing.T) {
	fake := &fakeConnections{statuses: map[string]int{}}
	client := newClient(t, fake)
	conn := core.Connection{ID: "L0SM9cOFvHcCIhw=", User: "bob@example.com"}
	require.NoError(t, client.Push(context.Background(), conn, core.TypingEvent{From: "alice@example.com"}))

	require.Len(t, fake.posts, 1)
	post := fake.posts[0]
	assert.Equal(t, http.MethodPost, post.Method)
	assert.Equal(t, "/ws/@connections/L0SM9cOFvHcCIhw=", post.URL.Path)
	assert.Equal(t, `{"type":"typing","from":"alice@example.com"}`, fake.bodies[0])
	authorization := post.Header.Get("Authorization")
	assert.True(t, strings.HasPrefix(authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), authorization)
	assert.Contains(t, authorization, "/eu-west-1/execute-api/aws4_request")
	assert.Contains(t, authorization, "SignedHeaders=")
	assert.NotEmpty(t, post.Header.Get("X-Amz-Date"))
	assert.Equal(t, "session-token", post.Header.Get("X-Amz-Security-Token"))
}

func TestPushOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		wantReport core.PushReport
		wantKept   bool
	}{
		{"DeliveredOn200", http.StatusOK, core.PushReport{Delivered: 2}, true},
		{"GoneOn410RemovesTheConnection", http.StatusGone, core.PushReport{Delivered: 1, Gone: 1}, false},
		{"FailedOn500KeepsTheConnection", http.StatusInternalServerError, core.PushReport{Delivered: 1, Failed: 1}, true},
		{"FailedOnTimeoutKeepsTheConnection", -1, core.PushReport{Delivered: 1, Failed: 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeConnections{statuses: map[string]int{"bobs-phone": tc.status}, hang: make(chan struct{})}
			defer close(fake.hang)
			store := memory.New()
			var reports []core.PushReport
			var mu sync.Mutex
			clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := func() time.Time { return clock }
			ids := 0
			service := core.NewService(store, now, func(time.Time) string { ids++; return strings.Repeat("0", 10) + string(rune('a'+ids)) },
				core.WithPusher(newClient(t, fake)),
				core.WithPushDeadline(200*time.Millisecond),
				core.WithPushObserver(func(r core.PushReport) { mu.Lock(); reports = append(reports, r); mu.Unlock() }))
			ctx := context.Background()
			alice, bob := core.Caller{Email: "alice@example.com"}, core.Caller{Email: "bob@example.com"}
			_, _, err := service.AddContact(ctx, alice, core.AddContactInput{Email: bob.Email, Name: "Bob"})
			require.NoError(t, err)
			_, _, err = service.AddContact(ctx, bob, core.AddContactInput{Email: alice.Email, Name: "Alice"})
			require.NoError(t, err)
			_, err = service.Connect(ctx, bob, "bobs-phone")
			require.NoError(t, err)
			_, err = service.Connect(ctx, alice, "alices-laptop")
			require.NoError(t, err)
			clock = clock.Add(core.ConnectGrace) // both sockets are long open
			reports = nil

			sent, created, err := service.AddMessage(ctx, alice, core.AddMessageInput{Recipient: bob.Email, Text: "hi"})
			require.NoError(t, err, "a push never fails the send")
			assert.True(t, created)
			assert.Equal(t, "hi", sent.Text)
			require.Len(t, reports, 1)
			assert.Equal(t, tc.wantReport, reports[0])
			connections, err := store.Connections(ctx, bob.Email, now())
			require.NoError(t, err)
			assert.Equal(t, tc.wantKept, len(connections) == 1)
		})
	}
}

func TestDisconnectSignsAndDeletesTheConnection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		wantErr bool
	}{
		{"ClosedOn204", http.StatusNoContent, false},
		{"AlreadyGoneOn410", http.StatusGone, false},
		{"FailedOn500", http.StatusInternalServerError, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeConnections{statuses: map[string]int{"L0SM9cOFvHcCIhw=": tc.status}}
			err := newClient(t, fake).Disconnect(context.Background(), "L0SM9cOFvHcCIhw=")
			assert.Equal(t, tc.wantErr, err != nil, "%v", err)
			require.Len(t, fake.posts, 1)
			del := fake.posts[0]
			assert.Equal(t, http.MethodDelete, del.Method)
			assert.Equal(t, "/ws/@connections/L0SM9cOFvHcCIhw=", del.URL.Path)
			assert.Empty(t, fake.bodies[0])
			assert.True(t, strings.HasPrefix(del.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
		})
	}
}
