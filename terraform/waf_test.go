package terraform_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plausibleAbusiveIPs is how many source addresses one attacker is assumed to
// flood from at once (a small botnet or a fleet of cloud instances): the WAF's
// per-IP limit times this many must stay under each stage's throttle, so the
// stage still has room for everyone else (README "Abuse limits").
const plausibleAbusiveIPs = 100

// wafWindowSeconds is the window over which a rate-based rule counts.
const wafWindowSeconds = 300

// TestWebACLLimitsEachIPBeforeSignIn: the applied stack has a web ACL of
// scope CLOUDFRONT (in us-east-1, "global") attached to the distribution,
// which blocks an IP over its rate on /api/* and the WebSocket handshake (/ws),
// and over a higher one on everything; the handshake goes through CloudFront
// (config.json's wsURL is the distribution's /ws), so the WAF sees it; and
// each stage's throttle is above what plausibleAbusiveIPs addresses may make
// together under the WAF.
func TestWebACLLimitsEachIPBeforeSignIn(t *testing.T) {
	s := mustState(t)
	acls := s.ofType("aws_wafv2_web_acl")
	require.Len(t, acls, 1, "one web ACL")
	acl := acls[0]
	assert.Equal(t, "CLOUDFRONT", acl.str("scope"))
	assert.True(t, strings.HasPrefix(acl.str("arn"), "arn:aws:wafv2:us-east-1:"), "a web ACL for CloudFront is in us-east-1: %s", acl.str("arn"))
	assert.Contains(t, acl.str("arn"), ":global/webacl/"+acl.str("name")+"/")
	assert.NotEmpty(t, acl.path("default_action", "allow"), "what no rule blocks is allowed")
	assert.NotEmpty(t, acl.Values["tags_all"].(map[string]any)[stackTagKey], "the web ACL carries the stack tag")

	distribution := s.mustOne(t, "aws_cloudfront_distribution", "spa")
	assert.Equal(t, acl.str("arn"), distribution.str("web_acl_id"), "the distribution is behind the web ACL")

	rules := map[string]resource{}
	for _, r := range acl.Values["rule"].([]any) {
		rule := resource{Values: r.(map[string]any)}
		rules[rule.str("name")] = rule
	}
	require.ElementsMatch(t, []string{"api-per-ip", "all-per-ip"}, sortedKeys(rules))
	limits := map[string]float64{}
	for name, rule := range rules {
		assert.NotEmpty(t, rule.path("action", "block"), "%s blocks", name)
		rate := rule.path("statement", "rate_based_statement")
		require.NotEmpty(t, rate, "%s is a rate-based rule", name)
		assert.Equal(t, "IP", rate["aggregate_key_type"], "%s counts per source IP", name)
		limits[name], _ = rate["limit"].(float64)
		assert.Positive(t, limits[name], name)
	}
	assert.Less(t, limits["api-per-ip"], limits["all-per-ip"], "the API and the handshake have the lower limit")

	// The lower limit is scoped to the API and the handshake.
	scope := rules["api-per-ip"].path("statement", "rate_based_statement", "scope_down_statement", "or_statement")
	var matched []string
	for _, st := range scope["statement"].([]any) {
		match := resource{Values: st.(map[string]any)}.path("byte_match_statement")
		matched = append(matched, match["positional_constraint"].(string)+" "+match["search_string"].(string))
	}
	assert.ElementsMatch(t, []string{"STARTS_WITH /api/", "EXACTLY /ws"}, matched)

	// The handshake is served through CloudFront, to the WebSocket API.
	var wsAPI string
	for _, api := range s.ofType("aws_apigatewayv2_api") {
		if api.str("protocol_type") == "WEBSOCKET" {
			wsAPI = strings.TrimPrefix(api.str("api_endpoint"), "wss://")
		}
	}
	require.NotEmpty(t, wsAPI)
	origins := map[string]string{}
	for _, o := range distribution.Values["origin"].([]any) {
		origin := o.(map[string]any)
		origins[origin["origin_id"].(string)] = origin["domain_name"].(string)
	}
	assert.Equal(t, wsAPI, origins["websocket"], "the distribution's websocket origin is the WebSocket API")
	found := false
	for _, b := range distribution.Values["ordered_cache_behavior"].([]any) {
		behavior := b.(map[string]any)
		if behavior["path_pattern"] == "/ws" {
			found = true
			assert.Equal(t, "websocket", behavior["target_origin_id"])
		}
	}
	assert.True(t, found, "the distribution serves /ws")
	var config struct {
		WSURL string `json:"wsURL"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.mustOne(t, "aws_s3_object", "config").str("content")), &config))
	assert.Equal(t, "wss://"+distribution.str("domain_name")+"/ws", config.WSURL, "the SPA connects through CloudFront")

	// One IP cannot exhaust a stage for everyone: plausibleAbusiveIPs at the
	// WAF's limit stay under each stage's steady rate.
	apiPerSecond := limits["api-per-ip"] / wafWindowSeconds
	for _, key := range []string{"http", "websocket"} {
		stage := s.mustGet(t, "aws_apigatewayv2_stage", "api_gateway", key)
		rate, _ := stage.path("default_route_settings")["throttling_rate_limit"].(float64)
		assert.Less(t, plausibleAbusiveIPs*apiPerSecond, rate,
			"stage %s: %d IPs at %.0f requests per 5 minutes make %.0f/s, which must stay under its throttle", key, plausibleAbusiveIPs, limits["api-per-ip"], plausibleAbusiveIPs*apiPerSecond)
		report(t, "stage %s: throttle %.0f/s; %d IPs at the WAF's %.0f per 5 min make %.0f/s", key, rate, plausibleAbusiveIPs, limits["api-per-ip"], plausibleAbusiveIPs*apiPerSecond)
	}
}

// TestRealKeepsGlobalWebACLsInUSEast1: the IAM checks put moto's ARNs in the
// deploy's region, but for a web ACL of scope CLOUDFRONT, which AWS keeps in
// us-east-1 whatever the deploy's region.
func TestRealKeepsGlobalWebACLsInUSEast1(t *testing.T) {
	d := deployContext{account: "123456789012", region: "eu-central-1"}
	for _, c := range []struct{ moto, want string }{
		{"arn:aws:wafv2:us-east-1:123456789012:global/webacl/parley-test-edge/0b5f", "arn:aws:wafv2:us-east-1:123456789012:global/webacl/parley-test-edge/0b5f"},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/parley-test", "arn:aws:dynamodb:eu-central-1:123456789012:table/parley-test"},
		{"arn:aws:execute-api:us-east-1::abc/ws/POST/@connections/*", "arn:aws:execute-api:eu-central-1:123456789012:abc/ws/POST/@connections/*"},
		{`["arn:aws:wafv2:us-east-1:1:global/webacl/a/b","arn:aws:sqs:us-east-1:1:q"]`, `["arn:aws:wafv2:us-east-1:1:global/webacl/a/b","arn:aws:sqs:eu-central-1:1:q"]`},
	} {
		assert.Equal(t, c.want, d.real(c.moto), c.moto)
	}
	assert.Equal(t, "arn:aws:wafv2:us-east-1:123456789012:global/webacl/parley-test-edge/0b5f", d.webACLARN("CLOUDFRONT", "parley-test-edge", "0b5f"))
	assert.Equal(t, "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/x/0b5f", d.webACLARN("REGIONAL", "x", "0b5f"))
}

// TestJSONFieldOfATruncatedBody: the provider's log cuts long bodies (a web
// ACL's rules); the fields before the cut are still read.
func TestJSONFieldOfATruncatedBody(t *testing.T) {
	for _, c := range []struct{ body, field, want string }{
		{`{"Name":"a","Scope":"CLOUDFRONT"}`, "Scope", "CLOUDFRONT"},
		{`{"DefaultAction":{"Allow":{}},"Name":"parley-test-edge","Rules":[{"Name":"api-per-ip"}],"Scope":"CLOUDFRONT","Tags":[{"Key":"Par` + "\n[truncated...]", "Scope", "CLOUDFRONT"},
		{`{"DefaultAction":{"Allow":{}},"Name":"parley-test-edge","Rules":[{"Name":"api-per-ip"}],"Scope":"CLOUDFRONT","Tags":[{"Key":"Par` + "\n[truncated...]", "Name", "parley-test-edge"},
		{`{"Rules":[{"Name":"api-per-ip"}],"Sco` + "\n[truncated...]", "Name", ""},
		{`<xml/>`, "Name", ""},
	} {
		assert.Equal(t, c.want, awsRequest{Body: c.body}.jsonField(c.field), c.body)
	}
}
