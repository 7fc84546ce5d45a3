package lambdas_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/adapters/push"
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
)

// TestEachRouteBuildsOnlyWhatItUses builds every route's function as its
// Lambda does at cold start, with every setting Terraform could give it, and
// checks what it built: the @connections client only where the route pushes,
// the metrics writer only where something is counted, and the token verifier
// (which fetches the issuer's keys) only for $connect, which alone asks the
// issuer anything.
func TestEachRouteBuildsOnlyWhatItUses(t *testing.T) {
	var fetches atomic.Int32
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	t.Cleanup(issuer.Close)
	t.Setenv(oidc.EnvIssuer, issuer.URL)
	t.Setenv(oidc.EnvClientID, "parley-spa")
	t.Setenv(oidc.EnvJWKSURL, issuer.URL+"/jwks.json")
	config := lambdas.Config{
		TableName:            "parley-test",
		DynamoDBEndpoint:     "http://127.0.0.1:1", // never asked: building sends nothing
		WebSocketCallbackURL: "https://example.execute-api.eu-central-1.amazonaws.com/production",
		OIDCIssuer:           issuer.URL,
		OIDCClientID:         "parley-spa",
		UserPoolID:           "eu-central-1_pool",
		ExportsBucket:        "parley-test-exports",
	}
	extra.All(&config.Extras)
	type builds struct{ pusher, metrics, verifier bool }
	want := map[string]builds{
		"add-contact":     {pusher: true, metrics: true},
		"get-contacts":    {metrics: true},
		"block-contact":   {pusher: true, metrics: true},
		"unblock-contact": {pusher: true, metrics: true},
		"report-contact":  {metrics: true},
		"add-message":     {pusher: true, metrics: true},
		"get-messages":    {metrics: true},
		"ack":             {pusher: true, metrics: true},
		"create-channel":  {metrics: true},
		"add-publisher":   {metrics: true},
		"post-to-channel": {metrics: true},
		"delete-post":     {metrics: true},
		"ws-connect":      {pusher: true, metrics: true, verifier: true},
		"ws-disconnect":   {},
		"ws-default":      {pusher: true, metrics: true},
		// push-key reads its key only where Terraform names its parameter
		// (a config this test does not give: it would ask SSM).
		"push-key":                 {metrics: true},
		"add-push-subscription":    {metrics: true},
		"remove-push-subscription": {metrics: true},
		"delete-message":           {pusher: true, metrics: true},
		"delete-account":           {pusher: true, metrics: true},
		"export":                   {metrics: true},
	}
	require.Len(t, want, len(apigateway.Routes)+len(apigateway.WebSocketRoutes), "every route is a case")
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for route, want := range want {
		t.Run(route, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			before := fetches.Load()
			f, err := lambdas.NewFunction(ctx, route, config, logger)
			require.NoError(t, err)
			assert.NotNil(t, f.Service)
			if want.pusher {
				assert.IsType(t, &push.Client{}, f.Pusher)
			} else {
				assert.Nil(t, f.Pusher, "no @connections client")
			}
			assert.Equal(t, want.metrics, f.Metrics != nil, "metrics writer")
			switch {
			case want.verifier:
				assert.IsType(t, &oidc.Verifier{}, f.Verifier)
				assert.Greater(t, fetches.Load(), before, "the issuer's keys are fetched at cold start")
			case lambdas.IsREST(route):
				assert.Nil(t, f.Verifier, "API Gateway's authorizer verifies the tokens")
				assert.Equal(t, before, fetches.Load(), "no request to the issuer")
			default:
				assert.Equal(t, lambdas.RefuseEveryToken{}, f.Verifier)
				assert.Equal(t, before, fetches.Load(), "no request to the issuer")
			}
		})
	}
}

