// Package terraform_test checks the Terraform configuration against the Go code
// and, when scripts/test-terraform.sh hands it an applied state, the state
// against Parley's security rules.
package terraform_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/parley-chat/parley/adapters/apigateway"
)

// stateJSONEnv names the file of `terraform show -json` output that
// scripts/test-terraform.sh writes after applying the stack to the emulator.
const stateJSONEnv = "PARLEY_TERRAFORM_STATE_JSON"

// functionsModule is the module every Lambda of the stack comes from
// (lambdas.tf: modules/functions, one for_each over the functions by name).
const functionsModule = "module.functions"

// functionAttributes are what every entry of locals.functions says of its
// route, and nothing else: the one table, with no parallel map beside it.
var functionAttributes = []string{"api", "dynamodb_actions", "pushes", "route"}

func TestLocalsLambdasMatchGoRoutesAndLambdaFolders(t *testing.T) {
	routes := mustLambdaRoutes(t)

	goRoutes := map[string]string{}
	for _, r := range apigateway.Routes {
		require.NotContains(t, goRoutes, r.Name, "apigateway.Routes names %s twice", r.Name)
		goRoutes[r.Name] = r.Method
	}
	assert.Equal(t, goRoutes, routes, "locals.lambdas (route -> method) must equal apigateway.Routes")

	goWebSocketRoutes := map[string]string{}
	for _, r := range apigateway.WebSocketRoutes {
		goWebSocketRoutes[r.Name] = r.Key
	}
	assert.Equal(t, goWebSocketRoutes, mustWebSocketRoutes(t), "locals.websocket_lambdas (function -> route key) must equal apigateway.WebSocketRoutes")
	routes = mustFunctions(t)

	entries, err := os.ReadDir(filepath.Join("..", "lambdas"))
	require.NoError(t, err, "lambdas/ must hold one folder per route")
	var folders []string
	for _, e := range entries {
		// lambdas/extra is the package of what only some functions build.
		if e.IsDir() && e.Name() != "extra" {
			folders = append(folders, e.Name())
			assert.FileExists(t, filepath.Join("..", "lambdas", e.Name(), "main.go"), "lambdas/%s has no main.go", e.Name())
		}
	}
	assert.ElementsMatch(t, append(sortedKeys(routes), feedFunction, notifyFunction), folders, "the folders of lambdas/ must be the functions of locals.lambdas and locals.websocket_lambdas, and the feed and notify Lambdas")
}

func TestFunctionsTableIsTheOnlyPerRouteMap(t *testing.T) {
	routes := mustFunctions(t)
	functions := mustLocal(t, "functions").AsValueMap()
	assert.ElementsMatch(t, sortedKeys(routes), sortedKeys(functions), "local.functions must have one entry per route of local.lambdas and local.websocket_lambdas")
	for name, f := range functions {
		assert.ElementsMatch(t, functionAttributes, sortedKeys(f.AsValueMap()), "local.functions[%q] says %v of its route", name, functionAttributes)
		assert.Contains(t, []string{"http", "websocket"}, f.GetAttr("api").AsString(), "api of %s", name)
		assert.Equal(t, cty.Bool, f.GetAttr("pushes").Type(), "pushes of %s", name)
	}
	rest, webSocket := mustLambdaRoutes(t), mustWebSocketRoutes(t)
	assert.Len(t, routes, len(rest)+len(webSocket), "no function is both a REST and a WebSocket route")
	for name, f := range functions {
		_, isREST := rest[name]
		assert.Equal(t, f.GetAttr("api").AsString() == "http", isREST, "%s is in local.lambdas if and only if its api is http", name)
	}

	// No other literal map of locals.tf is keyed by the routes: what a route
	// needs is one more attribute of its entry in local.functions.
	for local, attr := range mustLocalAttributes(t) {
		if _, ok := attr.Expr.(*hclsyntax.ObjectConsExpr); !ok || local == "functions" {
			continue
		}
		value, diags := attr.Expr.Value(nil)
		if diags.HasErrors() || !(value.Type().IsObjectType() || value.Type().IsMapType()) {
			continue
		}
		for key := range value.AsValueMap() {
			assert.NotContains(t, routes, key, "local.%s is a map keyed by routes beside local.functions", local)
		}
	}
}

