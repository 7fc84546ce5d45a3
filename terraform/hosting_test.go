package terraform_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/terraform"
)

// customDomainPlanJSONEnv names the `terraform show -json` output of a plan
// of the stack with a custom domain (scripts/test-terraform.sh).
const customDomainPlanJSONEnv = "PARLEY_TERRAFORM_CUSTOM_DOMAIN_PLAN_JSON"

// TestContentSecurityPolicyAllowsImagesOnlyFromTheSite: the SPA draws its
// avatars, so the policy names no image host; a browser refuses any other.
func TestContentSecurityPolicyAllowsImagesOnlyFromTheSite(t *testing.T) {
	headers, err := terraform.SecurityHeaders(terraform.Origins{API: []string{"https://api.example"}}, true)
	require.NoError(t, err)
	directives := map[string]string{}
	for _, directive := range strings.Split(headers["Content-Security-Policy"], "; ") {
		name, _, _ := strings.Cut(directive, " ")
		directives[name] = directive
	}
	assert.Equal(t, "default-src 'self'", directives["default-src"])
	assert.Equal(t, "img-src 'self' data:", directives["img-src"])
	for _, file := range []string{"hosting.tf", "security-headers.json"} {
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.NotContains(t, strings.ToLower(string(src)), "gravatar", file)
	}
}

// TestSecurityHeadersNameEveryOrigin: each origin the SPA talks to is in
// connect-src, the WebSocket API's above all (its own origin in AWS: without
// it the browser refuses the socket and realtime never works); the sign-in in
// form-action; HSTS only over HTTPS.
func TestSecurityHeadersNameEveryOrigin(t *testing.T) {
	origins := terraform.Origins{
		API:             []string{"https://api.example"},
		WebSocket:       []string{"wss://ws.example"},
		Identity:        []string{"https://idp.example"},
		SignIn:          []string{"https://signin.example"},
		ExtraConnectSrc: []string{"https://extra.example"},
	}
	headers, err := terraform.SecurityHeaders(origins, true)
	require.NoError(t, err)
	csp := headers["Content-Security-Policy"]
	assert.Contains(t, csp, "connect-src 'self' https://api.example wss://ws.example https://idp.example https://signin.example https://extra.example;")
	assert.Contains(t, csp, "form-action 'self' https://signin.example;")
	assert.NotContains(t, csp, "{", "every placeholder is replaced")
	assert.Equal(t, "max-age=63072000; includeSubDomains", headers["Strict-Transport-Security"])
	assert.Equal(t, "nosniff", headers["X-Content-Type-Options"])
	assert.Equal(t, "DENY", headers["X-Frame-Options"])

	plain, err := terraform.SecurityHeaders(terraform.Origins{}, false)
	require.NoError(t, err)
	assert.NotContains(t, plain, "Strict-Transport-Security")
	assert.Contains(t, plain["Content-Security-Policy"], "connect-src 'self';", "a placeholder without origins disappears")
}

// headersPlanJSONEnv names the `terraform show -json` output of a plan of the
// applied stack with Parley's own security headers policy, which moto cannot
// create (scripts/test-terraform.sh).
const headersPlanJSONEnv = "PARLEY_TERRAFORM_HEADERS_PLAN_JSON"

