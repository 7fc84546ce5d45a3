package terraform_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bootstrapStateJSONEnv names the `terraform show -json` output of
// terraform/bootstrap applied to the emulator (scripts/test-terraform.sh).
const bootstrapStateJSONEnv = "PARLEY_TERRAFORM_BOOTSTRAP_STATE_JSON"

// The checks below ask a maintained simulator (@cloud-copilot/iam-simulate,
// through terraform/iam/iam.mjs) what AWS would decide for the deploy role's
// policies and the permissions boundary of the applied bootstrap: moto 5.2
// implements no iam:SimulatePrincipalPolicy and enforces no policy. What the
// deploy role must do is proven from the recorded requests (iam_test.go);
// these are what it must never do, and a few of its duties by name.

// accessCase is one request the deploy or plan role makes, and whether AWS
// should allow it.
type accessCase struct {
	name             string
	action, resource string
	context          map[string]any
	want             bool
}

// decideAll runs the cases against a principal's policies and, when given,
// a permissions boundary.
func decideAll(t *testing.T, principal, account string, identity, boundary []namedPolicy, cases []accessCase) {
	t.Helper()
	sims := make([]simulation, 0, len(cases))
	for _, c := range cases {
		context := map[string]any{"aws:ResourceAccount": account}
		for k, v := range c.context {
			context[k] = v
		}
		sims = append(sims, simulation{Principal: principal, Action: c.action, Resource: c.resource, Account: account,
			Context: context, Identity: identity, Boundary: boundary})
	}
	for i, result := range simulate(t, sims) {
		c := cases[i]
		t.Run(c.name, func(t *testing.T) {
			require.NotEqual(t, "Error", result.Decision, "the simulator refused the request: %v", result.Errors)
			assert.Equal(t, c.want, result.Decision == "Allowed", "%s on %s %v: %s", c.action, c.resource, c.context, result.Decision)
		})
	}
}

