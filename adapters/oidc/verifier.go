package oidc

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/parley-chat/parley/core"
)

const (
	// leeway absorbs clock skew between the issuer and us on exp, nbf and iat.
	leeway = 30 * time.Second
	// maxTokenBytes bounds the work done on attacker-supplied input; real ID
	// tokens are 1-2 KB.
	maxTokenBytes = 16 << 10
	// unknownKIDRefreshEvery is how often a token with an unknown kid may make
	// us fetch the JWKS again. Issuers announce a new key before they use it,
	// so one refresh is enough, and the limit stops random kids from turning
	// us into a load generator against the issuer.
	unknownKIDRefreshEvery = time.Minute
	// rateLimitWaitMax is how long a request may wait for the refresh rate
	// limiter. The limiter fails at once when the wait would be longer, so a
	// token with an unknown kid is refused quickly instead of holding the
	// request.
	rateLimitWaitMax = 2 * time.Second
	// jwksRefreshInterval is the background refresh of the key set.
	jwksRefreshInterval = time.Hour
	// jwksHTTPTimeout bounds one JWKS fetch.
	jwksHTTPTimeout = 10 * time.Second
)

// Verifier verifies OIDC ID tokens of one issuer and audience. It is safe for
// concurrent use; build one at cold start and share it.
type Verifier struct {
	keys   keyfunc.Keyfunc
	parser *jwt.Parser
	cancel context.CancelFunc
}

// NewVerifier validates cfg, fetches the issuer's JWKS once through client
// (nil means http.DefaultClient) and starts refreshing it in the background
// every hour until ctx is done or Close is called. A token signed with a key
// ID the verifier does not know triggers one more fetch, at most once a
// minute. A failed first fetch is logged, not returned, so the local server
// can build its verifier before its own development provider listens.
func NewVerifier(ctx context.Context, cfg Config, client *http.Client) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new oidc verifier: %w", err)
	}
	if client == nil {
		client = http.DefaultClient
	}
	jwksURL := cfg.jwksURL()
	ctx, cancel := context.WithCancel(ctx)
	keys, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{jwksURL}, keyfunc.Override{
		Client:            client,
		HTTPTimeout:       jwksHTTPTimeout,
		RateLimitWaitMax:  rateLimitWaitMax,
		RefreshInterval:   jwksRefreshInterval,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(unknownKIDRefreshEvery), 1),
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				slog.WarnContext(ctx, "oidc: fetch JWKS failed", "url", u, "error", err)
			}
		},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("new oidc verifier: keys from %s: %w", jwksURL, err)
	}
	return &Verifier{
		keys: keys,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.ClientID),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway),
			jwt.WithJSONNumber(),
		),
		cancel: cancel,
	}, nil
}

// Close stops the background JWKS refresh. The verifier keeps verifying with
// the keys it has.
func (v *Verifier) Close() {
	v.cancel()
}

// Verify checks rawToken and returns its claims in the shape the API Gateway
// HTTP API JWT authorizer hands to a Lambda in
// requestContext.authorizer.jwt.claims (see FlattenClaims), so code reading
// claims works the same behind the authorizer and behind this verifier.
//
// The token must be an RS256 JWS signed by a key of the issuer's JWKS, found
// by its kid header; iss must equal the configured issuer and aud contain the
// client ID; exp is required and, like nbf and iat, checked with 30 s of
// leeway; token_use, when present, must be "id"; email must be a non-empty
// string and email_verified true (a JSON boolean, or the string "true" as
// Cognito sometimes sends it). Every failure is a *core.Error with code
// core.EUNAUTHORIZED and a short reason that never quotes the token.
func (v *Verifier) Verify(ctx context.Context, rawToken string) (map[string]string, error) {
	if rawToken == "" {
		return nil, unauthorized("No token was given.")
	}
	if len(rawToken) > maxTokenBytes {
		return nil, unauthorized("The token is too large.")
	}
	claims := jwt.MapClaims{}
	_, err := v.parser.ParseWithClaims(rawToken, claims, v.keyfunc(ctx))
	if err != nil {
		return nil, unauthorized(reason(err))
	}
	if use, present := claims["token_use"]; present && use != "id" {
		return nil, unauthorized("The token is not an ID token.")
	}
	if email, _ := claims["email"].(string); strings.TrimSpace(email) == "" {
		return nil, unauthorized("The token carries no email address.")
	}
	if !isTrue(claims["email_verified"]) {
		return nil, unauthorized("The email address of this account is not verified.")
	}
	return FlattenClaims(claims), nil
}