func TestDynamoDBActionsAreNamedActionsOnly(t *testing.T) {
	named := regexp.MustCompile(`^dynamodb:[A-Z][A-Za-z]+$`)
	for route, actions := range mustDynamoDBActions(t) {
		assert.NotEmpty(t, actions, "route %s", route)
		for _, a := range actions {
			assert.Regexp(t, named, a, "route %s: an action is one named DynamoDB action, never a wildcard", route)
			assert.NotContains(t, []string{"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:UpdateTable"}, a, "route %s", route)
		}
		assert.Len(t, actions, len(uniq(actions)), "route %s lists an action twice", route)
	}
}

// The tests below read the state of a stack applied to the emulator; without
// one (a plain `go test ./...`) they skip: scripts/test-terraform.sh runs them.

func TestStateAllowsNoWildcardActions(t *testing.T) {
	state := mustState(t)
	policies := 0
	for _, r := range state.resources() {
		for _, attribute := range policyAttributes[r.Type] {
			doc, ok := r.Values[attribute].(string)
			if !ok || doc == "" {
				continue
			}
			policies++
			for _, s := range mustPolicy(t, r.Address, doc).Statement {
				if s.Effect != "Allow" {
					continue
				}
				assert.Empty(t, s.NotAction, "%s: an Allow with NotAction", r.Address)
				for _, a := range s.Action {
					assert.False(t, a == "*" || strings.HasSuffix(a, ":*"), "%s allows %q", r.Address, a)
				}
			}
		}
	}
	assert.NotZero(t, policies, "the state holds no policy at all")
}

func TestStateLambdaRolesAllowOnlyTheirRoute(t *testing.T) {
	state := mustState(t)
	routes := mustFunctions(t)
	actions := mustDynamoDBActions(t)
	pushes := mustPushes(t)
	websocketAPIs := state.ofType("aws_apigatewayv2_api")
	var connectionsARNs []string
	for _, api := range websocketAPIs {
		if api.str("protocol_type") == "WEBSOCKET" {
			connectionsARNs = []string{api.str("execution_arn") + "/ws/POST/@connections/*", api.str("execution_arn") + "/ws/DELETE/@connections/*"}
		}
	}
	require.NotEmpty(t, connectionsARNs, "the state holds the WebSocket API")

	tables := state.ofType("aws_dynamodb_table")
	require.Len(t, tables, 1)
	tableARN := tables[0].str("arn")
	pool := state.mustOne(t, "aws_cognito_user_pool", "users")
	erasers, exporters := map[string]bool{}, map[string]bool{}
	for _, name := range mustLocalList(t, "account_erasers") {
		erasers[name] = true
	}
	for _, name := range mustLocalList(t, "exporters") {
		exporters[name] = true
	}
	exportsBucket := state.mustOne(t, "aws_s3_bucket", "exports")

	for _, a := range state.ofType("aws_iam_role_policy_attachment") {
		for route := range routes {
			assert.NotEqual(t, state.mustGetIn(t, functionsModule, "aws_iam_role", "function", route).str("name"), a.str("role"), "a managed policy is attached to the %s role", route)
		}
	}

	for route := range routes {
		t.Run(route, func(t *testing.T) {
			role := state.mustGetIn(t, functionsModule, "aws_iam_role", "function", route)
			fn := state.mustGetIn(t, functionsModule, "aws_lambda_function", "function", route)
			logGroup := state.mustGetIn(t, functionsModule, "aws_cloudwatch_log_group", "function", route)
			policy := state.mustGetIn(t, functionsModule, "aws_iam_role_policy", "function", route)

			assert.Equal(t, role.str("arn"), fn.str("role"), "the function runs as its own route's role")
			assert.Equal(t, role.str("name"), policy.str("role"))
			assert.Equal(t, "/aws/lambda/"+fn.str("function_name"), logGroup.str("name"))

			var dynamo, logs, execute, tracing []string
			deletesUsers := false
			for _, s := range mustPolicy(t, policy.Address, policy.str("policy")).Statement {
				require.Equal(t, "Allow", s.Effect)
				for _, a := range s.Action {
					switch {
					case strings.HasPrefix(a, "dynamodb:"):
						dynamo = append(dynamo, a)
						assert.Equal(t, []string{tableARN}, []string(s.Resource), "%s only on the table", a)
					case strings.HasPrefix(a, "logs:"):
						logs = append(logs, a)
						assert.Equal(t, []string{logGroup.str("arn") + ":*"}, []string(s.Resource), "%s only on its own log group", a)
					case strings.HasPrefix(a, "xray:"):
						// X-Ray's trace actions take no narrower resource than "*":
						// the one place a policy may name it.
						tracing = append(tracing, a)
						assert.Equal(t, []string{"*"}, []string(s.Resource), "%s", a)
					case strings.HasPrefix(a, "execute-api:"):
						execute = append(execute, a)
						assert.ElementsMatch(t, connectionsARNs, []string(s.Resource), "%s only on the connections of the realtime stage", a)
					case a == "ssm:GetParameter" && route == "push-key":
						// push-key reads the VAPID public key, never the private one.
						require.Len(t, s.Resource, 1)
						assert.True(t, strings.HasSuffix(s.Resource[0], ":parameter/parley/test/vapid/public-key"), "%s only on the public key, not %v", a, s.Resource)
					case (a == "s3:PutObject" || a == "s3:GetObject") && s.Sid == "Exports":
						assert.True(t, exporters[route], "only an exporter writes exports, not %s", route)
						assert.Equal(t, []string{exportsBucket.str("arn") + "/exports/*"}, []string(s.Resource), "%s only on the exports", a)
					case a == "cognito-idp:AdminDeleteUser":
						assert.True(t, erasers[route], "only an account eraser deletes users, not %s", route)
						assert.Equal(t, []string{pool.str("arn")}, []string(s.Resource), "%s only on the pool", a)
						deletesUsers = true
					default:
						t.Errorf("action %s is neither DynamoDB nor logs", a)
					}
				}
			}
			assert.ElementsMatch(t, actions[route], dynamo, "DynamoDB actions of %s", route)
			assert.ElementsMatch(t, []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logs)
			assert.ElementsMatch(t, []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, tracing)
			assert.Equal(t, "Active", fn.path("tracing_config")["mode"], "traced with X-Ray")
			assert.Equal(t, erasers[route], deletesUsers, "%s deletes users if and only if it erases accounts", route)
			if pushes[route] {
				assert.Equal(t, []string{"execute-api:ManageConnections"}, execute)
				assert.NotEmpty(t, fn.path("environment", "variables")["PARLEY_WS_CALLBACK_URL"])
			} else {
				assert.Empty(t, execute, "%s pushes nothing", route)
			}
		})
	}
}

