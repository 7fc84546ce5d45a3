package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/parley-chat/parley/adapters/apigateway"
)

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
	s.connections.Opening(connectionID)
	response, err := connect(r.Context(), s.webSocketEvent(r, "$connect", "CONNECT", connectionID, ""))
	if err != nil || response.StatusCode != http.StatusOK {
		s.connections.Close(connectionID)
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
		s.connections.Close(connectionID)
		s.disconnect(handler, r, connectionID)
		return
	}
	conn.SetReadLimit(apigateway.MaxFrameBytes)
	s.connections.Open(r.Context(), connectionID, conn)
	defer func() {
		s.connections.Close(connectionID)
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
