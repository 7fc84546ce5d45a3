// Package apigateway is Parley's inbound adapter: it turns API Gateway HTTP API
// (payload format 2.0) events into calls of the core service and the results
// into responses of the ChatScape REST contract.
package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// statusByCode is the one table from application error codes to HTTP status.
var statusByCode = map[string]int{
	core.EINVALID:      http.StatusBadRequest,
	core.EUNAUTHORIZED: http.StatusUnauthorized,
	core.EBLOCKED:      http.StatusForbidden,
	core.EFORBIDDEN:    http.StatusForbidden,
	core.ENOTFOUND:     http.StatusNotFound,
	core.ECONFLICT:     http.StatusConflict,
	core.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	core.ETHROTTLED:    http.StatusTooManyRequests,
	core.ESUSPENDED:    http.StatusForbidden,
	core.EUNAVAILABLE:  http.StatusServiceUnavailable,
	core.EINTERNAL:     http.StatusInternalServerError,
}

// Config is the inbound adapter's configuration.
type Config struct {
	// AllowedOrigin is the SPA origin that CORS lets call the API.
	AllowedOrigin string
	// Issuer and Audience, when set, are the only iss and aud the claims
	// may carry (checkIssuer).
	Issuer   string
	Audience string
	// Observe, when set, is told the outcome of every request served, for
	// metrics.
	Observe func(Outcome)
}

// Outcome is what became of one request.
type Outcome struct {
	Route  string
	Status int
	// Code is the error code of a refused request; empty for a success.
	Code string
}

// Handler serves every route of the REST contract. It is safe for concurrent use.
type Handler struct {
	service *core.Service
	config  Config
	logger  *slog.Logger
	routes  map[string]routeFunc
}

// routeFunc serves one route for an identified caller and returns the status
// and the value to send as the JSON body.
type routeFunc func(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error)

// NewHandler returns the handler of every route over service.
func NewHandler(service *core.Service, config Config, logger *slog.Logger) *Handler {
	h := &Handler{service: service, config: config, logger: logger}
	h.routes = make(map[string]routeFunc, len(Routes))
	for _, route := range Routes {
		h.routes[route.Name] = route.serve(h)
		switch {
		case route.ChecksTokenItself:
		case route.Method == http.MethodGet:
			h.routes[route.Name] = h.authorizedBeside(h.routes[route.Name])
		default:
			h.routes[route.Name] = h.authorized(h.routes[route.Name])
		}
	}
	return h
}

// Route returns the Lambda handler of the named route, one of Routes.
func (h *Handler) Route(name string) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	serve, ok := h.routes[name]
	if !ok {
		panic("apigateway: unknown route " + name)
	}
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		start := time.Now()
		logger := h.logger.With("request_id", req.RequestContext.RequestID, "route", name)
		status, body, err := h.serve(ctx, serve, req)
		response := h.respond(req.RequestContext.RequestID, status, body, err)
		if h.config.Observe != nil {
			h.config.Observe(Outcome{Route: name, Status: response.StatusCode, Code: core.ErrorCode(err)})
		}
		logOutcome(ctx, logger, response.StatusCode, start, err)
		return response, nil
	}
}

// logOutcome writes the one log line of a served request: failed (an
// internal error), refused (any other error) or served, with no email
// address of anyone in it.
func logOutcome(ctx context.Context, logger *slog.Logger, status int, start time.Time, err error) {
	attrs := []any{"status", status, "duration_ms", time.Since(start).Milliseconds()}
	switch code := core.ErrorCode(err); {
	case code == core.EINTERNAL:
		logger.ErrorContext(ctx, "request failed", append(attrs, "code", code, "error", RedactEmails(err.Error()))...)
	case code != "":
		logger.InfoContext(ctx, "request refused", append(attrs, "code", code, "error", RedactEmails(err.Error()))...)
	default:
		logger.InfoContext(ctx, "request served", attrs...)
	}
}

func (h *Handler) serve(ctx context.Context, serve routeFunc, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	if err := h.config.checkIssuer(req.RequestContext.Authorizer); err != nil {
		return 0, nil, err
	}
	caller, err := CallerFromClaims(req.RequestContext.Authorizer)
	if err != nil {
		return 0, nil, err
	}
	if req.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return 0, nil, core.Errorf(core.EINVALID, "The request body is not valid base64.")
		}
		req.Body, req.IsBase64Encoded = string(decoded), false
	}
	if len(req.Body) > MaxBodyBytes {
		return 0, nil, core.Errorf(core.ETOOLARGE, "The request body is larger than %d bytes.", MaxBodyBytes)
	}
	if err := checkBodyText(req.Body); err != nil {
		return 0, nil, err
	}
	return serve(ctx, caller, req)
}