// keyfunc insists on a kid: without one keyfunc would try every key in the
// set, and the rules say a token names the key that signed it.
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	lookup := v.keys.KeyfuncCtx(ctx)
	return func(token *jwt.Token) (any, error) {
		kid, _ := token.Header["kid"].(string)
		if kid == "" {
			return nil, errMissingKID
		}
		key, err := lookup(token)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errUnknownKey, err)
		}
		if _, ok := key.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("%w: key %T is not an RSA public key", errUnknownKey, key)
		}
		return key, nil
	}
}

var (
	errMissingKID = errors.New("token header has no kid")
	errUnknownKey = errors.New("no usable key for kid")
)

// reason turns a parse error into a caller-safe sentence. The jwt and keyfunc
// messages can quote header values, so they are never passed on.
func reason(err error) string {
	switch {
	case errors.Is(err, errMissingKID):
		return "The token does not name its signing key."
	case errors.Is(err, errUnknownKey):
		return "The token was signed with an unknown key."
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "The token is malformed."
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		// Also the error for a signing method other than RS256.
		return "The token signature is invalid."
	case errors.Is(err, jwt.ErrTokenExpired):
		return "The token has expired."
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "The token is not valid yet."
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "The token was issued in the future."
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "The token was issued by another issuer."
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "The token was issued for another client."
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "The token lacks a required claim."
	default:
		return "The token is invalid."
	}
}

func unauthorized(reason string) error {
	return core.Errorf(core.EUNAUTHORIZED, "%s", reason)
}

// isTrue accepts a JSON true and the string "true" (Cognito's rendering).
func isTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	default:
		return false
	}
}

// BearerToken returns the token of an Authorization header value
// "Bearer <token>"; the scheme is case-insensitive. Anything else is a
// *core.Error with code core.EUNAUTHORIZED.
func BearerToken(authorizationHeader string) (string, error) {
	if strings.TrimSpace(authorizationHeader) == "" {
		return "", unauthorized("The Authorization header is missing.")
	}
	scheme, token, found := strings.Cut(strings.TrimSpace(authorizationHeader), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", unauthorized("The Authorization header is not a Bearer token.")
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", unauthorized("The Authorization header is not a Bearer token.")
	}
	return token, nil
}

// FlattenClaims renders claims the way the API Gateway HTTP API JWT
// authorizer does for requestContext.authorizer.jwt.claims: strings as they
// are; booleans as "true" or "false"; numbers in decimal, integers without
// exponent or fraction (exp "1735689600"); arrays as their flattened elements
// joined by spaces inside brackets ("[admin users]"); objects as compact JSON;
// null as "". Claims whose value cannot be rendered are left out.
func FlattenClaims(claims map[string]any) map[string]string {
	flat := make(map[string]string, len(claims))
	for k, v := range claims {
		if s, ok := flatten(v); ok {
			flat[k] = s
		}
	}
	return flat
}

func flatten(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case json.Number:
		return formatNumber(string(t))
	case float64:
		return formatNumber(strconv.FormatFloat(t, 'g', -1, 64))
	case int:
		return strconv.Itoa(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := flatten(e)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return "[" + strings.Join(parts, " ") + "]", true
	case []string:
		return "[" + strings.Join(t, " ") + "]", true
	case map[string]any:
		b, err := json.Marshal(t)
		if err != nil {
			return "", false
		}
		return string(b), true
	default:
		return "", false
	}
}

// maxPlainExponent bounds the binary exponent of a number that formatNumber
// converts to decimal: writing out 1e600000000 costs minutes of CPU and
// hundreds of MB, and every float64 fits well inside the bound.
const maxPlainExponent = 1100

// formatNumber prints integers exactly, even when written as 1.7e9, and
// anything else in plain decimal; magnitudes beyond float64's range are left
// as the token wrote them.
func formatNumber(s string) (string, bool) {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s, true
	}
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	if err != nil {
		return "", false
	}
	if exp := f.MantExp(nil); exp > maxPlainExponent || exp < -maxPlainExponent {
		return s, true
	}
	if f.IsInt() {
		i, _ := f.Int(nil)
		return i.String(), true
	}
	return f.Text('f', -1), true
}