// TestBootstrapDeployRoleLeastPrivilege: named actions on this stack's
// resources, no data, never itself, roles only with the boundary, nothing of
// another stack.
func TestBootstrapDeployRoleLeastPrivilege(t *testing.T) {
	b := mustBootstrap(t)
	deployRole := b.mustGet(t, "aws_iam_role", "deploy")
	deploy := rolePolicyDocuments(t, b.state, deployRole.str("name"))
	require.NotEmpty(t, deploy, "the deploy role has its policies")
	for _, p := range deploy {
		for _, s := range mustStatements(t, p.Name, string(p.Policy)) {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range s.Action {
				assert.NotContains(t, a, "*", "%s allows %q: name every action", p.Name, a)
			}
			assert.Empty(t, s.NotAction)
		}
	}

	account := b.accountID(t)
	region := b.variable(t, "region")
	name, environment := b.variable(t, "name"), b.variable(t, "environment")
	prefix := name + "-" + environment
	other := name + "-" + environment + "x" // an environment whose name starts with this one's
	iamARN := func(kind, rest string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + rest }
	regional := func(service, rest string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + rest
	}
	apis := "arn:aws:apigateway:" + region + "::/apis"
	distribution := "arn:aws:cloudfront::" + account + ":distribution/E2QWRUHAPOMQZL"
	// A web ACL for CloudFront is in us-east-1 whatever the region.
	webACL := func(name string) string {
		return "arn:aws:wafv2:us-east-1:" + account + ":global/webacl/" + name + "/0b5f9a2e-0000-4000-8000-000000000000"
	}
	userPool := regional("cognito-idp", "userpool/"+region+"_x")
	deployARN, planRole := deployRole.str("arn"), iamARN("role", prefix+"-github-plan")
	boundary := b.mustGet(t, "aws_iam_policy", "boundary").str("arn")
	rolePath := "/" + name + "/" + environment + "/"
	stackRole := iamARN("role", strings.TrimPrefix(rolePath, "/")+prefix+"-add-message")
	function := regional("lambda", "function:"+prefix+"-add-message")
	table := regional("dynamodb", "table/"+prefix)
	withBoundary := map[string]any{"iam:PermissionsBoundary": boundary}
	ours := map[string]any{"aws:ResourceTag/" + stackTagKey: prefix}
	theirs := map[string]any{"aws:ResourceTag/" + stackTagKey: other}
	state := b.mustGet(t, "aws_s3_bucket", "state").str("arn")

	decideAll(t, deployARN, account, deploy, nil, []accessCase{
		{"CreatesTheTable", "dynamodb:CreateTable", table, nil, true},
		{"UpdatesItsFunctions", "lambda:UpdateFunctionCode", function, nil, true},
		{"CreatesStackRolesWithTheBoundary", "iam:CreateRole", stackRole, withBoundary, true},
		{"WritesStackRolePoliciesWithTheBoundary", "iam:PutRolePolicy", stackRole, withBoundary, true},
		{"PassesStackRolesToLambda", "iam:PassRole", stackRole, map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}, true},
		{"WritesTheState", "s3:PutObject", state + "/parley/" + environment + "/terraform.tfstate", nil, true},
		{"UploadsTheSPA", "s3:PutObject", "arn:aws:s3:::" + prefix + "-spa-" + account + "-" + region + "/index.html", nil, true},
		{"CreatesTheFeedsBucket", "s3:CreateBucket", "arn:aws:s3:::" + prefix + "-feeds-" + account + "-" + region, nil, true},
		{"CreatesTheFeedQueue", "sqs:CreateQueue", regional("sqs", prefix+"-feed-dead-letters"), nil, true},
		{"MapsTheStreamToItsFunction", "lambda:CreateEventSourceMapping", "*", map[string]any{"lambda:FunctionArn": regional("lambda", "function:"+prefix+"-feed")}, true},
		{"ErrMapsAStreamToAnotherFunction", "lambda:CreateEventSourceMapping", "*", map[string]any{"lambda:FunctionArn": regional("lambda", "function:other")}, false},
		{"ErrDeletesAnotherStacksStreamMapping", "lambda:DeleteEventSourceMapping", regional("lambda", "event-source-mapping:0b5f9a2e-0000-4000-8000-000000000000"), map[string]any{"lambda:FunctionArn": regional("lambda", "function:other-feed")}, false},
		{"ErrWritesSnapshots", "s3:PutObject", "arn:aws:s3:::" + prefix + "-feeds-" + account + "-" + region + "/feeds/finals.json", nil, false},
		{"ErrReadsSnapshots", "s3:GetObject", "arn:aws:s3:::" + prefix + "-feeds-" + account + "-" + region + "/feeds/finals.json", nil, false},

		{"ErrChangesItsOwnPolicy", "iam:PutRolePolicy", deployARN, nil, false},
		{"ErrChangesItsOwnPolicyEvenWithTheBoundary", "iam:PutRolePolicy", deployARN, withBoundary, false},
		{"ErrAttachesAPolicyToItself", "iam:AttachRolePolicy", deployARN, withBoundary, false},
		{"ErrChangesItsManagedPolicies", "iam:CreatePolicyVersion", iamARN("policy", prefix+"-github-deploy-compute"), nil, false},
		{"ErrChangesItsOwnTrust", "iam:UpdateAssumeRolePolicy", deployARN, nil, false},
		{"ErrRetrustsAStackRole", "iam:UpdateAssumeRolePolicy", stackRole, withBoundary, false},
		{"ErrSetsItsOwnBoundary", "iam:PutRolePermissionsBoundary", deployARN, withBoundary, false},
		{"ErrDeletesItself", "iam:DeleteRole", deployARN, nil, false},
		{"ErrChangesThePlanRole", "iam:PutRolePolicy", planRole, withBoundary, false},
		{"ErrCreatesAStackRoleWithoutTheBoundary", "iam:CreateRole", stackRole, nil, false},
		{"ErrCreatesAStackRoleWithAnotherBoundary", "iam:CreateRole", stackRole, map[string]any{"iam:PermissionsBoundary": iamARN("policy", "AdministratorAccess")}, false},
		{"ErrLiftsABoundary", "iam:DeleteRolePermissionsBoundary", stackRole, withBoundary, false},
		{"ErrChangesTheBoundary", "iam:CreatePolicyVersion", boundary, nil, false},
		{"ErrChangesARoleOutsideTheStack", "iam:PutRolePolicy", iamARN("role", "admin"), withBoundary, false},
		{"ErrCreatesARoleOutsideTheStack", "iam:CreateRole", iamARN("role", "other-app-production-x"), withBoundary, false},
		{"ErrCreatesARoleOfAnEnvironmentWithALongerName", "iam:CreateRole", iamARN("role", name+"/"+environment+"x/"+other+"-add-message"), withBoundary, false},
		{"ErrPassesAnUnboundedRole", "iam:PassRole", iamARN("role", "admin"), map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}, false},
		{"ErrPassesARoleOfTheStackWithoutItsPath", "iam:PassRole", iamARN("role", prefix+"-add-message"), map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}, false},
		{"ErrPassesARoleToEC2", "iam:PassRole", stackRole, map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}, false},
		{"ErrPassesARoleToApiGateway", "iam:PassRole", stackRole, map[string]any{"iam:PassedToService": "apigateway.amazonaws.com"}, false},
		{"ErrSetsTheAccountsApiGatewayLoggingRole", "apigateway:PATCH", "arn:aws:apigateway:" + region + "::/account", nil, false},
		{"ErrCreatesAUser", "iam:CreateUser", iamARN("user", prefix+"-x"), nil, false},
		{"ErrReadsItems", "dynamodb:GetItem", table, nil, false},
		{"ErrQueriesItems", "dynamodb:Query", table, nil, false},
		{"ErrScans", "dynamodb:Scan", table, nil, false},
		{"ErrWritesItems", "dynamodb:PutItem", table, nil, false},
		{"ErrExportsTheTable", "dynamodb:ExportTableToPointInTime", table, nil, false},
		{"ErrDeletesAnotherTable", "dynamodb:DeleteTable", regional("dynamodb", "table/other"), nil, false},
		{"ErrDeletesTheTableOfAnEnvironmentWithALongerName", "dynamodb:DeleteTable", regional("dynamodb", "table/"+other), nil, false},
		{"ErrReadsLogEvents", "logs:GetLogEvents", regional("logs", "log-group:/aws/lambda/"+prefix+"-add-message:log-stream:x"), nil, false},
		{"ErrSearchesLogs", "logs:FilterLogEvents", regional("logs", "log-group:/aws/lambda/"+prefix+"-add-message"), nil, false},
		{"ErrQueriesLogs", "logs:StartQuery", regional("logs", "log-group:/aws/lambda/"+prefix+"-add-message"), nil, false},
		{"ErrDeletesTheApiLogsOfAnEnvironmentWithALongerName", "logs:DeleteLogGroup", regional("logs", "log-group:/aws/apigateway/"+other), nil, false},
		{"ErrReadsAnotherBucket", "s3:GetObject", "arn:aws:s3:::someone-elses-bucket/secret", nil, false},
		{"ErrUpdatesAnotherFunction", "lambda:UpdateFunctionCode", regional("lambda", "function:other"), nil, false},
		{"ErrUpdatesAFunctionOfAnEnvironmentWithALongerName", "lambda:UpdateFunctionCode", regional("lambda", "function:"+other+"-add-message"), nil, false},
		{"ErrInvokesFunctions", "lambda:InvokeFunction", regional("lambda", "function:"+prefix+"-get-messages"), nil, false},
		{"LetsApiGatewayInvokeItsFunctions", "lambda:AddPermission", function, map[string]any{"lambda:Principal": "apigateway.amazonaws.com"}, true},
		{"ErrLetsAnyoneInvokeItsFunctions", "lambda:AddPermission", function, map[string]any{"lambda:Principal": "*"}, false},
		{"ErrLetsAnotherAccountInvokeItsFunctions", "lambda:AddPermission", function, map[string]any{"lambda:Principal": "210987654321"}, false},
		{"ChangesItsApi", "apigateway:PATCH", apis + "/a1b2c3d4e5", ours, true},
		{"ErrChangesAnotherStacksApi", "apigateway:PATCH", apis + "/a1b2c3d4e5", theirs, false},
		{"ErrDeletesAnUntaggedApi", "apigateway:DELETE", apis + "/a1b2c3d4e5", nil, false},
		{"ErrAddsARouteToAnotherStacksApi", "apigateway:POST", apis + "/a1b2c3d4e5/routes", theirs, false},
		{"ErrCreatesAnApiWithoutTheStackTag", "apigateway:POST", apis, map[string]any{"aws:RequestTag/" + stackTagKey: other, "aws:TagKeys": []string{stackTagKey}}, false},
		{"ChangesItsUserPool", "cognito-idp:UpdateUserPool", userPool, ours, true},
		{"ErrChangesAnotherStacksUserPool", "cognito-idp:UpdateUserPool", userPool, theirs, false},
		{"ErrAddsAClientToAnotherStacksUserPool", "cognito-idp:CreateUserPoolClient", userPool, theirs, false},
		{"ErrListsUsers", "cognito-idp:ListUsers", userPool, ours, false},
		{"ErrSignsInAsAnyone", "cognito-idp:AdminInitiateAuth", userPool, ours, false},
		{"ChangesItsDistribution", "cloudfront:UpdateDistribution", distribution, ours, true},
		{"ErrChangesAnotherStacksDistribution", "cloudfront:UpdateDistribution", distribution, theirs, false},
		{"ErrDeletesAnUntaggedDistribution", "cloudfront:DeleteDistribution", distribution, nil, false},
		{"ErrTakesAnotherStacksDistribution", "cloudfront:TagResource", distribution, map[string]any{"aws:ResourceTag/" + stackTagKey: other, "aws:RequestTag/" + stackTagKey: prefix, "aws:TagKeys": []string{stackTagKey}}, false},
		{"ErrTakesAnotherStacksUserPool", "cognito-idp:TagResource", userPool, map[string]any{"aws:ResourceTag/" + stackTagKey: other, "aws:RequestTag/" + stackTagKey: prefix, "aws:TagKeys": []string{stackTagKey}}, false},
		{"ErrTakesAnotherStacksStreamMapping", "lambda:TagResource", regional("lambda", "event-source-mapping:0b5f9a2e-0000-4000-8000-000000000000"), map[string]any{"aws:ResourceTag/" + stackTagKey: other, "aws:RequestTag/" + stackTagKey: prefix, "aws:TagKeys": []string{stackTagKey}}, false},
		{"ErrGivesItsDistributionAway", "cloudfront:TagResource", distribution, map[string]any{"aws:ResourceTag/" + stackTagKey: prefix, "aws:RequestTag/" + stackTagKey: other, "aws:TagKeys": []string{stackTagKey}}, false},
		{"ErrRemovesTheStackTag", "cloudfront:UntagResource", distribution, map[string]any{"aws:ResourceTag/" + stackTagKey: prefix, "aws:TagKeys": []string{stackTagKey}}, false},
		{"ErrRemovesTheStackTagOfItsUserPool", "cognito-idp:UntagResource", userPool, map[string]any{"aws:ResourceTag/" + stackTagKey: prefix, "aws:TagKeys": []string{stackTagKey}}, false},
		{"CreatesItsAlarms", "cloudwatch:PutMetricAlarm", regional("cloudwatch", "alarm:"+prefix+"-add-message-errors"), nil, true},
		{"ErrDeletesAnotherAlarm", "cloudwatch:DeleteAlarms", regional("cloudwatch", "alarm:other-app-errors"), nil, false},
		{"CreatesTheAlarmsTopic", "sns:CreateTopic", regional("sns", prefix+"-alarms"), nil, true},
		{"SubscribesToTheAlarmsTopic", "sns:Subscribe", regional("sns", prefix+"-alarms"), nil, true},
		{"ErrPublishesToTheTopic", "sns:Publish", regional("sns", prefix+"-alarms"), nil, false},
		{"ErrSubscribesToAnotherTopic", "sns:Subscribe", regional("sns", "other-topic"), nil, false},
		{"CreatesItsWebACLWithTheStackTag", "wafv2:CreateWebACL", webACL(prefix + "-edge"), map[string]any{"aws:RequestTag/" + stackTagKey: prefix, "aws:TagKeys": []string{stackTagKey}}, true},
		{"ErrCreatesAWebACLWithoutTheStackTag", "wafv2:CreateWebACL", webACL(prefix + "-edge"), nil, false},
		{"ErrCreatesAWebACLForAnotherStack", "wafv2:CreateWebACL", webACL(prefix + "-edge"), map[string]any{"aws:RequestTag/" + stackTagKey: other, "aws:TagKeys": []string{stackTagKey}}, false},
		{"ChangesItsWebACL", "wafv2:UpdateWebACL", webACL(prefix + "-edge"), nil, true},
		{"ReadsItsWebACLForItsDistribution", "wafv2:GetWebACL", webACL(prefix + "-edge"), nil, true},
		{"ErrReadsAnotherWebACLForItsDistribution", "wafv2:GetWebACL", webACL("other-app-edge"), nil, false},
		{"ErrChangesAnotherWebACL", "wafv2:UpdateWebACL", webACL("other-app-edge"), nil, false},
		{"ErrDeletesTheWebACLOfAnEnvironmentWithALongerName", "wafv2:DeleteWebACL", webACL(other + "-edge"), nil, false},
		{"ErrChangesARegionalWebACL", "wafv2:UpdateWebACL", regional("wafv2", "regional/webacl/"+prefix+"-edge/0b5f9a2e-0000-4000-8000-000000000000"), nil, false},
		{"ErrRemovesTheStackTagOfItsWebACL", "wafv2:UntagResource", webACL(prefix + "-edge"), map[string]any{"aws:ResourceTag/" + stackTagKey: prefix, "aws:TagKeys": []string{stackTagKey}}, false},
		{"PutsItsDashboard", "cloudwatch:PutDashboard", "arn:aws:cloudwatch::" + account + ":dashboard/" + prefix, nil, true},
		{"ErrReadsMetricData", "cloudwatch:GetMetricData", "*", nil, false},
	})

	t.Run("Boundary", func(t *testing.T) {
		// The boundary alone, as the most a stack role could ever be granted.
		p := b.mustGet(t, "aws_iam_policy", "boundary")
		policy := []namedPolicy{{Name: p.Address, Policy: json.RawMessage(p.str("policy"))}}
		feeds := "arn:aws:s3:::" + prefix + "-feeds-" + account + "-" + region + "/feeds/finals.json"
		decideAll(t, stackRole, account, policy, nil, []accessCase{
			{"ErrPutsARolePolicy", "iam:PutRolePolicy", stackRole, nil, false},
			{"ErrCreatesARole", "iam:CreateRole", stackRole, nil, false},
			{"ErrPassesARole", "iam:PassRole", stackRole, nil, false},
			{"ErrAssumesARole", "sts:AssumeRole", iamARN("role", "admin"), nil, false},
			{"ErrDeletesTheTable", "dynamodb:DeleteTable", table, nil, false},
			{"ErrScans", "dynamodb:Scan", table, nil, false},
			{"QueriesTheTable", "dynamodb:Query", table, nil, true},
			{"ErrQueriesAnotherTable", "dynamodb:Query", regional("dynamodb", "table/other"), nil, false},
			{"ErrQueriesTheTableOfAnEnvironmentWithALongerName", "dynamodb:Query", regional("dynamodb", "table/"+other), nil, false},
			{"WritesSnapshots", "s3:PutObject", feeds, map[string]any{"s3:ResourceAccount": account}, true},
			{"ErrWritesABucketOfTheSameNameInAnotherAccount", "s3:PutObject", feeds, map[string]any{"s3:ResourceAccount": "210987654321", "aws:ResourceAccount": "210987654321"}, false},
			{"ErrWritesTheState", "s3:PutObject", state + "/parley/" + environment + "/terraform.tfstate", map[string]any{"s3:ResourceAccount": account}, false},
			{"ErrWritesTheSPA", "s3:PutObject", "arn:aws:s3:::" + prefix + "-spa-" + account + "-" + region + "/index.html", map[string]any{"s3:ResourceAccount": account}, false},
		})
	})
}

