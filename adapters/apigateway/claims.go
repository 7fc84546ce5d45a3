package apigateway

import (
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// checkIssuer is defence in depth behind the JWT authorizer: when the
// adapter is configured with an issuer and an audience (PARLEY_OIDC_ISSUER and
// PARLEY_OIDC_CLIENT_ID in the Lambdas), the claims must name them, so a
// route wired by mistake to another authorizer, or invoked directly with a
// forged event, does not serve tokens of another pool or client.
func (c Config) checkIssuer(authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) error {
	if c.Issuer == "" && c.Audience == "" {
		return nil
	}
	if authorizer == nil || authorizer.JWT == nil {
		return core.Errorf(core.EUNAUTHORIZED, "Sign in to use Parley.")
	}
	claims := authorizer.JWT.Claims
	if c.Issuer != "" && strings.TrimSuffix(claims["iss"], "/") != strings.TrimSuffix(c.Issuer, "/") {
		return core.Errorf(core.EUNAUTHORIZED, "The token was issued by another issuer.")
	}
	if c.Audience != "" && !audienceHas(claims["aud"], c.Audience) {
		return core.Errorf(core.EUNAUTHORIZED, "The token was issued for another client.")
	}
	return nil
}

// audienceHas reports whether the aud claim, as the authorizer renders it (a
// string, or "[a b]" for a list), names audience.
func audienceHas(aud, audience string) bool {
	if aud == audience {
		return true
	}
	if strings.HasPrefix(aud, "[") && strings.HasSuffix(aud, "]") {
		return slices.Contains(strings.Fields(aud[1:len(aud)-1]), audience)
	}
	return false
}
