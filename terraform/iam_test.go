package terraform_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The IAM checks: every request the AWS provider was seen to send while
// applying, planning, changing and destroying the stack (requests_test.go) is
// mapped to the IAM actions AWS authorizes for it (iam/operations.json, from
// AWS's service authorization reference), each action is put on the real ARN
// of what it touches (the account and region of a real deploy), and a
// maintained simulator (@cloud-copilot/iam-simulate, through iam/iam.mjs)
// decides it against the deploy role's policies. Nothing here models IAM.

// iamReportEnv names a file the checks append their figures to;
// scripts/test-terraform.sh prints it.
const iamReportEnv = "PARLEY_IAM_REPORT"

// stackTagKey is the tag that says which stack owns a resource (locals.tf).
const stackTagKey = "ParleyStack"

// knownTagKeys are the tag keys the stack sends: the default tags and the one
// the test's change adds.
var knownTagKeys = []string{"Application", "Environment", "ManagedBy", stackTagKey, "Team"}

// actionInfo is what AWS's reference says of an action.
type actionInfo struct {
	Exists        bool     `json:"exists"`
	Name          string   `json:"name"`
	Resources     []string `json:"resources"`
	ConditionKeys []string `json:"conditionKeys"`
}

// simulation is one request to the simulator.
type simulation struct {
	Principal      string            `json:"principal"`
	Action         string            `json:"action"`
	Resource       string            `json:"resource"`
	Account        string            `json:"account"`
	Context        map[string]any    `json:"context"`
	Identity       []namedPolicy     `json:"identity"`
	Boundary       []namedPolicy     `json:"boundary,omitempty"`
	ResourcePolicy json.RawMessage   `json:"resourcePolicy,omitempty"`
	Why            string            `json:"-"`
	Extra          map[string]string `json:"-"`
}

type namedPolicy struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

type simulationResult struct {
	Decision string `json:"decision"`
	Errors   any    `json:"errors"`
}

// runIAM sends one request to terraform/iam/iam.mjs and decodes its answer.
func runIAM(tb testing.TB, input any, output any) {
	tb.Helper()
	_, err := os.Stat(filepath.Join("iam", "node_modules", "@cloud-copilot", "iam-simulate"))
	require.NoError(tb, err, "the IAM reference and simulator are not installed: npm ci --prefix terraform/iam (scripts/test-terraform.sh does)")
	data, err := json.Marshal(input)
	require.NoError(tb, err)
	cmd := exec.Command("node", "iam.mjs")
	cmd.Dir = "iam"
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(tb, err, "node iam.mjs: %s", stderr.String())
	require.NoError(tb, json.Unmarshal(out, output))
}

// describeActions asks AWS's reference about actions.
func describeActions(tb testing.TB, actions []string) map[string]actionInfo {
	tb.Helper()
	var answer struct {
		Actions map[string]actionInfo `json:"actions"`
	}
	runIAM(tb, map[string]any{"actions": uniq(actions)}, &answer)
	return answer.Actions
}

// simulate decides every simulation.
func simulate(tb testing.TB, sims []simulation) []simulationResult {
	tb.Helper()
	if len(sims) == 0 {
		return nil
	}
	var answer struct {
		Simulations []simulationResult `json:"simulations"`
	}
	runIAM(tb, map[string]any{"simulations": sims}, &answer)
	require.Len(tb, answer.Simulations, len(sims))
	return answer.Simulations
}

// report appends a figure to the report file, and logs it.
func report(tb testing.TB, format string, args ...any) {
	tb.Helper()
	line := fmt.Sprintf(format, args...)
	tb.Log(line)
	if path := os.Getenv(iamReportEnv); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		require.NoError(tb, err)
		defer f.Close()
		_, err = fmt.Fprintln(f, line)
		require.NoError(tb, err)
	}
}

// deployContext is what the checks know of the deploy: account, region,
// stack prefix, and the applied states.
type deployContext struct {
	account, region, prefix string
	bootstrap               bootstrap
	stack                   state
	roles                   map[string]resource // stack role name -> role
	mappingFunctions        map[string]string   // event source mapping UUID -> function ARN
}