// TestBootstrapPlanRoleReadsOnlyTheState: no managed policy (ReadOnlyAccess
// read every item and log), only the state.
func TestBootstrapPlanRoleReadsOnlyTheState(t *testing.T) {
	b := mustBootstrap(t)
	planRole := b.mustGet(t, "aws_iam_role", "plan")
	for _, a := range b.ofType("aws_iam_role_policy_attachment") {
		assert.NotEqual(t, planRole.str("name"), a.str("role"), "a managed policy (%s) is attached to the plan role", a.str("policy_arn"))
	}
	plan := rolePolicyDocuments(t, b.state, planRole.str("name"))
	require.NotEmpty(t, plan)
	account := b.accountID(t)
	region := b.variable(t, "region")
	prefix := b.variable(t, "name") + "-" + b.variable(t, "environment")
	state := b.mustGet(t, "aws_s3_bucket", "state").str("arn")
	regional := func(service, rest string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + rest
	}
	decideAll(t, planRole.str("arn"), account, plan, nil, []accessCase{
		{"ReadsTheState", "s3:GetObject", state + "/parley/production/terraform.tfstate", nil, true},
		{"ListsTheStateBucket", "s3:ListBucket", state, nil, true},
		{"ErrWritesTheState", "s3:PutObject", state + "/parley/production/terraform.tfstate", nil, false},
		{"ErrReadsTheConfig", "s3:GetObject", "arn:aws:s3:::" + prefix + "-spa-" + account + "-" + region + "/config.json", nil, false},
		{"ErrReadsAnyObject", "s3:GetObject", "arn:aws:s3:::any-bucket/any-object", nil, false},
		{"ErrGetsItems", "dynamodb:GetItem", regional("dynamodb", "table/"+prefix), nil, false},
		{"ErrQueries", "dynamodb:Query", regional("dynamodb", "table/"+prefix), nil, false},
		{"ErrScans", "dynamodb:Scan", regional("dynamodb", "table/"+prefix), nil, false},
		{"ErrReadsLogEvents", "logs:GetLogEvents", regional("logs", "log-group:/aws/lambda/"+prefix+"-add-message:log-stream:x"), nil, false},
		{"ErrSearchesLogs", "logs:FilterLogEvents", regional("logs", "log-group:/aws/lambda/"+prefix+"-add-message"), nil, false},
		{"ErrReadsAFunction", "lambda:GetFunction", regional("lambda", "function:"+prefix+"-add-message"), nil, false},
		{"ErrListsUsers", "cognito-idp:ListUsers", regional("cognito-idp", "userpool/"+region+"_x"), nil, false},
	})
}

