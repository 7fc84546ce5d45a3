package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/oidc/oidctest"
)

// frameWait bounds the wait for one frame; tests never assert how fast one
// comes, only that it comes and that nothing else does.
const frameWait = 10 * time.Second

// socket is one realtime connection of a test user.
type socket struct {
	t    *testing.T
	conn *websocket.Conn
}

type frameJSON struct {
	Type      string      `json:"type"`
	Message   messageJSON `json:"message"`
	Contact   contactJSON `json:"contact"`
	With      string      `json:"with"`
	Delivered string      `json:"delivered"`
	Read      string      `json:"read"`
	From      string      `json:"from"`
	Code      string      `json:"code"`
	// errorJSON is an error frame, whose message is text.
	errorJSON errorJSON
	kind      struct{ Type string }
}

// dial opens a WebSocket to the server with token in Sec-WebSocket-Protocol.
func (s *localServer) dial(t *testing.T, token string) *socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/ws", &websocket.DialOptions{
		Subprotocols: []string{"parley.v1", "bearer." + token},
	})
	require.NoError(t, err)
	require.Equal(t, "parley.v1", res.Header.Get("Sec-WebSocket-Protocol"))
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &socket{t: t, conn: conn}
}

// next reads the next frame.
func (s *socket) next() frameJSON {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	kind, data, err := s.conn.Read(ctx)
	require.NoError(s.t, err)
	require.Equal(s.t, websocket.MessageText, kind)
	var frame frameJSON
	require.NoError(s.t, json.Unmarshal(data, &frame.kind), "%s", data)
	if frame.kind.Type == "error" {
		require.NoError(s.t, json.Unmarshal(data, &frame.errorJSON), "%s", data)
		frame.Type, frame.Code = "error", frame.errorJSON.Code
		return frame
	}
	require.NoError(s.t, json.Unmarshal(data, &frame), "%s", data)
	frame.kind = struct{ Type string }{}
	return frame
}