// CallerFromClaims identifies the caller from the claims the JWT authorizer
// verified: an ID token (token_use "id" where present) with a verified email.
func CallerFromClaims(authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) (core.Caller, error) {
	if authorizer == nil || authorizer.JWT == nil {
		return core.Caller{}, core.Errorf(core.EUNAUTHORIZED, "Sign in to use Parley.")
	}
	return CallerFromClaimMap(authorizer.JWT.Claims)
}

// CallerFromClaimMap identifies the caller from the verified claims of an ID
// token, flattened to strings.
func CallerFromClaimMap(claims map[string]string) (core.Caller, error) {
	if use, ok := claims["token_use"]; ok && use != "id" {
		// The claim's value is not quoted back: the body never echoes token content.
		return core.Caller{}, core.Errorf(core.EUNAUTHORIZED, "Send an ID token; this token is not one.")
	}
	caller, err := core.NewCaller(claims["email"], claims["email_verified"] == "true")
	if err != nil {
		return core.Caller{}, err
	}
	if iat, err := strconv.ParseFloat(claims["iat"], 64); err == nil {
		caller.IssuedAt = time.UnixMilli(int64(math.Round(iat * 1000))).UTC()
	}
	return caller, nil
}

// Unauthorized is the response to a request whose token failed verification
// before it reached a route; it carries the same CORS headers as every other.
func (h *Handler) Unauthorized(requestID string, err error) events.APIGatewayV2HTTPResponse {
	if core.ErrorCode(err) != core.EUNAUTHORIZED {
		err = core.Errorf(core.EUNAUTHORIZED, "Sign in to use Parley.")
	}
	return h.respond(requestID, 0, nil, err)
}

// Refuse is the response to a request refused before it reached a route for
// another reason than its token, such as a body that could not be read: the
// contract's error body with the same CORS headers as every other response.
// An error without a code answers 500 with no detail.
func (h *Handler) Refuse(requestID string, err error) events.APIGatewayV2HTTPResponse {
	return h.respond(requestID, 0, nil, err)
}

// Preflight is the response to a CORS preflight request.
func (h *Handler) Preflight() events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: h.corsHeaders()}
}

func (h *Handler) corsHeaders() map[string]string {
	return map[string]string{
		"Access-Control-Allow-Origin":   h.config.AllowedOrigin,
		"Access-Control-Allow-Headers":  "authorization,content-type",
		"Access-Control-Allow-Methods":  "GET,POST,OPTIONS",
		"Access-Control-Max-Age":        "600",
		"Access-Control-Expose-Headers": NextCursorHeader + ",Retry-After",
		"Vary":                          "Origin",
	}
}

func (h *Handler) respond(requestID string, status int, body any, err error) events.APIGatewayV2HTTPResponse {
	headers := h.corsHeaders()
	headers["Content-Type"] = "application/json; charset=utf-8"
	headers["Cache-Control"] = "no-store"
	headers["X-Request-Id"] = requestID
	if err != nil {
		code, message := core.ErrorCode(err), publicMessage(err, contractFields)
		status = statusByCode[code]
		if status == 0 {
			// A code missing from the table is a bug: answer as for any
			// internal error rather than with status 0 and its message.
			code, message, status = core.EINTERNAL, core.ErrorMessage(nil), http.StatusInternalServerError
		}
		body = errorResponse{Code: code, Message: message}
		if wait := core.RetryAfter(err); wait > 0 && code != core.EINTERNAL {
			headers["Retry-After"] = RetryAfterSeconds(wait)
		}
	}
	if with, ok := body.(withHeaders); ok {
		for name, value := range with.headers {
			headers[name] = value
		}
		body = with.body
	}
	encoded, encodeErr := json.Marshal(body)
	if encodeErr != nil {
		status, encoded = http.StatusInternalServerError, []byte(`{"code":"internal","message":"Internal error."}`)
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers, Body: string(encoded)}
}

// decode reads the JSON body into dst and validates it, naming the field at fault.
func (h *Handler) decode(body string, dst any) error {
	if strings.TrimSpace(body) == "" {
		return core.Errorf(core.EINVALID, "The request body is empty; send a JSON object.")
	}
	decoder := json.NewDecoder(strings.NewReader(body))
	if err := decoder.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return &core.Error{Code: core.EINVALID, Field: typeErr.Field, Message: fmt.Sprintf("%s: must be a %s", typeErr.Field, jsonTypeName(typeErr.Type))}
		}
		return core.Errorf(core.EINVALID, "The request body is not a valid JSON object.")
	}
	if decoder.More() {
		return core.Errorf(core.EINVALID, "The request body holds more than one JSON value.")
	}
	return validateFields(dst)
}

