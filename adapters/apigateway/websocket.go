package apigateway

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// Subprotocol is the realtime protocol a client asks for in
// Sec-WebSocket-Protocol, beside "bearer.<id_token>"; the server answers with it.
const Subprotocol = "parley.v1"

// bearerSubprotocolPrefix carries the ID token in Sec-WebSocket-Protocol:
// browsers cannot set Authorization on a WebSocket, and a token in the URL
// would end up in access logs.
const bearerSubprotocolPrefix = "bearer."

// MaxFrameBytes is the largest frame a connection may send.
const MaxFrameBytes = 4 << 10

// TokenVerifier verifies an OIDC ID token and returns its claims, flattened
// to strings; *oidc.Verifier implements it.
type TokenVerifier interface {
	Verify(ctx context.Context, rawToken string) (map[string]string, error)
}

// WebSocketHandler serves the routes of the realtime WebSocket API: $connect,
// $disconnect and $default. It is safe for concurrent use.
type WebSocketHandler struct {
	*Handler
	verifier TokenVerifier
	routes   map[string]webSocketFunc
}

type webSocketFunc func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error)

// NewWebSocketHandler returns the handler of every WebSocket route over
// service, verifying $connect's token with verifier.
func NewWebSocketHandler(service *core.Service, verifier TokenVerifier, config Config, logger *slog.Logger) *WebSocketHandler {
	h := &WebSocketHandler{Handler: NewHandler(service, config, logger), verifier: verifier}
	h.routes = make(map[string]webSocketFunc, len(WebSocketRoutes))
	for _, route := range WebSocketRoutes {
		h.routes[route.Name] = route.serve(h)
	}
	return h
}

// WebSocketRoute returns the Lambda handler of the named route, one of
// WebSocketRoutes.
func (h *WebSocketHandler) WebSocketRoute(name string) func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	serve, ok := h.routes[name]
	if !ok {
		panic("apigateway: unknown WebSocket route " + name)
	}
	return func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		start := time.Now()
		response, err := serve(ctx, req)
		logger := h.logger.With("request_id", req.RequestContext.RequestID, "route", name, "connection_id", req.RequestContext.ConnectionID)
		logOutcome(ctx, logger, response.StatusCode, start, err)
		return response, nil
	}
}

// connect verifies the ID token of the handshake and registers the connection.
func (h *WebSocketHandler) connect(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	token, err := BearerSubprotocol(header(req.Headers, "Sec-WebSocket-Protocol"))
	if err != nil {
		return h.refuseHandshake(err), err
	}
	claims, err := h.verifier.Verify(ctx, token)
	if err != nil {
		return h.refuseHandshake(err), err
	}
	caller, err := CallerFromClaimMap(claims)
	if err != nil {
		return h.refuseHandshake(err), err
	}
	if _, err := h.service.ConnectUntil(ctx, caller, req.RequestContext.ConnectionID, tokenExpiry(claims)); err != nil {
		return h.refuseHandshake(err), err
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Sec-WebSocket-Protocol": Subprotocol}}, nil
}

func (h *WebSocketHandler) refuseHandshake(err error) events.APIGatewayProxyResponse {
	response := h.respond("", 0, nil, err)
	return events.APIGatewayProxyResponse{StatusCode: response.StatusCode, Headers: response.Headers, Body: response.Body}
}

func (h *WebSocketHandler) disconnect(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	if err := h.service.Disconnect(ctx, req.RequestContext.ConnectionID); err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// frame serves one frame a connection sent. A frame that is refused is
// answered on that connection with an error frame.
func (h *WebSocketHandler) frame(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	caller, connection, err := h.service.ConnectionCaller(ctx, req.RequestContext.ConnectionID)
	if core.ErrorCode(err) == core.EUNAUTHORIZED {
		// Its token expired (or it was forgotten): it gets nothing more.
		h.service.CloseUnknownConnection(ctx, req.RequestContext.ConnectionID)
	}
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusUnauthorized}, err
	}
	if err := h.serveFrame(ctx, caller, connection, req.Body); err != nil {
		if core.ErrorCode(err) == core.EINTERNAL {
			return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, err
		}
		h.service.Refuse(ctx, connection, err)
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// serveFrame serves one frame. Each frame spends from the caller's budget:
// a typing signal a send (core.Service.Typing), an ack a frame
// (core.Service.Ack), a ping a frame (core.Service.Ping), a visibility
// change a frame (core.Service.SetVisibility), and a frame that
// cannot be read a frame too, before it is refused for what it is.
func (h *WebSocketHandler) serveFrame(ctx context.Context, caller core.Caller, connection core.Connection, body string) error {
	var in clientFrame
	var err error
	if len(body) > MaxFrameBytes {
		err = core.Errorf(core.ETOOLARGE, "The frame is larger than %d bytes.", MaxFrameBytes)
	} else {
		err = h.decode(body, &in)
	}
	if err != nil {
		if spent := h.service.SpendFrame(ctx, caller); spent != nil {
			return spent
		}
		return err
	}
	switch in.Action {
	case "ping":
		_, err := h.service.Ping(ctx, caller, connection)
		return err
	case "typing":
		_, err := h.service.Typing(ctx, caller, connection, in.To)
		return err
	case "visibility":
		return h.service.SetVisibility(ctx, connection, *in.Visible)
	default: // "ack": the validation allows nothing else
		_, err := h.service.Ack(ctx, caller, core.AckInput{With: in.With, UpTo: in.UpTo, Read: in.Read}, connection.ID)
		return err
	}
}

// tokenExpiry is the expiry of the verified token whose claims are claims,
// its exp in Unix seconds; zero when it has none (the verifier requires one).
func tokenExpiry(claims map[string]string) time.Time {
	exp, err := strconv.ParseInt(claims["exp"], 10, 64)
	if err != nil || exp <= 0 {
		return time.Time{}
	}
	return time.Unix(exp, 0).UTC()
}

// BearerSubprotocol returns the ID token of a Sec-WebSocket-Protocol header
// that offers Subprotocol and "bearer.<id_token>".
func BearerSubprotocol(header string) (string, error) {
	var token string
	offersProtocol := false
	for _, protocol := range strings.Split(header, ",") {
		protocol = strings.TrimSpace(protocol)
		switch {
		case protocol == Subprotocol:
			offersProtocol = true
		case strings.HasPrefix(protocol, bearerSubprotocolPrefix):
			token = strings.TrimPrefix(protocol, bearerSubprotocolPrefix)
		}
	}
	switch {
	case !offersProtocol:
		return "", core.Errorf(core.EUNAUTHORIZED, "Ask for the %s subprotocol.", Subprotocol)
	case token == "":
		return "", core.Errorf(core.EUNAUTHORIZED, "Send your ID token as the subprotocol %s<id_token>.", bearerSubprotocolPrefix)
	}
	return token, nil
}

// header returns the value of the named header, whatever its case.
func header(headers map[string]string, name string) string {
	for key, value := range headers {
		if strings.EqualFold(key, name) {
			return value
		}
	}
	return ""
}