func (s *socket) write(frame map[string]any) {
	s.t.Helper()
	data, err := json.Marshal(frame)
	require.NoError(s.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	require.NoError(s.t, s.conn.Write(ctx, websocket.MessageText, data))
}

// drain returns every frame that arrived before a pong to a ping sent now:
// the server answers a connection in order, so anything pushed before the
// ping comes before the pong, and nothing is left behind unseen.
func (s *socket) drain() []frameJSON {
	s.t.Helper()
	s.write(map[string]any{"action": "ping"})
	var frames []frameJSON
	for {
		frame := s.next()
		if frame.Type == "pong" {
			return frames
		}
		frames = append(frames, frame)
	}
}

func frameTypes(frames []frameJSON) []string {
	types := make([]string, 0, len(frames))
	for _, f := range frames {
		types = append(types, f.Type)
	}
	return types
}

func TestRealtimeEndToEnd(t *testing.T) {
	server := startServer(t, Config{})
	alice, bob, carol := server.signIn(t, "alice@example.com"), server.signIn(t, "bob@example.com"), server.signIn(t, "carol@example.com")
	server.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, nil)
	alicePhone, aliceLaptop, bobs, carols := server.dial(t, alice), server.dial(t, alice), server.dial(t, bob), server.dial(t, carol)
	// A socket is registered once its handshake answered; drain settles each.
	for _, s := range []*socket{alicePhone, aliceLaptop, bobs, carols} {
		require.Empty(t, s.drain())
	}

	t.Run("AMessageReachesEveryDeviceOfBothMembersExactlyOnce", func(t *testing.T) {
		sent, _ := server.send(t, alice, "bob@example.com", "hello bob", http.StatusCreated)
		for _, s := range []*socket{alicePhone, aliceLaptop} {
			frames := s.drain()
			require.Equal(t, []string{"message"}, frameTypes(frames))
			assert.Equal(t, sent.ID, frames[0].Message.ID)
			assert.Equal(t, "sent", frames[0].Message.Status)
			assert.False(t, frames[0].Message.Them)
		}
		frames := bobs.drain()
		require.Equal(t, []string{"message", "contact"}, frameTypes(frames), "the message, then the request it made")
		assert.Equal(t, sent.ID, frames[0].Message.ID)
		assert.True(t, frames[0].Message.Them)
		assert.Empty(t, frames[0].Message.Status)
		assert.True(t, frames[1].Contact.Request)
		assert.Equal(t, 1, frames[1].Contact.Unread)
		assert.Empty(t, carols.drain(), "a stranger's socket hears nothing")
	})

	t.Run("AckMovesTheSendersTicks", func(t *testing.T) {
		page := server.messages(t, bob, "alice@example.com", "")
		require.Len(t, page, 1)
		var marks map[string]string
		server.mustJSON(t, http.MethodPost, "/ack", bob, map[string]any{"recipientNamespace": "alice@example.com", "upTo": page[0].ID}, http.StatusOK, &marks)
		assert.Equal(t, map[string]string{"delivered": page[0].ID, "read": ""}, marks)
		for _, s := range []*socket{alicePhone, aliceLaptop} {
			frames := s.drain()
			require.Equal(t, []string{"receipt"}, frameTypes(frames))
			assert.Equal(t, frameJSON{Type: "receipt", With: "bob@example.com", Delivered: page[0].ID}, frames[0])
		}
		assert.Equal(t, "delivered", server.messages(t, alice, "bob@example.com", "")[0].Status)

		bobs.write(map[string]any{"action": "ack", "with": "alice@example.com", "upTo": page[0].ID, "read": true})
		// Bob's frames are served in order: once his ping is answered, his
		// ack has been, and its pushes are on their way.
		assert.Empty(t, bobs.drain(), "the acknowledging device is not told what it did")
		for _, s := range []*socket{alicePhone, aliceLaptop} {
			frames := s.drain()
			require.Equal(t, []string{"receipt"}, frameTypes(frames))
			assert.Equal(t, page[0].ID, frames[0].Read)
		}
		assert.Equal(t, "read", server.messages(t, alice, "bob@example.com", "")[0].Status)
		var contacts []contactJSON
		server.mustJSON(t, http.MethodGet, "/get-contacts", bob, nil, http.StatusOK, &contacts)
		require.Len(t, contacts, 1)
		assert.Equal(t, 0, contacts[0].Unread)
	})

	t.Run("TypingCrossesOnlyWhereAllowed", func(t *testing.T) {
		bobs.write(map[string]any{"action": "typing", "to": "alice@example.com"})
		require.Empty(t, bobs.drain())
		for _, s := range []*socket{alicePhone, aliceLaptop} {
			assert.Equal(t, []frameJSON{{Type: "typing", From: "bob@example.com"}}, s.drain())
		}
		// Bob has alice only as a request: she is no contact of his yet.
		alicePhone.write(map[string]any{"action": "typing", "to": "bob@example.com"})
		require.Empty(t, alicePhone.drain())
		assert.Empty(t, bobs.drain())
		carols.write(map[string]any{"action": "typing", "to": "alice@example.com"})
		require.Empty(t, carols.drain())
		assert.Empty(t, alicePhone.drain(), "alice never added carol")
	})

	t.Run("ABadFrameIsAnsweredWithAnError", func(t *testing.T) {
		alicePhone.write(map[string]any{"action": "dance"})
		frames := alicePhone.drain()
		require.Equal(t, []string{"error"}, frameTypes(frames))
		assert.Equal(t, "invalid", frames[0].Code)
	})

	t.Run("ABlockedSendersAttemptPushesNothing", func(t *testing.T) {
		server.mustJSON(t, http.MethodPost, "/block-contact", bob, map[string]string{"email": "alice@example.com"}, http.StatusOK, nil)
		frames := bobs.drain()
		require.Equal(t, []string{"contact"}, frameTypes(frames), "the blocker's devices learn of the block")
		assert.True(t, frames[0].Contact.Blocked)
		server.send(t, alice, "bob@example.com", "let me in", http.StatusForbidden)
		assert.Empty(t, bobs.drain())
		assert.Empty(t, alicePhone.drain())
		alicePhone.write(map[string]any{"action": "typing", "to": "bob@example.com"})
		require.Empty(t, alicePhone.drain())
		assert.Empty(t, bobs.drain())
		server.mustJSON(t, http.MethodPost, "/unblock-contact", bob, map[string]string{"email": "alice@example.com"}, http.StatusOK, nil)
		require.Equal(t, []string{"contact"}, frameTypes(bobs.drain()))
	})

	t.Run("ADisconnectedClientCatchesUpWithAfterLosingNothing", func(t *testing.T) {
		last := server.messages(t, bob, "alice@example.com", "")
		lastSeen := last[len(last)-1].ID
		require.NoError(t, bobs.conn.Close(websocket.StatusNormalClosure, "going offline"))
		const whileAway = 7
		var want []string
		for i := range whileAway {
			text := fmt.Sprintf("while you were away %d", i)
			server.send(t, alice, "bob@example.com", text, http.StatusCreated)
			want = append(want, text)
		}
		server.dial(t, bob)
		var got []messageJSON
		after := lastSeen
		for range whileAway + 1 {
			page := server.messages(t, bob, "alice@example.com", "&limit=3&after="+after)
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].ID
		}
		assert.Equal(t, want, texts(got), "every message back, in order, none twice")
	})
}