func TestStateLambdasAndRoutes(t *testing.T) {
	state := mustState(t)
	routes := mustLambdaRoutes(t)
	require.Len(t, state.ofType("aws_lambda_function"), len(mustFunctions(t))+2, "one per function, and the feed and notify Lambdas")

	var executionARN, webSocketExecutionARN string
	for _, api := range state.ofType("aws_apigatewayv2_api") {
		switch api.str("protocol_type") {
		case "HTTP":
			executionARN = api.str("execution_arn")
		case "WEBSOCKET":
			webSocketExecutionARN = api.str("execution_arn")
		}
	}
	require.NotEmpty(t, executionARN)
	require.NotEmpty(t, webSocketExecutionARN)
	for name, key := range mustWebSocketRoutes(t) {
		r := state.mustGet(t, "aws_apigatewayv2_route", "websocket", name)
		assert.Equal(t, key, r.str("route_key"))
		fn := state.mustGetIn(t, functionsModule, "aws_lambda_function", "function", name)
		permission := state.mustGet(t, "aws_lambda_permission", "api_gateway", name)
		assert.Equal(t, webSocketExecutionARN+"/*/"+key, permission.str("source_arn"))
		assert.Equal(t, fn.str("function_name"), permission.str("function_name"))
	}

	for route, method := range routes {
		t.Run(route, func(t *testing.T) {
			fn := state.mustGetIn(t, functionsModule, "aws_lambda_function", "function", route)
			assert.Equal(t, "provided.al2023", fn.str("runtime"))
			assert.Equal(t, []any{"arm64"}, fn.Values["architectures"])
			assert.Equal(t, "bootstrap", fn.str("handler"))
			env := fn.path("environment", "variables")
			for _, name := range []string{"PARLEY_TABLE_NAME", "PARLEY_ALLOWED_ORIGIN", "PARLEY_OIDC_ISSUER", "PARLEY_OIDC_CLIENT_ID"} {
				assert.NotEmpty(t, env[name], "%s of %s", name, route)
			}

			r := state.mustGet(t, "aws_apigatewayv2_route", "route", route)
			assert.Equal(t, method+" /"+route, r.str("route_key"))
			assert.Equal(t, "JWT", r.str("authorization_type"))

			permission := state.mustGet(t, "aws_lambda_permission", "api_gateway", route)
			assert.Equal(t, executionARN+"/*/"+method+"/"+route, permission.str("source_arn"))
			assert.Equal(t, fn.str("function_name"), permission.str("function_name"))
		})
	}
}

