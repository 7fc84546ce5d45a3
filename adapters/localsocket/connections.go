// Package localsocket stands in for API Gateway's WebSocket connections under
// make run: it holds the open WebSockets of the local server and is the
// core.Pusher that writes to them, as @connections does in AWS.
package localsocket

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/core"
)

// Connections plays API Gateway's WebSocket API under make run: it holds the
// open WebSockets of this process and is the core.Pusher that writes to them,
// as @connections does in AWS. It is safe for concurrent use.
type Connections struct {
	// encode renders an event as the frame its user's socket receives.
	encode func(user string, e core.Event) ([]byte, error)
	mu     sync.Mutex
	conns  map[string]*websocket.Conn
	// pending are connections whose handshake is under way: they exist, but
	// cannot be written to yet, so their frames wait here, in order, until the
	// socket is open (at most maxPendingFrames).
	pending map[string][][]byte
}

var _ core.Pusher = (*Connections)(nil)

// New returns no connections; encode renders each pushed event as the frame
// its user's socket receives (apigateway.EncodeEvent, handed in by the
// composition root: adapters do not know each other).
func New(encode func(user string, e core.Event) ([]byte, error)) *Connections {
	return &Connections{encode: encode, conns: map[string]*websocket.Conn{}, pending: map[string][][]byte{}}
}

// maxPendingFrames bounds what waits for a socket still opening.
const maxPendingFrames = 256

// errTooManyPending is a push to an opening socket that already has
// maxPendingFrames waiting.
var errTooManyPending = errors.New("too many frames wait for the socket to open")

// Push implements core.Pusher. A frame for a socket still opening waits for
// it, so nothing pushed in that moment is lost.
func (l *Connections) Push(ctx context.Context, c core.Connection, e core.Event) error {
	frame, err := l.encode(c.User, e)
	if err != nil {
		return err
	}
	l.mu.Lock()
	conn, open := l.conns[c.ID]
	waiting, pending := l.pending[c.ID]
	switch {
	case pending && len(waiting) >= maxPendingFrames:
		l.mu.Unlock()
		return fmt.Errorf("push to %s: %w", c.ID, errTooManyPending)
	case pending:
		l.pending[c.ID] = append(waiting, frame)
		l.mu.Unlock()
		return nil
	}
	l.mu.Unlock()
	if !open {
		return fmt.Errorf("push to %s: %w", c.ID, core.ErrConnectionGone)
	}
	if err := conn.Write(ctx, websocket.MessageText, frame); err != nil {
		return fmt.Errorf("push to %s: %w", c.ID, err)
	}
	if closing, ok := e.(core.ClosingEvent); ok {
		// What API Gateway cannot do: close with the code the frame named.
		l.closeWith(c.ID, websocket.StatusCode(closing.Code), closing.Reason)
	}
	return nil
}

// Disconnect implements core.Pusher: it closes the socket of connectionID,
// as a DELETE on @connections does, unless a ClosingEvent already closed it
// with its own code. A socket that is gone is no error.
func (l *Connections) Disconnect(_ context.Context, connectionID string) error {
	l.closeWith(connectionID, websocket.StatusNormalClosure, "closed by the server")
	return nil
}

// closeWith closes the open socket of id with code and reason, and forgets
// it; the read loop then ends and calls $disconnect.
func (l *Connections) closeWith(id string, code websocket.StatusCode, reason string) {
	l.mu.Lock()
	conn, open := l.conns[id]
	delete(l.conns, id)
	delete(l.pending, id)
	l.mu.Unlock()
	if open {
		// The close handshake waits for the peer; it must not hold up a push.
		go func() { _ = conn.Close(code, reason) }()
	}
}

// Opening holds the frames pushed to id until Open, while its handshake is
// under way.
func (l *Connections) Opening(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending[id] = nil
}

// Open makes conn the socket of id, first writing what waited for it; until
// that is written, later pushes keep waiting behind it, so the order holds.
func (l *Connections) Open(ctx context.Context, id string, conn *websocket.Conn) {
	for {
		l.mu.Lock()
		waiting := l.pending[id]
		if len(waiting) == 0 {
			delete(l.pending, id)
			l.conns[id] = conn
			l.mu.Unlock()
			return
		}
		l.pending[id] = nil
		l.mu.Unlock()
		for _, frame := range waiting {
			writeCtx, cancel := context.WithTimeout(ctx, core.PushDeadline)
			_ = conn.Write(writeCtx, websocket.MessageText, frame)
			cancel()
		}
	}
}

// Close forgets the socket of id, open or opening.
func (l *Connections) Close(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, id)
	delete(l.pending, id)
}

// CloseAll closes every open WebSocket, for shutdown.
func (l *Connections) CloseAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, conn := range l.conns {
		_ = conn.Close(websocket.StatusGoingAway, "server shutting down")
	}
}
