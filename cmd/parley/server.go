package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/feed"
	"github.com/parley-chat/parley/adapters/localsocket"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/adapters/webpush"
	"github.com/parley-chat/parley/cmd/parley/internal/devoidc"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
	"github.com/parley-chat/parley/lambdas/extra/stream"
)

const (
	// shutdownGrace bounds how long in-flight requests may finish on shutdown.
	shutdownGrace = 10 * time.Second
	// readTimeout bounds reading one whole request, body included, so a
	// client trickling its body cannot hold a connection and its goroutine.
	readTimeout = 30 * time.Second
	// idleTimeout closes keep-alive connections nobody uses.
	idleTimeout = 2 * time.Minute
)

// Server is the local server's HTTP side.
type Server struct {
	config           Config
	logger           *slog.Logger
	handler          *apigateway.Handler
	verifier         atomic.Pointer[oidc.Verifier]
	webSocketHandler atomic.Pointer[apigateway.WebSocketHandler]
	connections      *localsocket.Connections
	mux              *http.ServeMux
}

// Run serves until ctx is done, then shuts down gracefully. When ready is not
// nil it receives the server's base URL once every route answers.
func Run(ctx context.Context, config Config, logger *slog.Logger, ready chan<- string) error {
	if err := config.checkDevSignInReach(); err != nil {
		return err
	}
	store, err := newStore(ctx, config)
	if err != nil {
		return fmt.Errorf("%s store: %w", config.Store, err)
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(config.Host, config.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	address := "http://" + listener.Addr().String()
	if config.PublicURL == "" {
		config.PublicURL = "http://localhost:" + portOf(listener.Addr())
	}
	if config.WebSocketURL == "" {
		config.WebSocketURL = webSocketURL(config.PublicURL)
	}
	if config.App.AllowedOrigin == "" {
		config.App.AllowedOrigin = config.PublicURL
	}
	// Notifications as the notify Lambda sends them in AWS, signed with a
	// key pair of this process's: a browser subscribes again after a restart.
	vapidKeys, err := webpush.GenerateKeys()
	if err != nil {
		return err
	}
	notifications, notifyQueue := stream.LocalNotifications(store, vapidKeys, "mailto:parley@localhost", logger)
	defer notifyQueue.Close()
	exports := newLocalExports(config.PublicURL)
	options := append(notifications, core.WithExports(extra.ExportsTo(exports)))
	service, connections, snapshots, err := newLocalService(store, logger, options...)
	if err != nil {
		return err
	}
	server := &Server{config: config, logger: logger, connections: connections, mux: http.NewServeMux()}
	issuer, err := server.issuer(address)
	if err != nil {
		return err
	}
	// The handler checks the claims name this issuer, as the Lambdas do.
	config.App.OIDCIssuer, config.App.OIDCClientID = issuer.Issuer, issuer.ClientID
	server.handler = lambdas.NewHandler(service, config.App, logger)
	server.routes(issuer)
	server.mux.Handle("GET /exports/", exports)
	// A channel made before this process started has its snapshot published
	// when first asked for, with the core code the feed Lambda runs in AWS.
	server.mux.Handle("/feeds/", snapshots.Handler(func(ctx context.Context, channel string) error {
		_, err := service.PublishSnapshot(ctx, snapshots, channel)
		return err
	}))

	headers, err := securityHeaders(config, issuer)
	if err != nil {
		return err
	}
	httpServer := &http.Server{Handler: withSecurityHeaders(headers, server), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: readTimeout, IdleTimeout: idleTimeout}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(listener) }()

	verifier, err := oidc.NewVerifier(ctx, issuer, nil)
	if err != nil {
		_ = httpServer.Close()
		return err
	}
	defer verifier.Close()
	server.verifier.Store(verifier)
	server.webSocketHandler.Store(lambdas.NewWebSocketHandler(service, verifier, config.App, logger))
	logger.Info("Parley is running", "url", config.PublicURL, "listen", address, "store", config.Store)
	if ready != nil {
		ready <- address
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	// Shutdown does not wait for hijacked connections: close them first.
	server.connections.CloseAll()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	logger.Info("Parley stopped")
	return nil
}

// newLocalService is the service of the local server, wired as a Lambda's is,
// with the local stand-ins for @connections and for the feed Lambda's bucket:
// it pushes to the one and publishes channel snapshots to the other after
// every post, deletion and creation.
func newLocalService(store core.Store, logger *slog.Logger, extra ...core.Option) (*core.Service, *localsocket.Connections, *feed.Local, error) {
	limit, err := lambdas.SendLimitFromEnv()
	if err != nil {
		return nil, nil, nil, err
	}
	options, err := lambdas.BudgetOptions(store, limit)
	if err != nil {
		return nil, nil, nil, err
	}
	connections := localsocket.New(apigateway.EncodeEvent)
	snapshots := feed.NewLocal()
	options = append(options, lambdas.PushOptions(connections, logger)...)
	options = append(options, core.WithSnapshotWriter(snapshots, func(channel string, err error) {
		logger.Error("snapshot failed", "channel", channel, "error", err.Error())
	}))
	options = append(options, extra...)
	return lambdas.NewService(store, options...), connections, snapshots, nil
}

// issuer is the OpenID provider whose tokens the server accepts: the
// configured one, or else the development sign-in, served at /dev-oidc/ of
// this server, address.
func (s *Server) issuer(address string) (oidc.Config, error) {
	if s.config.OIDC.Issuer != "" {
		return s.config.OIDC, nil
	}
	provider, err := devoidc.New(s.config.PublicURL+"/dev-oidc", devClientID)
	if err != nil {
		return oidc.Config{}, err
	}
	s.mux.Handle("/dev-oidc/", http.StripPrefix("/dev-oidc", provider.Handler()))
	s.logger.Info("development sign-in enabled: any email signs in", "issuer", provider.Issuer())
	if !isLoopback(s.config.Host) {
		s.logger.Warn("the development sign-in is reachable beyond this machine, as "+EnvDevSignInAnyHost+" asks: anyone who reaches it can sign in as any email", "listen", s.config.Host)
	}
	// The verifier fetches the development provider's keys from this very
	// listener, whatever public URL the browser uses.
	return oidc.Config{Issuer: provider.Issuer(), ClientID: provider.ClientID(), JWKSURL: address + "/dev-oidc/.well-known/jwks.json"}, nil
}

func newStore(ctx context.Context, config Config) (core.Store, error) {
	if config.Store != "dynamodb" {
		return memory.New(), nil
	}
	client, err := lambdas.NewDynamoDBClient(ctx, config.App)
	if err != nil {
		return nil, err
	}
	if err := dynamodb.CreateTable(ctx, client, config.App.TableName); err != nil {
		return nil, err
	}
	return dynamodb.New(client, config.App.TableName), nil
}

func (s *Server) routes(issuer oidc.Config) {
	for _, route := range apigateway.Routes {
		serve := s.handler.Route(route.Name)
		path := "/" + route.Name
		s.mux.HandleFunc(route.Method+" "+path, func(w http.ResponseWriter, r *http.Request) {
			s.serveRoute(w, r, route, serve)
		})
		s.mux.HandleFunc("OPTIONS "+path, func(w http.ResponseWriter, _ *http.Request) {
			writeEventResponse(w, s.handler.Preflight())
		})
	}
	s.mux.HandleFunc("GET /ws", s.serveWebSocket)
	s.mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, _ *http.Request) {
		s.serveConfig(w, issuer)
	})
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if s.verifier.Load() == nil {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	s.mux.Handle("/", newSPAHandler(s.config.FrontendDir))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// serveRoute does what API Gateway does in AWS: verify the token, turn the
// request into an HTTP API (payload 2.0) event with the verified claims, and
// hand it to the route's Lambda handler.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, route apigateway.Route, serve func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)) {
	requestID := newRequestID()
	verifier := s.verifier.Load()
	if verifier == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	token, err := oidc.BearerToken(r.Header.Get("Authorization"))
	var claims map[string]string
	if err == nil {
		claims, err = verifier.Verify(r.Context(), token)
	}
	if err != nil {
		s.logger.Info("request refused", "request_id", requestID, "route", route.Name, "status", http.StatusUnauthorized, "error", apigateway.RedactEmails(err.Error()))
		writeEventResponse(w, s.handler.Unauthorized(requestID, err))
		return
	}
	// Read one byte past the limit so the handler can answer 413 without the
	// server ever holding more.
	body, err := io.ReadAll(io.LimitReader(r.Body, apigateway.MaxBodyBytes+1))
	if err != nil {
		s.logger.Info("request refused", "request_id", requestID, "route", route.Name, "status", http.StatusBadRequest, "error", err.Error())
		writeEventResponse(w, s.handler.Refuse(requestID, core.Errorf(core.EINVALID, "The request body could not be read.")))
		return
	}
	response, err := serve(r.Context(), toEvent(r, route, body, claims, requestID))
	if err != nil {
		s.logger.Error("request failed", "request_id", requestID, "route", route.Name, "error", apigateway.RedactEmails(err.Error()))
		writeEventResponse(w, s.handler.Refuse(requestID, err))
		return
	}
	writeEventResponse(w, response)
}

// toEvent builds the API Gateway HTTP API event of r, as API Gateway would
// after its JWT authorizer accepted the token.
func toEvent(r *http.Request, route apigateway.Route, body []byte, claims map[string]string, requestID string) events.APIGatewayV2HTTPRequest {
	headers := make(map[string]string, len(r.Header))
	for name, values := range r.Header {
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	query := map[string]string{}
	for name, values := range r.URL.Query() {
		query[name] = strings.Join(values, ",")
	}
	now := time.Now()
	event := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.Method + " /" + route.Name,
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  route.Method + " /" + route.Name,
			Stage:     "$default",
			RequestID: requestID,
			Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r.RemoteAddr),
				UserAgent: r.UserAgent(),
			},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
			},
		},
	}
	if utf8.Valid(body) {
		event.Body = string(body)
	} else {
		event.Body, event.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return event
}

func writeEventResponse(w http.ResponseWriter, response events.APIGatewayV2HTTPResponse) {
	for name, value := range response.Headers {
		w.Header().Set(name, value)
	}
	body := []byte(response.Body)
	if response.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(response.Body)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		body = decoded
	}
	w.WriteHeader(response.StatusCode)
	_, _ = w.Write(body)
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sourceIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

func portOf(addr net.Addr) string {
	_, port, _ := net.SplitHostPort(addr.String())
	return port
}