func mustDeployContext(tb testing.TB) deployContext {
	tb.Helper()
	b := mustBootstrap(tb)
	s := mustState(tb)
	d := deployContext{account: b.accountID(tb), bootstrap: b, stack: s, roles: map[string]resource{}, mappingFunctions: map[string]string{}}
	for _, m := range s.ofType("aws_lambda_event_source_mapping") {
		d.mappingFunctions[m.str("uuid")] = m.str("function_arn")
	}
	d.region = b.variable(tb, "region")
	d.prefix = b.variable(tb, "name") + "-" + b.variable(tb, "environment")
	for _, r := range s.ofType("aws_iam_role") {
		d.roles[r.str("name")] = r
	}
	return d
}

// rolePolicyDocuments returns every policy of a role in the state: its inline
// policies and its attached managed policies.
func rolePolicyDocuments(tb testing.TB, s state, role string) []namedPolicy {
	tb.Helper()
	var all []namedPolicy
	for _, p := range s.ofType("aws_iam_role_policy") {
		if p.str("role") == role {
			all = append(all, namedPolicy{Name: p.Address, Policy: json.RawMessage(p.str("policy"))})
		}
	}
	managed := map[string]resource{}
	for _, p := range s.ofType("aws_iam_policy") {
		managed[p.str("arn")] = p
	}
	for _, a := range s.ofType("aws_iam_role_policy_attachment") {
		if a.str("role") != role {
			continue
		}
		p, ok := managed[a.str("policy_arn")]
		require.True(tb, ok, "%s attaches %s, which is not in the state", a.Address, a.str("policy_arn"))
		all = append(all, namedPolicy{Name: p.Address, Policy: json.RawMessage(p.str("policy"))})
	}
	return all
}

// real rewrites moto's region into the deploy's. (moto also leaves the
// account out of an API's execution ARN.) A web ACL of scope CLOUDFRONT is in
// us-east-1 in every deploy: its ARNs keep their region.
func (d deployContext) real(arn string) string {
	arn = strings.ReplaceAll(arn, "arn:aws:execute-api:us-east-1::", "arn:aws:execute-api:"+d.region+":"+d.account+":")
	const global, kept = "arn:aws:wafv2:us-east-1:", "arn:aws:wafv2:\x00:"
	arn = strings.ReplaceAll(arn, global, kept)
	arn = strings.ReplaceAll(arn, ":us-east-1:", ":"+d.region+":")
	return strings.ReplaceAll(arn, kept, global)
}

// webACLARN is the ARN of a WAF web ACL: of scope CLOUDFRONT in us-east-1
// ("global"), whatever the deploy's region; else in the deploy's ("regional").
func (d deployContext) webACLARN(scope, name, id string) string {
	if scope == "CLOUDFRONT" {
		return "arn:aws:wafv2:us-east-1:" + d.account + ":global/webacl/" + name + "/" + id
	}
	return d.arn("wafv2", "regional/webacl/"+name+"/"+id)
}

// webACLID is the ID of the stack's web ACL of that name: the one a create
// request gets.
func (d deployContext) webACLID(name string) string {
	for _, acl := range d.stack.ofType("aws_wafv2_web_acl") {
		if acl.str("name") == name {
			return acl.str("id")
		}
	}
	return "*"
}

func (d deployContext) arn(service, rest string) string {
	return "arn:aws:" + service + ":" + d.region + ":" + d.account + ":" + rest
}

// roleARN is the ARN of a role of the stack (with its path), by name.
func (d deployContext) roleARN(name string) string {
	if r, ok := d.roles[name]; ok {
		return r.str("arn")
	}
	return "arn:aws:iam::" + d.account + ":role/" + name
}

var (
	xmlKey      = regexp.MustCompile(`<Key>([^<]*)</Key>`)
	xmlWebACLID = regexp.MustCompile(`<WebACLId>([^<]+)</WebACLId>`)
)