func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "number"
	default:
		return t.Kind().String()
	}
}

// authorized is serve once the service has checked that the caller's token
// was not issued for an account deleted since (core.Service.Authorize).
func (h *Handler) authorized(serve routeFunc) routeFunc {
	return func(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
		if err := h.service.Authorize(ctx, caller); err != nil {
			return 0, nil, err
		}
		return serve(ctx, caller, req)
	}
}

// authorizedBeside is a read-only serve with the same check as authorized,
// made beside it rather than before it: a read changes nothing, so it waits
// for one round trip, and what it read is answered only when the check
// passes.
func (h *Handler) authorizedBeside(serve routeFunc) routeFunc {
	return func(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
		var status int
		var body any
		var served, refused error
		var wg sync.WaitGroup
		wg.Go(func() { refused = h.service.Authorize(ctx, caller) })
		wg.Go(func() { status, body, served = serve(ctx, caller, req) })
		wg.Wait()
		if refused != nil {
			return 0, nil, refused
		}
		return status, body, served
	}
}

func (h *Handler) addContact(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in addContactRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	contact, created, err := h.service.AddContact(ctx, caller, core.AddContactInput{Email: in.Email, Name: in.Name})
	if err != nil {
		return 0, nil, err
	}
	return createdOrOK(created), toContactResponse(contact), nil
}

// changeContact is a route whose body names a contact by email, answered
// with the contact as change leaves it: block-contact and unblock-contact.
func (h *Handler) changeContact(change func(context.Context, core.Caller, string) (core.Contact, error)) routeFunc {
	return func(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
		var in emailRequest
		if err := h.decode(req.Body, &in); err != nil {
			return 0, nil, err
		}
		contact, err := change(ctx, caller, in.Email)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toContactResponse(contact), nil
	}
}

func (h *Handler) reportContact(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in reportContactRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	contact, err := h.service.ReportContact(ctx, caller, in.Email, in.Report)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toContactResponse(contact), nil
}

func (h *Handler) addMessage(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in addMessageRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	message, created, err := h.service.AddMessage(ctx, caller, core.AddMessageInput{Recipient: in.RecipientNamespace, Text: in.Message, ClientID: in.ClientID})
	if err != nil {
		return 0, nil, err
	}
	return createdOrOK(created), toMessageResponse(message, caller), nil
}

func (h *Handler) getMessages(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	query := req.QueryStringParameters
	in := core.GetMessagesInput{With: query["recipientNamespace"], Before: query["before"], After: query["after"]}
	if in.With == "" {
		return 0, nil, &core.Error{Code: core.EINVALID, Field: "recipientNamespace", Message: "recipientNamespace: is required"}
	}
	limit, err := core.ParsePageLimit(query["limit"], core.MaxMessagePage)
	if err != nil {
		return 0, nil, err
	}
	in.Limit = limit
	messages, err := h.service.GetMessages(ctx, caller, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toMessageResponses(messages, caller), nil
}

func (h *Handler) ack(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in ackRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	w, err := h.service.Ack(ctx, caller, core.AckInput{With: in.RecipientNamespace, UpTo: in.UpTo, Read: in.Read}, "")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, watermarksResponse{Delivered: w.Delivered, Read: w.Read}, nil
}

func (h *Handler) deleteMessage(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in deleteMessageRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	message, err := h.service.DeleteMessage(ctx, caller, core.DeleteMessageInput{With: in.RecipientNamespace, ID: in.ID})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toMessageResponse(message, caller), nil
}

type deleteAccountRequest struct {
	Confirm string `json:"confirm" validate:"required"`
}

type deletedAccountResponse struct {
	Deleted bool `json:"deleted"`
}

func (h *Handler) deleteAccount(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in deleteAccountRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	if _, err := h.service.DeleteAccount(ctx, caller, in.Confirm); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, deletedAccountResponse{Deleted: true}, nil
}

type exportResponse struct {
	URL     string `json:"url"`
	Expires string `json:"expires"`
}

func (h *Handler) export(ctx context.Context, caller core.Caller, _ events.APIGatewayV2HTTPRequest) (int, any, error) {
	link, err := h.service.Export(ctx, caller)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, exportResponse{URL: link.URL, Expires: formatTime(link.Expires)}, nil
}

func createdOrOK(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}
