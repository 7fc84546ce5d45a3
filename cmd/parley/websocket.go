package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/core"
)

// localConnections plays API Gateway's WebSocket API under make run: it holds
// the open WebSockets of this process and is the core.Pusher that writes to
// them, as @connections does in AWS.
type localConnections struct {
	mu    sync.Mutex
	conns map[string]*websocket.Conn
	// pending are connections whose handshake is under way: they exist, but
	// cannot be written to yet, so their frames wait here, in order, until the
	// socket is open (at most maxPendingFrames).
	pending map[string][][]byte
}

var _ core.Pusher = (*localConnections)(nil)

func newLocalConnections() *localConnections {
	return &localConnections{conns: map[string]*websocket.Conn{}, pending: map[string][][]byte{}}
}

// maxPendingFrames bounds what waits for a socket still opening.
const maxPendingFrames = 256

// errTooManyPending is a push to an opening socket that already has
// maxPendingFrames waiting.
var errTooManyPending = errors.New("too many frames wait for the socket to open")

// Push implements core.Pusher. A frame for a socket still opening waits for
// it, so nothing pushed in that moment is lost.
func (l *localConnections) Push(ctx context.Context, c core.Connection, e core.Event) error {
	frame, err := apigateway.EncodeEvent(c.User, e)
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
	return nil
}

func (l *localConnections) setPending(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending[id] = nil
}

// open makes conn the socket of id, first writing what waited for it; until
// that is written, later pushes keep waiting behind it, so the order holds.
func (l *localConnections) open(ctx context.Context, id string, conn *websocket.Conn) {
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

func (l *localConnections) close(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, id)
	delete(l.pending, id)
}

// closeAll closes every open WebSocket, for shutdown.
func (l *localConnections) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, conn := range l.conns {
		_ = conn.Close(websocket.StatusGoingAway, "server shutting down")
	}
}

// serveWebSocket does what API Gateway's WebSocket API does in AWS: it hands
// the handshake to $connect, which verifies the token and registers the
// connection, each frame to $default, and the end to $disconnect, as the same
// events the Lambdas receive.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	handler := s.webSocketHandler.Load()
	if handler == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	connectionID := newRequestID()[:22]
	connect := handler.WebSocketRoute("ws-connect")
	s.connections.setPending(connectionID)
	response, err := connect(r.Context(), s.webSocketEvent(r, "$connect", "CONNECT", connectionID, ""))
	if err != nil || response.StatusCode != http.StatusOK {
		s.connections.close(connectionID)
		for name, value := range response.Headers {
			w.Header().Set(name, value)
		}
		w.WriteHeader(response.StatusCode)
		_, _ = w.Write([]byte(response.Body))
		return
	}
	// The SPA's pages may be on another origin than the socket, as in AWS
	// (and in the end-to-end tests): accept a handshake from the SPA's origin.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{apigateway.Subprotocol}, OriginPatterns: s.spaOriginHosts()})
	if err != nil {
		s.connections.close(connectionID)
		s.disconnect(handler, r, connectionID)
		return
	}
	conn.SetReadLimit(apigateway.MaxFrameBytes)
	s.connections.open(r.Context(), connectionID, conn)
	defer func() {
		s.connections.close(connectionID)
		s.disconnect(handler, r, connectionID)
	}()

	frame := handler.WebSocketRoute("ws-default")
	ctx := context.WithoutCancel(r.Context())
	for {
		kind, body, err := conn.Read(ctx)
		if err != nil {
			_ = conn.Close(websocket.StatusNormalClosure, "")
			return
		}
		if kind != websocket.MessageText {
			_ = conn.Close(websocket.StatusUnsupportedData, "send JSON text frames")
			return
		}
		_, _ = frame(ctx, s.webSocketEvent(r, "$default", "MESSAGE", connectionID, string(body)))
	}
}

func (s *Server) disconnect(handler *apigateway.WebSocketHandler, r *http.Request, connectionID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	_, _ = handler.WebSocketRoute("ws-disconnect")(ctx, s.webSocketEvent(r, "$disconnect", "DISCONNECT", connectionID, ""))
}

// webSocketEvent builds the event API Gateway's WebSocket API would hand
// the route's Lambda.
func (s *Server) webSocketEvent(r *http.Request, routeKey, eventType, connectionID, body string) events.APIGatewayWebsocketProxyRequest {
	headers := map[string]string{}
	if eventType == "CONNECT" {
		for name, values := range r.Header {
			headers[name] = strings.Join(values, ",")
		}
	}
	now := time.Now()
	return events.APIGatewayWebsocketProxyRequest{
		Body:    body,
		Headers: headers,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey:         routeKey,
			EventType:        eventType,
			ConnectionID:     connectionID,
			RequestID:        newRequestID(),
			Stage:            "local",
			DomainName:       r.Host,
			ConnectedAt:      now.UnixMilli(),
			RequestTimeEpoch: now.UnixMilli(),
			MessageDirection: "IN",
			Identity:         events.APIGatewayRequestIdentity{SourceIP: sourceIP(r.RemoteAddr), UserAgent: r.UserAgent()},
		},
	}
}

// spaOriginHosts are the hosts of the SPA's origin, for the WebSocket origin
// check; the socket's own host is always accepted.
func (s *Server) spaOriginHosts() []string {
	u, err := url.Parse(s.config.App.AllowedOrigin)
	if err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Host}
}