func TestStateBucketsArePrivate(t *testing.T) {
	state := mustState(t)
	buckets := state.ofType("aws_s3_bucket")
	require.NotEmpty(t, buckets)
	blocks := map[string]resource{}
	for _, b := range state.ofType("aws_s3_bucket_public_access_block") {
		blocks[b.str("bucket")] = b
	}
	for _, b := range buckets {
		block, ok := blocks[b.str("bucket")]
		if !assert.True(t, ok, "bucket %s has no public access block", b.str("bucket")) {
			continue
		}
		for _, flag := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			assert.Equal(t, true, block.Values[flag], "%s of bucket %s", flag, b.str("bucket"))
		}
	}
}

func TestStateTablesHavePointInTimeRecoveryAndEncryption(t *testing.T) {
	state := mustState(t)
	tables := state.ofType("aws_dynamodb_table")
	require.NotEmpty(t, tables)
	for _, table := range tables {
		assert.Equal(t, true, table.path("point_in_time_recovery")["enabled"], "point-in-time recovery of %s", table.Address)
		assert.Equal(t, true, table.path("server_side_encryption")["enabled"], "encryption of %s", table.Address)
		assert.Equal(t, "expiresAt", table.path("ttl")["attribute_name"], "TTL attribute of %s", table.Address)
	}
}

func TestStateCloudFrontIsHTTPSOnly(t *testing.T) {
	state := mustState(t)
	distributions := state.ofType("aws_cloudfront_distribution")
	require.NotEmpty(t, distributions)
	for _, d := range distributions {
		behaviors := []map[string]any{d.path("default_cache_behavior")}
		ordered, _ := d.Values["ordered_cache_behavior"].([]any)
		for _, o := range ordered {
			behaviors = append(behaviors, o.(map[string]any))
		}
		for _, b := range behaviors {
			policy := b["viewer_protocol_policy"]
			assert.Contains(t, []any{"redirect-to-https", "https-only"}, policy, "%s behavior %v", d.Address, b["path_pattern"])
		}
	}
}

func TestStateLogGroupsExpire(t *testing.T) {
	state := mustState(t)
	groups := state.ofType("aws_cloudwatch_log_group")
	require.NotEmpty(t, groups)
	for _, g := range groups {
		retention, _ := g.Values["retention_in_days"].(float64)
		assert.Positive(t, retention, "log group %s keeps its logs forever", g.str("name"))
	}
}

// policyAttributes lists, by resource type, the attributes that hold an IAM
// policy document.
var policyAttributes = map[string][]string{
	"aws_iam_role":         {"assume_role_policy"},
	"aws_iam_role_policy":  {"policy"},
	"aws_iam_policy":       {"policy"},
	"aws_s3_bucket_policy": {"policy"},
}

// mustLambdaRoutes returns locals.lambdas of locals.tf: route -> method.
func mustLambdaRoutes(tb testing.TB) map[string]string {
	tb.Helper()
	value := mustLocal(tb, "lambdas")
	routes := map[string]string{}
	for route, method := range value.AsValueMap() {
		require.Equal(tb, cty.String, method.Type(), "method of %s", route)
		routes[route] = method.AsString()
	}
	require.NotEmpty(tb, routes)
	return routes
}

// mustWebSocketRoutes returns locals.websocket_lambdas: function -> route key.
func mustWebSocketRoutes(tb testing.TB) map[string]string {
	tb.Helper()
	routes := map[string]string{}
	for name, key := range mustLocal(tb, "websocket_lambdas").AsValueMap() {
		routes[name] = key.AsString()
	}
	require.NotEmpty(tb, routes)
	return routes
}