// TestARouteStartsOnlyWithTheExtrasItNeeds: a route whose main does not give
// the extra it needs (package lambdas/extra) refuses to start, saying which,
// rather than start without it.
func TestARouteStartsOnlyWithTheExtrasItNeeds(t *testing.T) {
	t.Setenv(oidc.EnvIssuer, "https://issuer.example")
	t.Setenv(oidc.EnvClientID, "parley-spa")
	config := lambdas.Config{
		TableName: "parley-test", DynamoDBEndpoint: "http://127.0.0.1:1",
		WebSocketCallbackURL:    "https://example.execute-api.eu-central-1.amazonaws.com/production",
		UserPoolID:              "eu-central-1_pool",
		ExportsBucket:           "parley-test-exports",
		VAPIDPublicKeyParameter: "/parley/vapid-public-key",
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for route, extra := range map[string]string{
		"export": "extra.Exports", "delete-account": "extra.IdentityDirectory", "ws-connect": "extra.TokenVerifier", "push-key": "extra.PushKey",
	} {
		t.Run(route, func(t *testing.T) {
			_, err := lambdas.NewFunction(context.Background(), route, config, logger)
			require.Error(t, err)
			assert.Contains(t, err.Error(), extra)
		})
	}
}

// TestOnlyTheFunctionsThatUseThemLinkTheExtras proves from the build graph
// that a function's binary links the packages of the extras (S3, the export
// document, Cognito, the OpenID keys, SSM, Web Push, the feeds) only when its
// main names one (package lambdas/extra, or lambdas/extra/stream for the
// stream's functions): the other routes do not pay for their size and
// initialisation at each cold start.
func TestOnlyTheFunctionsThatUseThemLinkTheExtras(t *testing.T) {
	if testing.Short() {
		t.Skip("lists the build graph of every function")
	}
	const parley = "github.com/parley-chat/parley/"
	extras := []string{"adapters/s3", "adapters/exportdoc", "adapters/cognito", "adapters/oidc", "adapters/ssm", "adapters/webpush", "adapters/feed", "lambdas/extra", "lambdas/extra/stream"}
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var plain []string
	for _, entry := range entries {
		source, err := os.ReadFile(filepath.Join(entry.Name(), "main.go"))
		if err != nil {
			continue
		}
		out, err := exec.Command("go", "list", "-deps", "./"+entry.Name()).CombinedOutput()
		require.NoError(t, err, "%s", out)
		deps := strings.Fields(string(out))
		if strings.Contains(string(source), parley+"lambdas/extra") {
			assert.True(t, slices.ContainsFunc(deps, func(dep string) bool { return strings.HasPrefix(dep, parley+"lambdas/extra") }), entry.Name())
			continue
		}
		plain = append(plain, entry.Name())
		for _, pkg := range extras {
			assert.False(t, slices.Contains(deps, parley+pkg), "%s links %s, which it does not use", entry.Name(), pkg)
		}
	}
	assert.Contains(t, plain, "add-message")
	functions := len(apigateway.Routes) + len(apigateway.WebSocketRoutes) + 2 // and feed and notify
	assert.Len(t, plain, functions-6, "every function but export, delete-account, ws-connect, push-key, feed and notify")
}

// TestRoutesThatPushAreTheFunctionsTerraformLetsPush: the route tables and
// the pushes of Terraform's local.functions (the @connections endpoint and the
// permission to post to it) name the same functions.
func TestRoutesThatPushAreTheFunctionsTerraformLetsPush(t *testing.T) {
	granted := map[string]bool{}
	for route, function := range terraformLocal(t, "functions").AsValueMap() {
		granted[route] = function.GetAttr("pushes").True()
	}
	routes := map[string]bool{}
	for _, r := range apigateway.Routes {
		routes[r.Name] = r.Pushes
	}
	for _, r := range apigateway.WebSocketRoutes {
		routes[r.Name] = r.Pushes
	}
	assert.Equal(t, granted, routes)
}

// TestRoutesThatDeleteUsersAreTheAccountErasersOfTerraform: the routes that
// build the Cognito client are the functions whose role may delete users
// (Terraform's local.account_erasers), and no other.
func TestRoutesThatDeleteUsersAreTheAccountErasersOfTerraform(t *testing.T) {
	var granted []string
	for _, name := range terraformLocal(t, "account_erasers").AsValueSlice() {
		granted = append(granted, name.AsString())
	}
	var routes []string
	for _, r := range apigateway.Routes {
		if r.DeletesUsers {
			routes = append(routes, r.Name)
		}
	}
	assert.NotEmpty(t, routes)
	assert.ElementsMatch(t, routes, granted)
}

// terraformLocal evaluates the literal local name of terraform/locals.tf.
func terraformLocal(t *testing.T, name string) cty.Value {
	t.Helper()
	path := filepath.Join("..", "terraform", "locals.tf")
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	parsed, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	for _, block := range parsed.Body.(*hclsyntax.Body).Blocks {
		if attr, ok := block.Body.Attributes[name]; ok && block.Type == "locals" {
			value, diags := attr.Expr.Value(nil)
			require.False(t, diags.HasErrors(), "%s", diags.Error())
			return value
		}
	}
	t.Fatalf("no local.%s in %s", name, path)
	return cty.NilVal
}
