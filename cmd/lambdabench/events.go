package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
)

// clientID is the audience of the bench's tokens, as the Cognito SPA
// client's ID would be.
const clientID = "parley-bench-spa"

// issuer is an OpenID issuer on a loopback port: it publishes one RSA key
// where Cognito does (/.well-known/jwks.json) and signs ID tokens with it,
// for the WebSocket functions, which fetch the keys at cold start and verify
// $connect's token themselves.
type issuer struct {
	url  string
	key  *rsa.PrivateKey
	jwks int64
}

const issuerKID = "bench-key"

func newIssuer() (*issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &issuer{key: key}, nil
}

func (i *issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/.well-known/jwks.json" {
		http.NotFound(w, r)
		return
	}
	atomic.AddInt64(&i.jwks, 1)
	encode := base64.RawURLEncoding.EncodeToString
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": issuerKID,
		"n": encode(i.key.N.Bytes()), "e": encode(big.NewInt(int64(i.key.E)).Bytes()),
	}}})
}

// claims are an ID token's claims for email, as the HTTP API's JWT
// authorizer hands them to a Lambda: every value a string.
func (i *issuer) claims(email string) map[string]string {
	now := time.Now()
	return map[string]string{
		"iss": i.url, "aud": clientID, "token_use": "id", "sub": "sub-" + email,
		"cognito:username": email, "email": email, "email_verified": "true",
		"auth_time": strconv.FormatInt(now.Unix(), 10), "iat": strconv.FormatInt(now.Unix(), 10),
		"exp": strconv.FormatInt(now.Add(time.Hour).Unix(), 10),
	}
}

// token is a signed ID token for email.
func (i *issuer) token(email string) (string, error) {
	claims := jwt.MapClaims{}
	for k, v := range i.claims(email) {
		claims[k] = v
	}
	claims["email_verified"] = true
	for _, k := range []string{"auth_time", "iat", "exp"} {
		n, _ := strconv.ParseInt(i.claims(email)[k], 10, 64)
		claims[k] = n
	}
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	token.Header["kid"] = issuerKID
	return token.SignedString(i.key)
}

var requestSeq atomic.Int64

// httpEvent is an API Gateway HTTP API (payload 2.0) event for route, from
// caller, as the JWT authorizer passes it on.
func (i *issuer) httpEvent(method, route, caller, body string, query url.Values) []byte {
	id := strconv.FormatInt(requestSeq.Add(1), 10)
	now := time.Now()
	event := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: method + " /" + route, RawPath: "/" + route, RawQueryString: query.Encode(),
		Headers: map[string]string{
			"accept": "application/json", "authorization": "Bearer eyJ.bench.token", "content-type": "application/json",
			"host": "api.bench.example", "origin": "https://chat.bench.example", "user-agent": "Mozilla/5.0 (bench)",
			"x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-port": "443",
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: method + " /" + route, AccountID: "000000000000", Stage: "$default", RequestID: "bench-" + id,
			APIID: "benchapi", DomainName: "api.bench.example", DomainPrefix: "api", Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: i.claims(caller), Scopes: nil},
			},
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: "/" + route, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: "Mozilla/5.0 (bench)",
			},
		},
		Body: body,
	}
	if len(query) > 0 {
		event.QueryStringParameters = map[string]string{}
		for k := range query {
			event.QueryStringParameters[k] = query.Get(k)
		}
	}
	return mustJSON(event)
}

// webSocketEvent is an API Gateway WebSocket API event on connection.
func webSocketEvent(routeKey, eventType, connection, body string, headers map[string]string) []byte {
	id := strconv.FormatInt(requestSeq.Add(1), 10)
	now := time.Now()
	event := events.APIGatewayWebsocketProxyRequest{
		Headers: headers, Body: body,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			AccountID: "000000000000", Stage: "production", RequestID: "bench-" + id, APIID: "benchws",
			DomainName: "ws.bench.example", RouteKey: routeKey, EventType: eventType, ConnectionID: connection,
			MessageDirection: "IN", MessageID: "m-" + id, RequestTimeEpoch: now.UnixMilli(), ConnectedAt: now.Add(-time.Minute).UnixMilli(),
			Identity: events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "Mozilla/5.0 (bench)"},
		},
	}
	if eventType != "MESSAGE" {
		event.RequestContext.MessageDirection, event.RequestContext.MessageID = "IN", ""
	}
	return mustJSON(event)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// jsonBody is v as a request body.
func jsonBody(v map[string]any) string { return string(mustJSON(v)) }

// responseStatus reads the status code of a Lambda's API Gateway response.
func responseStatus(body []byte) (int, string) {
	var r struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	_ = json.Unmarshal(body, &r)
	return r.StatusCode, r.Body
}

// responseField reads one string field of a JSON response body.
func responseField(body, field string) string {
	var fields map[string]any
	_ = json.Unmarshal([]byte(body), &fields)
	s, _ := fields[field].(string)
	return s
}

// subprotocols is the handshake's Sec-WebSocket-Protocol with token.
func subprotocols(token string) string {
	return strings.Join([]string{"parley.v1", "bearer." + token}, ", ")
}