// mustFunctions returns every function: the REST routes of locals.lambdas and
// the WebSocket routes of locals.websocket_lambdas, as locals.functions merges them.
func mustFunctions(tb testing.TB) map[string]string {
	tb.Helper()
	functions := mustLambdaRoutes(tb)
	for name, key := range mustWebSocketRoutes(tb) {
		functions[name] = key
	}
	return functions
}

// mustDynamoDBActions returns the dynamodb_actions of every entry of
// locals.functions: route -> actions.
func mustDynamoDBActions(tb testing.TB) map[string][]string {
	tb.Helper()
	actions := map[string][]string{}
	for route, f := range mustLocal(tb, "functions").AsValueMap() {
		list := f.GetAttr("dynamodb_actions")
		require.True(tb, list.CanIterateElements(), "actions of %s must be a list", route)
		for _, a := range list.AsValueSlice() {
			require.Equal(tb, cty.String, a.Type(), "actions of %s", route)
			actions[route] = append(actions[route], a.AsString())
		}
	}
	return actions
}

// mustPushes returns the pushes of every entry of locals.functions: whether
// the route pushes to WebSocket connections.
func mustPushes(tb testing.TB) map[string]bool {
	tb.Helper()
	pushes := map[string]bool{}
	for route, f := range mustLocal(tb, "functions").AsValueMap() {
		p := f.GetAttr("pushes")
		require.Equal(tb, cty.Bool, p.Type(), "pushes of %s", route)
		pushes[route] = p.True()
	}
	return pushes
}

// mustLocalList evaluates local.name of locals.tf, a literal list of strings.
func mustLocalList(tb testing.TB, name string) []string {
	tb.Helper()
	attr, ok := mustLocalAttributes(tb)[name]
	require.True(tb, ok, "locals.tf defines no local.%s", name)
	value, diags := attr.Expr.Value(nil)
	require.False(tb, diags.HasErrors(), "local.%s must be a literal: %s", name, diags.Error())
	var list []string
	for _, v := range value.AsValueSlice() {
		list = append(list, v.AsString())
	}
	return list
}

// mustLocal evaluates local.name of locals.tf: a literal, or an expression of
// other such locals (local.lambdas is derived from local.functions), so the
// checks read what Terraform computes.
func mustLocal(tb testing.TB, name string) cty.Value {
	tb.Helper()
	attrs := mustLocalAttributes(tb)
	attr, ok := attrs[name]
	require.True(tb, ok, "locals.tf defines no local.%s", name)
	value, diags := attr.Expr.Value(localsContext(attrs, attr, 0))
	require.False(tb, diags.HasErrors(), "local.%s must be a literal or derived from literal locals: %s", name, diags.Error())
	require.True(tb, value.Type().IsObjectType() || value.Type().IsMapType(), "local.%s must be a map", name)
	return value
}

// localsContext is the evaluation context of attr: the locals it refers to,
// each evaluated in turn (those that depend on anything but locals are left
// out, and evaluating attr then fails).
func localsContext(attrs map[string]*hclsyntax.Attribute, attr *hclsyntax.Attribute, depth int) *hcl.EvalContext {
	locals := map[string]cty.Value{}
	for _, traversal := range attr.Expr.Variables() {
		if traversal.RootName() != "local" || len(traversal) < 2 || depth > 10 {
			continue
		}
		step, ok := traversal[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		if other, ok := attrs[step.Name]; ok {
			if value, diags := other.Expr.Value(localsContext(attrs, other, depth+1)); !diags.HasErrors() {
				locals[step.Name] = value
			}
		}
	}
	return &hcl.EvalContext{Variables: map[string]cty.Value{"local": cty.ObjectVal(locals)}}
}

// mustLocalAttributes parses locals.tf and returns the attributes of its
// locals blocks by name.
func mustLocalAttributes(tb testing.TB) map[string]*hclsyntax.Attribute {
	tb.Helper()
	file, diags := hclparse.NewParser().ParseHCLFile("locals.tf")
	require.False(tb, diags.HasErrors(), "parse locals.tf: %s", diags.Error())
	body, ok := file.Body.(*hclsyntax.Body)
	require.True(tb, ok)
	attrs := map[string]*hclsyntax.Attribute{}
	for _, block := range body.Blocks {
		if block.Type != "locals" {
			continue
		}
		for name, attr := range block.Body.Attributes {
			attrs[name] = attr
		}
	}
	return attrs
}

// state is the part of `terraform show -json` the checks read.
type state struct {
	Values struct {
		Outputs    map[string]struct{ Value any } `json:"outputs"`
		RootModule module                         `json:"root_module"`
	} `json:"values"`
}

type module struct {
	Resources    []resource `json:"resources"`
	ChildModules []module   `json:"child_modules"`
}

type resource struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Index   any            `json:"index"`
	Values  map[string]any `json:"values"`
}