// bootstrap is the applied bootstrap's state.
type bootstrap struct{ state }

func mustBootstrap(tb testing.TB) bootstrap {
	tb.Helper()
	return bootstrap{mustStateFrom(tb, bootstrapStateJSONEnv, "terraform/bootstrap")}
}

func (b bootstrap) mustGet(tb testing.TB, resourceType, name string) resource {
	tb.Helper()
	for _, r := range b.ofType(resourceType) {
		if r.Name == name {
			return r
		}
	}
	require.Failf(tb, "missing resource", "%s.%s is not in the bootstrap state", resourceType, name)
	return resource{}
}

// variable returns an input of the bootstrap, from its output of the same
// name.
func (b bootstrap) variable(tb testing.TB, name string) string {
	tb.Helper()
	out, ok := b.Values.Outputs[name]
	require.True(tb, ok, "the bootstrap has no output %s", name)
	s, ok := out.Value.(string)
	require.True(tb, ok, "output %s is not a string", name)
	return s
}

// accountID is the account of the applied roles.
func (b bootstrap) accountID(tb testing.TB) string {
	tb.Helper()
	parts := strings.Split(b.mustGet(tb, "aws_iam_role", "deploy").str("arn"), ":")
	require.Len(tb, parts, 6)
	return parts[4]
}