// TestPlanSendsTheSharedSecurityHeaders: CloudFront's response headers
// policy, as planned for the applied stack, is security-headers.json with the
// stack's own origins, the same document the local server sends with its
// origins, so Terraform's substitution (hosting.tf) and the Go one
// (headers.go) cannot drift; the socket is on the SPA's own origin (/ws
// through CloudFront, which 'self' covers), so the WebSocket API's own
// address, which the browser never reaches, is not in connect-src.
func TestPlanSendsTheSharedSecurityHeaders(t *testing.T) {
	planned := mustPlannedValues(t, headersPlanJSONEnv, "the stack with its own security headers policy")
	one := func(resourceType, name string) resource {
		t.Helper()
		for _, r := range planned.ofType(resourceType) {
			if r.Name == name {
				return r
			}
		}
		require.Failf(t, "missing resource", "%s.%s is not in the plan", resourceType, name)
		return resource{}
	}
	httpAPI := one("aws_apigatewayv2_api", "http").str("api_endpoint")
	webSocketAPI := one("aws_apigatewayv2_api", "websocket").str("api_endpoint")
	domain := one("aws_cognito_user_pool_domain", "users").str("domain")
	pool := one("aws_cognito_user_pool", "users").str("endpoint")
	require.NotEmpty(t, webSocketAPI)
	region := strings.Split(strings.TrimPrefix(pool, "cognito-idp."), ".")[0]
	want, err := terraform.SecurityHeaders(terraform.Origins{
		API:      []string{httpAPI},
		Identity: []string{"https://cognito-idp." + region + ".amazonaws.com"},
		SignIn:   []string{"https://" + domain + ".auth." + region + ".amazoncognito.com"},
	}, true)
	require.NoError(t, err)

	policy := one("aws_cloudfront_response_headers_policy", "security")
	csp := policy.path("security_headers_config", "content_security_policy")["content_security_policy"]
	assert.Equal(t, want["Content-Security-Policy"], csp)
	assert.Contains(t, csp, "connect-src 'self' "+httpAPI+" https://cognito-idp.", "the socket is on 'self'")
	assert.NotContains(t, csp, webSocketAPI, "the WebSocket API's own address is not in connect-src")
	assert.Equal(t, want["X-Frame-Options"], policy.path("security_headers_config", "frame_options")["frame_option"])
	assert.Equal(t, want["Referrer-Policy"], policy.path("security_headers_config", "referrer_policy")["referrer_policy"])
	hsts := policy.path("security_headers_config", "strict_transport_security")
	assert.Equal(t, want["Strict-Transport-Security"], fmt.Sprintf("max-age=%.0f; includeSubDomains", hsts["access_control_max_age_sec"]))
	assert.Equal(t, true, hsts["include_subdomains"])
	custom, _ := policy.path("custom_headers_config")["items"].([]any)
	require.Len(t, custom, 1)
	assert.Equal(t, want["Permissions-Policy"], custom[0].(map[string]any)["value"])
}

// mustPlannedValues reads the planned values of the `terraform show -json`
// plan file that env names; without it the test skips.
func mustPlannedValues(tb testing.TB, env, what string) state {
	tb.Helper()
	file := os.Getenv(env)
	if file == "" {
		tb.Skipf("%s is not set: scripts/test-terraform.sh plans %s", env, what)
	}
	data, err := os.ReadFile(file)
	require.NoError(tb, err)
	var plan struct {
		PlannedValues struct {
			RootModule module `json:"root_module"`
		} `json:"planned_values"`
	}
	require.NoError(tb, json.Unmarshal(data, &plan))
	planned := state{}
	planned.Values.RootModule = plan.PlannedValues.RootModule
	require.NotEmpty(tb, planned.resources(), "the plan holds no resource")
	return planned
}

// TestPlanWithACustomDomain reads the plan of the stack with custom_domain
// and its certificate: CloudFront answers on the domain with that
// certificate and TLS 1.2 at least, and the sign-in returns to it.
func TestPlanWithACustomDomain(t *testing.T) {
	file := os.Getenv(customDomainPlanJSONEnv)
	if file == "" {
		t.Skipf("%s is not set: scripts/test-terraform.sh plans the stack with a custom domain", customDomainPlanJSONEnv)
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var plan struct {
		Variables map[string]struct{ Value any } `json:"variables"`
	}
	require.NoError(t, json.Unmarshal(data, &plan))
	domain, _ := plan.Variables["custom_domain"].Value.(string)
	certificate, _ := plan.Variables["custom_domain_certificate_arn"].Value.(string)
	require.NotEmpty(t, domain)
	require.NotEmpty(t, certificate)
	planned := mustPlannedValues(t, customDomainPlanJSONEnv, "the stack with a custom domain")

	distributions := planned.ofType("aws_cloudfront_distribution")
	require.Len(t, distributions, 1)
	d := distributions[0]
	assert.Equal(t, []any{domain}, d.Values["aliases"])
	viewer := d.path("viewer_certificate")
	assert.Equal(t, certificate, viewer["acm_certificate_arn"])
	assert.Equal(t, "TLSv1.2_2021", viewer["minimum_protocol_version"])
	assert.Equal(t, "sni-only", viewer["ssl_support_method"])
	assert.Equal(t, false, viewer["cloudfront_default_certificate"])

	// The Lambdas' PARLEY_ALLOWED_ORIGIN and config.json are unknown until the
	// pool exists; the sign-in's URLs are known.
	clients := planned.ofType("aws_cognito_user_pool_client")
	require.Len(t, clients, 1)
	assert.Equal(t, []any{"https://" + domain + "/"}, clients[0].Values["callback_urls"])
	assert.Equal(t, []any{"https://" + domain + "/"}, clients[0].Values["logout_urls"])
}