// resourceARN is the ARN of what a request acts on, for an action that names
// resources; "" when the request names none.
func (d deployContext) resourceARN(r awsRequest, action string) string {
	form := r.formValues()
	switch r.Service {
	case "DynamoDB":
		if arn := r.jsonField("ResourceArn"); arn != "" {
			return d.real(arn)
		}
		if t := r.jsonField("TableName"); t != "" {
			return d.arn("dynamodb", "table/"+t)
		}
	case "Lambda":
		if arn := r.pathRest("tags"); arn != "" {
			return d.real(arn)
		}
		if id := r.pathAfter("event-source-mappings"); id != "" {
			return d.arn("lambda", "event-source-mapping:"+id)
		}
		name := r.pathAfter("functions")
		if name == "" {
			name = r.jsonField("FunctionName")
		}
		if strings.HasPrefix(name, "arn:") {
			return d.real(name)
		}
		if name != "" {
			return d.arn("lambda", "function:"+name)
		}
	case "IAM":
		if name := form.Get("RoleName"); name != "" {
			if form.Get("Path") != "" {
				return "arn:aws:iam::" + d.account + ":role" + form.Get("Path") + name
			}
			return d.roleARN(name)
		}
		if arn := form.Get("PolicyArn"); arn != "" {
			return arn
		}
		if arn := form.Get("OpenIDConnectProviderArn"); arn != "" {
			return arn
		}
	case "CloudWatch Logs":
		if arn := r.jsonField("resourceArn"); arn != "" {
			return strings.TrimSuffix(d.real(arn), ":*")
		}
		if g := r.jsonField("logGroupName"); g != "" {
			return d.arn("logs", "log-group:"+g)
		}
	case "S3":
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
		bucket := "arn:aws:s3:::" + parts[0]
		if len(parts) == 2 && parts[1] != "" {
			return bucket + "/" + parts[1]
		}
		if m := xmlKey.FindStringSubmatch(r.Body); m != nil && strings.Contains(r.URL.RawQuery, "delete") {
			return bucket + "/" + m[1]
		}
		if strings.HasPrefix(action, "s3:") && strings.Contains(action, "Object") && !strings.Contains(action, "Lock") && !strings.Contains(action, "Ownership") {
			return bucket + "/*"
		}
		return bucket
	case "SQS":
		if q := r.jsonField("QueueUrl"); q != "" {
			return d.arn("sqs", q[strings.LastIndex(q, "/")+1:])
		}
		if n := r.jsonField("QueueName"); n != "" {
			return d.arn("sqs", n)
		}
	case "SNS":
		if arn := form.Get("TopicArn"); arn != "" {
			return d.real(arn)
		}
		if arn := form.Get("ResourceArn"); arn != "" {
			return d.real(arn)
		}
		if arn := form.Get("SubscriptionArn"); arn != "" {
			return d.real(arn[:strings.LastIndex(arn, ":")])
		}
		if n := form.Get("Name"); n != "" {
			return d.arn("sns", n)
		}
	case "CloudWatch":
		if arn := form.Get("ResourceARN"); arn != "" {
			return d.real(arn)
		}
		for _, k := range []string{"AlarmName", "AlarmNames.member.1"} {
			if n := form.Get(k); n != "" {
				return d.arn("cloudwatch", "alarm:"+n)
			}
		}
		for _, k := range []string{"DashboardName", "DashboardNames.member.1"} {
			if n := form.Get(k); n != "" {
				return "arn:aws:cloudwatch::" + d.account + ":dashboard/" + n
			}
		}
	case "KMS":
		// An alias names the key: AWS authorizes the key it resolves to,
		// with kms:RequestAlias.
		if id := r.jsonField("KeyId"); strings.HasPrefix(id, "alias/") {
			return d.arn("kms", "key/00000000-0000-0000-0000-000000000000")
		}
	case "Cognito Identity Provider":
		if arn := r.jsonField("ResourceArn"); arn != "" {
			return d.real(arn)
		}
		if id := r.jsonField("UserPoolId"); id != "" {
			return d.arn("cognito-idp", "userpool/"+id)
		}
	case "ApiGatewayV2":
		path := strings.TrimPrefix(r.URL.EscapedPath(), "/v2")
		if strings.HasPrefix(path, "/tags/") {
			return "arn:aws:apigateway:" + d.region + "::/tags/" + strings.TrimPrefix(path, "/tags/")
		}
		return "arn:aws:apigateway:" + d.region + "::" + path
	case "WAFV2":
		if arn := r.jsonField("ResourceARN"); arn != "" {
			return d.real(arn)
		}
		if name := r.jsonField("Name"); name != "" {
			id := r.jsonField("Id")
			if id == "" {
				id = d.webACLID(name)
			}
			return d.webACLARN(r.jsonField("Scope"), name, id)
		}
	case "CloudFront":
		if strings.HasPrefix(action, "wafv2:") {
			// The web ACL a distribution is given (its ARN, as moto wrote it).
			if m := xmlWebACLID.FindStringSubmatch(r.Body); m != nil {
				return d.real(m[1])
			}
			return ""
		}
		if arn := r.URL.Query().Get("Resource"); arn != "" {
			// moto writes arn:aws:cloudfront:<account>:...; AWS arn:aws:cloudfront::<account>:...
			return "arn:aws:cloudfront::" + d.account + ":" + arn[strings.LastIndex(arn, ":")+1:]
		}
		for _, kind := range []string{"distribution", "origin-access-control", "cache-policy", "response-headers-policy", "function"} {
			if id := r.pathAfter(kind); id != "" {
				return "arn:aws:cloudfront::" + d.account + ":" + kind + "/" + id
			}
		}
		return "arn:aws:cloudfront::" + d.account + ":distribution/*"
	}
	return ""
}