func TestRealtimeHandshakeRefusals(t *testing.T) {
	issuer := oidctest.NewIssuer(t)
	server := startServer(t, Config{OIDC: issuer.Config()})
	url := "ws" + strings.TrimPrefix(server.URL, "http") + "/ws"
	dial := func(protocols ...string) (*http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), frameWait)
		defer cancel()
		conn, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: protocols})
		if err == nil {
			_ = conn.CloseNow()
		}
		return res, err
	}

	res, err := dial("parley.v1", "bearer."+issuer.Token(t, "alice@example.com"))
	require.NoError(t, err, "a valid token connects")
	assert.Equal(t, http.StatusSwitchingProtocols, res.StatusCode)

	for _, tc := range oidctest.BadTokenCases() {
		t.Run(tc.Name, func(t *testing.T) {
			res, err := dial("parley.v1", "bearer."+issuer.Token(t, "alice@example.com", tc.Options...))
			require.Error(t, err)
			require.NotNil(t, res)
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
		})
	}
	for name, protocols := range map[string][]string{
		"NoToken":       {"parley.v1"},
		"NoSubprotocol": {"bearer." + issuer.Token(t, "alice@example.com")},
		"Nothing":       nil,
	} {
		t.Run(name, func(t *testing.T) {
			res, err := dial(protocols...)
			require.Error(t, err)
			require.NotNil(t, res)
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
		})
	}
}

// TestRealtimeHandshakeFromTheSPAsOrigin: the socket may be on another origin
// than the SPA's pages, as the WebSocket API is in AWS; the SPA's origin is
// accepted, any other page's is refused.
func TestRealtimeHandshakeFromTheSPAsOrigin(t *testing.T) {
	issuer := oidctest.NewIssuer(t)
	server := startServer(t, Config{OIDC: issuer.Config()})
	url := "ws" + strings.TrimPrefix(server.URL, "http") + "/ws"
	require.NotContains(t, url, "localhost", "the socket's host differs from the SPA's (localhost)")
	for _, tc := range []struct {
		name, origin string
		want         bool
	}{
		{"TheSPA", server.PublicURL, true},
		{"ErrAnotherSite", "https://attacker.example", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), frameWait)
			defer cancel()
			conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
				Subprotocols: []string{"parley.v1", "bearer." + issuer.Token(t, "alice@example.com")},
				HTTPHeader:   http.Header{"Origin": {tc.origin}},
			})
			if tc.want {
				require.NoError(t, err)
				_ = conn.CloseNow()
				return
			}
			require.Error(t, err)
		})
	}
}