func (r resource) str(attribute string) string {
	s, _ := r.Values[attribute].(string)
	return s
}

// path returns the object at a path of nested blocks, each a one-element list
// in the JSON state; an empty map when any part is missing.
func (r resource) path(names ...string) map[string]any {
	current := r.Values
	for _, name := range names {
		var next any = current[name]
		if list, ok := next.([]any); ok && len(list) > 0 {
			next = list[0]
		}
		m, ok := next.(map[string]any)
		if !ok {
			return map[string]any{}
		}
		current = m
	}
	return current
}

func mustState(tb testing.TB) state {
	tb.Helper()
	return mustStateFrom(tb, stateJSONEnv, "the stack")
}

// mustStateFrom reads the `terraform show -json` file the environment
// variable env names, which scripts/test-terraform.sh writes after applying
// what to the emulator; without it the test skips.
func mustStateFrom(tb testing.TB, env, what string) state {
	tb.Helper()
	path := os.Getenv(env)
	if path == "" {
		tb.Skipf("%s is not set: scripts/test-terraform.sh applies %s to an emulator and runs these checks", env, what)
	}
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	var s state
	require.NoError(tb, json.Unmarshal(data, &s))
	require.NotEmpty(tb, s.resources(), "the state holds no resource")
	return s
}

func (s state) resources() []resource {
	var all []resource
	var walk func(m module)
	walk = func(m module) {
		for _, r := range m.Resources {
			if r.Mode == "managed" {
				all = append(all, r)
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(s.Values.RootModule)
	return all
}

func (s state) ofType(resourceType string) []resource {
	var found []resource
	for _, r := range s.resources() {
		if r.Type == resourceType {
			found = append(found, r)
		}
	}
	return found
}

func (s state) mustGet(tb testing.TB, resourceType, name, key string) resource {
	tb.Helper()
	return s.mustGetIn(tb, "", resourceType, name, key)
}

// mustGetIn returns resourceType.name[key] of the module at that address
// ("" for the root module).
func (s state) mustGetIn(tb testing.TB, moduleAddress, resourceType, name, key string) resource {
	tb.Helper()
	for _, r := range s.ofType(resourceType) {
		if r.Name == name && r.Index == key && r.inModule(moduleAddress) {
			return r
		}
	}
	require.Failf(tb, "missing resource", "%s.%s[%q] is not in the state of module %q", resourceType, name, key, moduleAddress)
	return resource{}
}

// inModule says whether the resource is one of the module at that address
// ("" for the root module) itself, not of a module inside it.
func (r resource) inModule(moduleAddress string) bool {
	address := r.Type + "." + r.Name
	if moduleAddress != "" {
		address = moduleAddress + "." + address
	}
	return r.Address == address || strings.HasPrefix(r.Address, address+"[")
}

// policy is an IAM policy document; Action, NotAction and Resource may be a
// string or a list in JSON.
type policy struct {
	Statement []statement
}

type statement struct {
	Sid       string
	Effect    string
	Action    stringList
	NotAction stringList
	Resource  stringList
}

type stringList []string

func (l *stringList) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

func mustPolicy(tb testing.TB, address, document string) policy {
	tb.Helper()
	var raw struct {
		Statement json.RawMessage
	}
	require.NoError(tb, json.Unmarshal([]byte(document), &raw), "policy of %s", address)
	var p policy
	if err := json.Unmarshal(raw.Statement, &p.Statement); err != nil {
		var one statement
		require.NoError(tb, json.Unmarshal(raw.Statement, &one), "statements of %s", address)
		p.Statement = []statement{one}
	}
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func uniq(values []string) []string {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return slices.Compact(sorted)
}