// sentTagKeys returns the known tag keys a request's body or URL carries.
func sentTagKeys(r awsRequest) []string {
	var keys []string
	text := r.Body + " " + r.URL.RawQuery
	for _, k := range knownTagKeys {
		if strings.Contains(text, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// creatingOperations create the resource they name, which then carries no
// tag yet. (CreateUserPoolClient, CreateRoute and the like act on an existing
// pool or API.)
var creatingOperations = map[string]bool{
	"ApiGatewayV2.CreateApi": true, "Cognito Identity Provider.CreateUserPool": true,
	"Lambda.CreateFunction": true, "Lambda.CreateEventSourceMapping": true, "IAM.CreateRole": true,
	"DynamoDB.CreateTable": true, "S3.CreateBucket": true, "SQS.CreateQueue": true, "SNS.CreateTopic": true,
	"CloudWatch Logs.CreateLogGroup": true, "CloudWatch.PutMetricAlarm": true, "CloudWatch.PutDashboard": true,
	"CloudFront.CreateDistributionWithTags": true, "CloudFront.CreateDistribution": true,
	"CloudFront.CreateOriginAccessControl": true, "CloudFront.CreateCachePolicy": true,
	"CloudFront.CreateResponseHeadersPolicy": true, "CloudFront.CreateFunction": true,
	"WAFV2.CreateWebACL": true,
}

func creates(r awsRequest) bool { return creatingOperations[r.Key()] }

// requestSimulations turns one recorded request into the simulations of the
// actions it needs; unmapped operations are returned by name.
func (d deployContext) requestSimulations(tb testing.TB, r awsRequest, ops operationMap, infos map[string]actionInfo, principal string) ([]simulation, bool) {
	tb.Helper()
	actions, ok := ops.Operations[r.Key()]
	if !ok {
		return nil, false
	}
	tags := sentTagKeys(r)
	if creates(r) && len(tags) > 0 && ops.TagOnCreate[r.Service] != "" {
		actions = append(append([]string{}, actions...), ops.TagOnCreate[r.Service])
	}
	var sims []simulation
	for _, action := range actions {
		info := infos[action]
		resource := "*"
		if len(info.Resources) > 0 {
			resource = d.resourceARN(r, action)
			if resource == "" {
				resource = "*"
			}
		}
		context := map[string]any{"aws:ResourceAccount": d.account}
		if resource != "*" && !creates(r) && !strings.HasPrefix(resource, "arn:aws:iam::aws:") {
			context["aws:ResourceTag/"+stackTagKey] = d.prefix
		}
		if len(tags) > 0 {
			context["aws:TagKeys"] = tags
			if strings.Contains(r.Body+r.URL.RawQuery, stackTagKey) && !strings.HasPrefix(r.Operation, "Untag") {
				context["aws:RequestTag/"+stackTagKey] = d.prefix
			}
		}
		switch {
		case r.Service == "CloudFront" && strings.HasPrefix(action, "wafv2:"):
			if resource == "*" {
				continue // no web ACL named: nothing for CloudFront to check
			}
			// CloudFront reads the web ACL, which carries the stack's tag; the
			// request's tags are the distribution's.
			context = map[string]any{"aws:ResourceAccount": d.account, "aws:ResourceTag/" + stackTagKey: d.prefix}
		case action == "iam:PassRole":
			role := r.jsonField("Role")
			if role == "" {
				continue // no role passed: a change of something else
			}
			resource = d.real(role)
			context["iam:PassedToService"] = "lambda.amazonaws.com"
			delete(context, "aws:ResourceTag/"+stackTagKey)
		case r.Service == "KMS" && strings.HasPrefix(r.jsonField("KeyId"), "alias/"):
			context["kms:RequestAlias"] = r.jsonField("KeyId")
			delete(context, "aws:ResourceTag/"+stackTagKey)
		case r.Service == "IAM":
			if b := r.formValues().Get("PermissionsBoundary"); b != "" {
				context["iam:PermissionsBoundary"] = b
			} else if role, ok := d.roles[r.formValues().Get("RoleName")]; ok && role.str("permissions_boundary") != "" {
				context["iam:PermissionsBoundary"] = role.str("permissions_boundary")
			}
			if arn := r.formValues().Get("PolicyArn"); arn != "" && r.formValues().Get("RoleName") != "" {
				context["iam:PolicyARN"] = arn
			}
		case r.Service == "Lambda" && strings.Contains(action, "EventSourceMapping"):
			// AWS holds a mapping's function in lambda:FunctionArn.
			if fn := d.mappingFunctions[r.pathAfter("event-source-mappings")]; fn != "" {
				context["lambda:FunctionArn"] = d.real(fn)
			}
			if fn := r.jsonField("FunctionName"); fn != "" {
				if !strings.HasPrefix(fn, "arn:") {
					fn = d.arn("lambda", "function:"+fn)
				}
				context["lambda:FunctionArn"] = d.real(fn)
			}
		case action == "lambda:AddPermission" || action == "lambda:RemovePermission":
			if p := r.jsonField("Principal"); p != "" {
				context["lambda:Principal"] = p
			}
		}
		if action == "lambda:AddPermission" || action == "lambda:RemovePermission" {
			if _, ok := context["lambda:Principal"]; !ok && action == "lambda:AddPermission" {
				context["lambda:Principal"] = r.jsonField("Principal")
			}
		}
		sim := simulation{
			Principal: principal, Action: action, Resource: resource, Account: d.account, Context: context,
			Why: r.Phase + " " + r.Key() + " (" + r.Resource + ")",
		}
		if r.Service == "KMS" {
			// A KMS key is reached only through its key policy; an AWS managed
			// key's lets the account's IAM policies read its metadata.
			sim.ResourcePolicy = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + d.account + `:root"},"Action":["kms:Describe*","kms:Get*","kms:List*","kms:RevokeGrant"],"Resource":"*"}]}`)
		}
		sims = append(sims, sim)
	}
	return sims, true
}

// TestIAMDeployRoleAllowsEveryRecordedRequest: what the provider really
// called to apply, refresh, change and destroy the stack, the deploy role may
// do, as AWS would decide it.
func TestIAMDeployRoleAllowsEveryRecordedRequest(t *testing.T) {
	requests := mustRecordedRequests(t)
	d := mustDeployContext(t)
	ops := mustOperationMap(t)
	deployRole := d.bootstrap.mustGet(t, "aws_iam_role", "deploy")
	identity := rolePolicyDocuments(t, d.bootstrap.state, deployRole.str("name"))
	require.NotEmpty(t, identity)

	var stack []awsRequest
	for _, r := range requests {
		if strings.HasPrefix(r.Phase, "stack-") {
			stack = append(stack, r)
		}
	}
	recordedByStack := len(stack)
	stack = append(stack, notOnMoto(t, d.prefix)...)
	phases := map[string]int{}
	for _, r := range stack {
		phases[r.Phase]++
	}
	for _, phase := range []string{"stack-apply", "stack-plan", "stack-change", "stack-destroy"} {
		require.Positive(t, phases[phase], "no request of %s was recorded", phase)
	}
	report(t, "requests recorded: %d (%d of them by the stack's apply, refresh, change and destroy); %d more written as the provider sends them, which moto cannot serve", len(requests), recordedByStack, len(stack)-recordedByStack)

	sims, unmapped := d.simulationsOf(t, stack, ops, deployRole.str("arn"))
	assert.Empty(t, unmapped, "operations the provider called that terraform/iam/operations.json does not map to IAM actions")
	actions := map[string]bool{}
	for _, s := range sims {
		actions[s.Action] = true
	}
	report(t, "distinct IAM actions the deploy role needs: %d", len(actions))
	for i := range sims {
		sims[i].Identity = identity
	}
	var denied []string
	for i, result := range simulate(t, sims) {
		if result.Decision != "Allowed" {
			s := sims[i]
			ctx, _ := json.Marshal(s.Context)
			denied = append(denied, fmt.Sprintf("%s: %s on %s %s [%s] %v", result.Decision, s.Action, s.Resource, ctx, s.Why, result.Errors))
		}
	}
	sort.Strings(denied)
	report(t, "deploy role: %d of %d distinct (action, resource, context) requests denied", len(denied), len(sims))
	assert.Empty(t, denied, "the deploy role is denied what applying the stack needs:\n%s", strings.Join(denied, "\n"))
}

// TestIAMPlanRoleAllowsPlanWithoutRefresh: a pull request's plan
// (-refresh=false) calls nothing the plan role may not do.
func TestIAMPlanRoleAllowsPlanWithoutRefresh(t *testing.T) {
	requests := mustRecordedRequests(t)
	d := mustDeployContext(t)
	ops := mustOperationMap(t)
	planRole := d.bootstrap.mustGet(t, "aws_iam_role", "plan")
	identity := rolePolicyDocuments(t, d.bootstrap.state, planRole.str("name"))
	var plan []awsRequest
	for _, r := range requests {
		if r.Phase == "plan-role" {
			plan = append(plan, r)
		}
	}
	sims, unmapped := d.simulationsOf(t, plan, ops, planRole.str("arn"))
	assert.Empty(t, unmapped)
	// The S3 backend reads the state (the tests use a local backend).
	state := d.bootstrap.mustGet(t, "aws_s3_bucket", "state").str("arn")
	sims = append(sims,
		simulation{Principal: planRole.str("arn"), Action: "s3:ListBucket", Resource: state, Account: d.account, Context: map[string]any{}, Why: "S3 backend"},
		simulation{Principal: planRole.str("arn"), Action: "s3:GetObject", Resource: state + "/parley/" + d.bootstrap.variable(t, "environment") + "/terraform.tfstate", Account: d.account, Context: map[string]any{}, Why: "S3 backend"},
	)
	for i := range sims {
		sims[i].Identity = identity
	}
	report(t, "plan role: %d requests recorded by plan -refresh=false", len(plan))
	for i, result := range simulate(t, sims) {
		assert.Equal(t, "Allowed", result.Decision, "plan role: %s on %s (%s) %v", sims[i].Action, sims[i].Resource, sims[i].Why, result.Errors)
	}
}

// simulationsOf maps requests to simulations, one per distinct action,
// resource and context; requests needing no permission are left out.
func (d deployContext) simulationsOf(tb testing.TB, requests []awsRequest, ops operationMap, principal string) ([]simulation, []string) {
	tb.Helper()
	var all []string
	for _, actions := range ops.Operations {
		all = append(all, actions...)
	}
	for _, a := range ops.TagOnCreate {
		all = append(all, a)
	}
	infos := describeActions(tb, all)
	seen := map[string]bool{}
	unmappedSet := map[string]bool{}
	var sims []simulation
	for _, r := range requests {
		list, ok := d.requestSimulations(tb, r, ops, infos, principal)
		if !ok {
			unmappedSet[r.Key()] = true
			continue
		}
		for _, s := range list {
			ctx, _ := json.Marshal(s.Context)
			key := s.Action + " " + s.Resource + " " + string(ctx)
			if seen[key] {
				continue
			}
			seen[key] = true
			sims = append(sims, s)
		}
	}
	var unmapped []string
	for k := range unmappedSet {
		unmapped = append(unmapped, k)
	}
	sort.Strings(unmapped)
	return sims, unmapped
}

// TestIAMOperationsMapToRealActions: every action operations.json names is
// one of AWS's.
func TestIAMOperationsMapToRealActions(t *testing.T) {
	if os.Getenv(requestsDirEnv) == "" {
		t.Skipf("%s is not set: scripts/test-terraform.sh installs the IAM reference and runs this", requestsDirEnv)
	}
	ops := mustOperationMap(t)
	var all []string
	for _, actions := range ops.Operations {
		all = append(all, actions...)
	}
	for _, a := range ops.TagOnCreate {
		all = append(all, a)
	}
	for name, info := range describeActions(t, all) {
		assert.True(t, info.Exists, "operations.json names %s, which is not an IAM action", name)
	}
}

// TestIAMLambdaRolesAllowWhatEachFunctionCalls: each function's role, under
// the permissions boundary, may make every call the function makes: its
// DynamoDB actions on the table (the dynamodb_actions of local.functions, which
// TestRequestsPerRoute in adapters/dynamodb proves equal to the calls each
// route was recorded making on DynamoDB Local), its logs, its traces, its
// pushes to WebSocket connections, and for the feed function the stream, the
// snapshots and the dead-letter queue, all on their real ARNs.
func TestIAMLambdaRolesAllowWhatEachFunctionCalls(t *testing.T) {
	d := mustDeployContext(t)
	boundaryPolicy := d.bootstrap.mustGet(t, "aws_iam_policy", "boundary")
	boundary := []namedPolicy{{Name: boundaryPolicy.Address, Policy: json.RawMessage(boundaryPolicy.str("policy"))}}
	table := d.stack.ofType("aws_dynamodb_table")[0]
	tableARN := d.real(table.str("arn"))
	var wsAPI string
	for _, api := range d.stack.ofType("aws_apigatewayv2_api") {
		if api.str("protocol_type") == "WEBSOCKET" {
			wsAPI = api.str("id")
		}
	}
	require.NotEmpty(t, wsAPI)
	pushes := mustPushes(t)

	type call struct {
		action, resource string
		// context is what the request adds to the simulation's context.
		context map[string]any
	}
	calls := map[string][]call{}
	for route, actions := range mustDynamoDBActions(t) {
		for _, a := range actions {
			calls[route] = append(calls[route], call{a, tableARN, nil})
		}
		if pushes[route] {
			calls[route] = append(calls[route],
				call{"execute-api:ManageConnections", d.arn("execute-api", wsAPI+"/ws/POST/@connections/ZXhhbXBsZQ="), nil},
				call{"execute-api:ManageConnections", d.arn("execute-api", wsAPI+"/ws/DELETE/@connections/ZXhhbXBsZQ="), nil})
		}
	}
	// What erasing an account calls beside the table: closing a connection,
	// deleting the user from the pool.
	pool := d.stack.mustOne(t, "aws_cognito_user_pool", "users")
	calls["delete-account"] = append(calls["delete-account"],
		call{"cognito-idp:AdminDeleteUser", d.real(pool.str("arn")), nil})
	// Writing an export, and the presigned read of it.
	exportsBucket := d.stack.mustOne(t, "aws_s3_bucket", "exports").str("bucket")
	calls["export"] = append(calls["export"],
		call{"s3:PutObject", "arn:aws:s3:::" + exportsBucket + "/exports/01J-abc.json", nil},
		call{"s3:GetObject", "arn:aws:s3:::" + exportsBucket + "/exports/01J-abc.json", nil})
	feedsBucket := d.stack.mustOneIn(t, feedsBucketModule, "aws_s3_bucket", "origin").str("bucket")
	queue := d.stack.mustOne(t, "aws_sqs_queue", "feed_dead_letters").str("name")
	calls[feedFunction] = []call{
		// A channel's items only (adapters/dynamodb/feed_test.go records the keys).
		{"dynamodb:GetItem", tableARN, channelItems}, {"dynamodb:Query", tableARN, channelItems},
		// What Lambda does with the function's role to read the stream.
		{"dynamodb:DescribeStream", d.real(table.str("stream_arn")), nil}, {"dynamodb:GetRecords", d.real(table.str("stream_arn")), nil},
		{"dynamodb:GetShardIterator", d.real(table.str("stream_arn")), nil}, {"dynamodb:ListStreams", "*", nil},
		{"s3:GetObject", "arn:aws:s3:::" + feedsBucket + "/feeds/finals.json", nil},
		{"s3:PutObject", "arn:aws:s3:::" + feedsBucket + "/feeds/finals.json", nil},
		{"sqs:SendMessage", d.arn("sqs", queue), nil},
	}
	for function := range calls {
		name := d.prefix + "-" + function
		calls[function] = append(calls[function],
			call{"logs:CreateLogStream", d.arn("logs", "log-group:/aws/lambda/"+name+":log-stream:2026/12/01/[$LATEST]0123"), nil},
			call{"logs:PutLogEvents", d.arn("logs", "log-group:/aws/lambda/"+name+":log-stream:2026/12/01/[$LATEST]0123"), nil},
		)
		if d.stack.mustGetFunction(t, name).path("tracing_config")["mode"] == "Active" {
			calls[function] = append(calls[function], call{"xray:PutTraceSegments", "*", nil}, call{"xray:PutTelemetryRecords", "*", nil})
		}
	}

	var sims []simulation
	var feedRole string
	var feedIdentity []namedPolicy
	for _, function := range sortedKeys(calls) {
		name := d.prefix + "-" + function
		role, ok := d.roles[name]
		require.True(t, ok, "no role %s in the state", name)
		assert.Equal(t, boundaryPolicy.str("arn"), role.str("permissions_boundary"), "role %s carries the boundary", name)
		var identity []namedPolicy
		for _, p := range rolePolicyDocuments(t, d.stack, name) {
			// The stack was applied in moto's region: as if in the deploy's.
			identity = append(identity, namedPolicy{Name: p.Name, Policy: json.RawMessage(d.real(string(p.Policy)))})
		}
		require.NotEmpty(t, identity, "role %s has no policy", name)
		for _, c := range calls[function] {
			context := map[string]any{"aws:ResourceAccount": d.account, "s3:ResourceAccount": d.account}
			maps.Copy(context, c.context)
			sims = append(sims, simulation{
				Principal: role.str("arn"), Action: c.action, Resource: c.resource, Account: d.account,
				Context: context, Identity: identity, Boundary: boundary, Why: function,
			})
		}
		if function == feedFunction {
			feedRole, feedIdentity = role.str("arn"), identity
		}
	}
	// The feed function reads channel items and nothing else: not a
	// message, a contact or an account, nor a request that names no key.
	allowed := len(sims)
	for _, key := range []any{[]string{"USER#alice@example.com"}, []string{"CONV#alice@example.com#bob@example.com"}, []string{"CHAN#finals", "USER#alice@example.com"}, nil} {
		for _, action := range []string{"dynamodb:GetItem", "dynamodb:Query"} {
			context := map[string]any{"aws:ResourceAccount": d.account}
			if key != nil {
				context["dynamodb:LeadingKeys"] = key
			}
			sims = append(sims, simulation{
				Principal: feedRole, Action: action, Resource: tableARN, Account: d.account,
				Context: context, Identity: feedIdentity, Boundary: boundary, Why: fmt.Sprintf("feed reads %v", key),
			})
		}
	}
	denied := 0
	for i, result := range simulate(t, sims) {
		if i >= allowed {
			assert.NotEqual(t, "Allowed", result.Decision, "%s: %s must be denied", sims[i].Why, sims[i].Action)
			continue
		}
		if !assert.Equal(t, "Allowed", result.Decision, "%s: %s on %s %v", sims[i].Why, sims[i].Action, sims[i].Resource, result.Errors) {
			denied++
		}
	}
	sims = sims[:allowed]
	report(t, "Lambda roles: %d of %d calls of %d functions denied (role policy within the boundary)", denied, len(sims), len(calls))
}

// channelItems is the context of a request that reads a channel's items
// only: what the feed function's GetItems and Queries name.
var channelItems = map[string]any{"dynamodb:LeadingKeys": []string{"CHAN#finals"}}

// mustGetFunction returns the function of that name.
func (s state) mustGetFunction(tb testing.TB, name string) resource {
	tb.Helper()
	for _, f := range s.ofType("aws_lambda_function") {
		if f.str("function_name") == name {
			return f
		}
	}
	require.Failf(tb, "missing function", "no function %s in the state", name)
	return resource{}
}

// notOnMoto are the requests a real apply makes that moto cannot record:
// it has no CloudFront Functions, response headers policies nor cache
// policies, so the test stack uses managed policies by ID and no function
// (scripts/test-terraform.sh). Written as the provider sends them.
func notOnMoto(tb testing.TB, prefix string) []awsRequest {
	tb.Helper()
	request := func(operation, method, path string) awsRequest {
		u, err := url.Parse("https://cloudfront.amazonaws.com/2020-05-31/" + path)
		require.NoError(tb, err)
		return awsRequest{Phase: "stack-not-on-moto", Service: "CloudFront", Operation: operation, Method: method, URL: u}
	}
	fn := prefix + "-spa-fallback"
	var all []awsRequest
	all = append(all,
		request("CreateFunction", "POST", "function"),
		request("DescribeFunction", "GET", "function/"+fn+"/describe"),
		request("GetFunction", "GET", "function/"+fn),
		request("UpdateFunction", "PUT", "function/"+fn),
		request("PublishFunction", "POST", "function/"+fn+"/publish"),
		request("DeleteFunction", "DELETE", "function/"+fn),
	)
	for _, kind := range []struct{ name, path string }{{"ResponseHeadersPolicy", "response-headers-policy"}, {"CachePolicy", "cache-policy"}} {
		id := "0b5f9a2e-0000-4000-8000-000000000000"
		all = append(all,
			request("Create"+kind.name, "POST", kind.path),
			request("Get"+kind.name, "GET", kind.path+"/"+id),
			request("Update"+kind.name, "PUT", kind.path+"/"+id),
			request("Delete"+kind.name, "DELETE", kind.path+"/"+id),
		)
	}
	return all
}