// TestUnsendIsSeenLive: the sender unsends a message over REST, and the other
// member's open socket sees it erased at once, in place.
func TestUnsendIsSeenLive(t *testing.T) {
	server := startServer(t, Config{})
	alice, bob := server.signIn(t, "alice@example.com"), server.signIn(t, "bob@example.com")
	server.mustJSON(t, http.MethodPost, "/add-contact", alice, map[string]string{"email": "bob@example.com", "name": "Bob"}, http.StatusCreated, nil)
	server.mustJSON(t, http.MethodPost, "/add-contact", bob, map[string]string{"email": "alice@example.com", "name": "Alice"}, http.StatusCreated, nil)
	sent, _ := server.send(t, alice, "bob@example.com", "to the wrong person", http.StatusCreated)
	bobs, alices := server.dial(t, bob), server.dial(t, alice)
	require.Empty(t, bobs.drain())
	require.Empty(t, alices.drain())

	unsend := map[string]string{"recipientNamespace": "bob@example.com", "id": sent.ID}
	server.mustJSON(t, http.MethodPost, "/delete-message", bob, map[string]string{"recipientNamespace": "alice@example.com", "id": sent.ID}, http.StatusNotFound, nil)
	var erased messageJSON
	server.mustJSON(t, http.MethodPost, "/delete-message", alice, unsend, http.StatusOK, &erased)
	assert.True(t, erased.Deleted)
	assert.Empty(t, erased.Message)
	assert.Equal(t, sent.ID, erased.ID)

	frames := bobs.drain()
	require.Equal(t, []string{"message", "contact"}, frameTypes(frames), "the erased message, then the contact it corrected")
	assert.Equal(t, sent.ID, frames[0].Message.ID)
	assert.True(t, frames[0].Message.Deleted)
	assert.Empty(t, frames[0].Message.Message)
	assert.True(t, frames[0].Message.Them)
	assert.Equal(t, 0, frames[1].Contact.Unread)
	assert.Equal(t, "message", frameTypes(alices.drain())[0], "the sender's other tabs too")

	var again messageJSON
	server.mustJSON(t, http.MethodPost, "/delete-message", alice, unsend, http.StatusOK, &again)
	assert.Equal(t, erased, again, "a retry answers the same")
	assert.Empty(t, bobs.drain(), "and pushes nothing more")
	page := server.messages(t, bob, "alice@example.com", "")
	require.Len(t, page, 1)
	assert.True(t, page[0].Deleted)
	assert.Empty(t, page[0].Message)
}

// TestTheEleventhSocketClosesTheOldest: past PARLEY_MAX_CONNECTIONS (default
// 10) sockets of one person, the oldest is told why and closed with 4008.
func TestTheEleventhSocketClosesTheOldest(t *testing.T) {
	server := startServer(t, Config{})
	alice := server.signIn(t, "alice@example.com")
	var sockets []*socket
	for range 10 {
		s := server.dial(t, alice)
		require.Empty(t, s.drain(), "a socket is registered once its handshake answered")
		sockets = append(sockets, s)
	}
	server.dial(t, alice)

	ctx, cancel := context.WithTimeout(context.Background(), frameWait)
	defer cancel()
	kind, data, err := sockets[0].conn.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, websocket.MessageText, kind)
	assert.JSONEq(t, `{"type":"closing","code":4008,"reason":"too many connections"}`, string(data))
	_, _, err = sockets[0].conn.Read(ctx)
	assert.Equal(t, websocket.StatusCode(4008), websocket.CloseStatus(err), "%v", err)
	for _, s := range sockets[1:] {
		assert.Empty(t, s.drain(), "the others stay open")
	}
}
