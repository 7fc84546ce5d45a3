package terraform_test

import (
	"encoding/json"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bootstrapStateJSONEnv names the `terraform show -json` output of
// terraform/bootstrap applied to the emulator (scripts/test-terraform.sh).
const bootstrapStateJSONEnv = "PARLEY_TERRAFORM_BOOTSTRAP_STATE_JSON"

// The checks below evaluate the policy documents of the applied bootstrap
// with evaluate, a small model of IAM's rules: an explicit Deny wins, else an
// Allow whose action, resource and conditions match, else denied. moto 5.2
// implements no iam:SimulatePrincipalPolicy, and its IAM does not enforce
// policies, so the rules are evaluated here; the model knows the condition
// operators the bootstrap uses and fails the test on any other.

// TestBootstrapDeployRoleLeastPrivilege: named actions on this stack's
// resources, no data, never itself, roles only with the boundary.
func TestBootstrapDeployRoleLeastPrivilege(t *testing.T) {
	b := mustBootstrap(t)
	deploy := b.rolePolicies(t, b.mustGet(t, "aws_iam_role", "deploy").str("name"))
	require.NotEmpty(t, deploy, "the deploy role has its policy")
	for _, s := range deploy {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range s.Action {
			assert.False(t, a == "*" || strings.HasSuffix(a, ":*") || strings.Contains(a, "*"), "deploy allows %q: name every action", a)
		}
		assert.Empty(t, s.NotAction)
		assert.Empty(t, s.NotResource)
	}

	const prefix = "parley-production"
	account := b.accountID(t)
	iamARN := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	deployRole, planRole := b.mustGet(t, "aws_iam_role", "deploy").str("arn"), iamARN("role", prefix+"-github-plan")
	boundary := b.mustGet(t, "aws_iam_policy", "boundary").str("arn")
	stackRole := iamARN("role", prefix+"-add-message")
	table := "arn:aws:dynamodb:eu-central-1:" + account + ":table/" + prefix
	withBoundary := map[string]string{"iam:PermissionsBoundary": boundary}
	state := b.mustGet(t, "aws_s3_bucket", "state").str("arn")

	for _, tc := range []struct {
		name             string
		action, resource string
		context          map[string]string
		want             bool
	}{
		{"CreatesTheTable", "dynamodb:CreateTable", table, nil, true},
		{"UpdatesItsFunctions", "lambda:UpdateFunctionCode", "arn:aws:lambda:eu-central-1:" + account + ":function:" + prefix + "-add-message", nil, true},
		{"CreatesStackRolesWithTheBoundary", "iam:CreateRole", stackRole, withBoundary, true},
		{"WritesStackRolePoliciesWithTheBoundary", "iam:PutRolePolicy", stackRole, withBoundary, true},
		{"PassesStackRolesToLambda", "iam:PassRole", stackRole, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}, true},
		{"WritesTheState", "s3:PutObject", state + "/parley/production/terraform.tfstate", nil, true},
		{"UploadsTheSPA", "s3:PutObject", "arn:aws:s3:::" + prefix + "-spa-" + account + "-eu-central-1/index.html", nil, true},
		{"CreatesTheFeedsBucket", "s3:CreateBucket", "arn:aws:s3:::" + prefix + "-feeds-" + account + "-eu-central-1", nil, true},
		{"CreatesTheFeedQueue", "sqs:CreateQueue", "arn:aws:sqs:eu-central-1:" + account + ":" + prefix + "-feed-dead-letters", nil, true},
		{"MapsTheStreamToItsFunction", "lambda:CreateEventSourceMapping", "*", map[string]string{"lambda:FunctionArn": "arn:aws:lambda:eu-central-1:" + account + ":function:" + prefix + "-feed"}, true},
		{"ErrMapsAStreamToAnotherFunction", "lambda:CreateEventSourceMapping", "*", map[string]string{"lambda:FunctionArn": "arn:aws:lambda:eu-central-1:" + account + ":function:other"}, false},
		{"ErrWritesSnapshots", "s3:PutObject", "arn:aws:s3:::" + prefix + "-feeds-" + account + "-eu-central-1/feeds/finals.json", nil, false},
		{"ErrReadsSnapshots", "s3:GetObject", "arn:aws:s3:::" + prefix + "-feeds-" + account + "-eu-central-1/feeds/finals.json", nil, false},

		{"ErrChangesItsOwnPolicy", "iam:PutRolePolicy", deployRole, nil, false},
		{"ErrChangesItsOwnPolicyEvenWithTheBoundary", "iam:PutRolePolicy", deployRole, withBoundary, false},
		{"ErrAttachesAPolicyToItself", "iam:AttachRolePolicy", deployRole, withBoundary, false},
		{"ErrChangesItsOwnTrust", "iam:UpdateAssumeRolePolicy", deployRole, nil, false},
		{"ErrSetsItsOwnBoundary", "iam:PutRolePermissionsBoundary", deployRole, withBoundary, false},
		{"ErrDeletesItself", "iam:DeleteRole", deployRole, nil, false},
		{"ErrChangesThePlanRole", "iam:PutRolePolicy", planRole, withBoundary, false},
		{"ErrCreatesAStackRoleWithoutTheBoundary", "iam:CreateRole", stackRole, nil, false},
		{"ErrCreatesAStackRoleWithAnotherBoundary", "iam:CreateRole", stackRole, map[string]string{"iam:PermissionsBoundary": iamARN("policy", "AdministratorAccess")}, false},
		{"ErrLiftsABoundary", "iam:DeleteRolePermissionsBoundary", stackRole, withBoundary, false},
		{"ErrChangesTheBoundary", "iam:CreatePolicyVersion", boundary, nil, false},
		{"ErrChangesARoleOutsideTheStack", "iam:PutRolePolicy", iamARN("role", "admin"), withBoundary, false},
		{"ErrCreatesARoleOutsideTheStack", "iam:CreateRole", iamARN("role", "other-app-production-x"), withBoundary, false},
		{"ErrPassesARoleToEC2", "iam:PassRole", stackRole, map[string]string{"iam:PassedToService": "ec2.amazonaws.com"}, false},
		{"PassesTheLoggingRoleToApiGateway", "iam:PassRole", iamARN("role", prefix+"-apigateway-logs"), map[string]string{"iam:PassedToService": "apigateway.amazonaws.com"}, true},
		{"ErrPassesAFunctionRoleToApiGateway", "iam:PassRole", stackRole, map[string]string{"iam:PassedToService": "apigateway.amazonaws.com"}, false},
		{"ErrCreatesAUser", "iam:CreateUser", iamARN("user", prefix+"-x"), nil, false},
		{"ErrReadsItems", "dynamodb:GetItem", table, nil, false},
		{"ErrQueriesItems", "dynamodb:Query", table, nil, false},
		{"ErrScans", "dynamodb:Scan", table, nil, false},
		{"ErrWritesItems", "dynamodb:PutItem", table, nil, false},
		{"ErrExportsTheTable", "dynamodb:ExportTableToPointInTime", table, nil, false},
		{"ErrDeletesAnotherTable", "dynamodb:DeleteTable", "arn:aws:dynamodb:eu-central-1:" + account + ":table/other", nil, false},
		{"ErrReadsLogEvents", "logs:GetLogEvents", "arn:aws:logs:eu-central-1:" + account + ":log-group:/aws/lambda/" + prefix + "-add-message:log-stream:x", nil, false},
		{"ErrSearchesLogs", "logs:FilterLogEvents", "arn:aws:logs:eu-central-1:" + account + ":log-group:/aws/lambda/" + prefix + "-add-message", nil, false},
		{"ErrQueriesLogs", "logs:StartQuery", "arn:aws:logs:eu-central-1:" + account + ":log-group:/aws/lambda/" + prefix + "-add-message", nil, false},
		{"ErrReadsAnotherBucket", "s3:GetObject", "arn:aws:s3:::someone-elses-bucket/secret", nil, false},
		{"ErrUpdatesAnotherFunction", "lambda:UpdateFunctionCode", "arn:aws:lambda:eu-central-1:" + account + ":function:other", nil, false},
		{"ErrInvokesFunctions", "lambda:InvokeFunction", "arn:aws:lambda:eu-central-1:" + account + ":function:" + prefix + "-get-messages", nil, false},
		{"CreatesItsAlarms", "cloudwatch:PutMetricAlarm", "arn:aws:cloudwatch:eu-central-1:" + account + ":alarm:" + prefix + "-add-message-errors", nil, true},
		{"ErrDeletesAnotherAlarm", "cloudwatch:DeleteAlarms", "arn:aws:cloudwatch:eu-central-1:" + account + ":alarm:other-app-errors", nil, false},
		{"CreatesTheAlarmsTopic", "sns:CreateTopic", "arn:aws:sns:eu-central-1:" + account + ":" + prefix + "-alarms", nil, true},
		{"SubscribesToTheAlarmsTopic", "sns:Subscribe", "arn:aws:sns:eu-central-1:" + account + ":" + prefix + "-alarms", nil, true},
		{"ErrPublishesToTheTopic", "sns:Publish", "arn:aws:sns:eu-central-1:" + account + ":" + prefix + "-alarms", nil, false},
		{"ErrSubscribesToAnotherTopic", "sns:Subscribe", "arn:aws:sns:eu-central-1:" + account + ":other-topic", nil, false},
		{"PutsItsDashboard", "cloudwatch:PutDashboard", "arn:aws:cloudwatch::" + account + ":dashboard/" + prefix, nil, true},
		{"ErrReadsMetricData", "cloudwatch:GetMetricData", "*", nil, false},
		{"ErrListsUsers", "cognito-idp:ListUsers", "arn:aws:cognito-idp:eu-central-1:" + account + ":userpool/eu-central-1_x", nil, false},
		{"ErrSignsInAsAnyone", "cognito-idp:AdminInitiateAuth", "arn:aws:cognito-idp:eu-central-1:" + account + ":userpool/eu-central-1_x", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, evaluate(t, deploy, tc.action, tc.resource, tc.context))
		})
	}

	t.Run("BoundaryHoldsNoIAM", func(t *testing.T) {
		p := parsePolicy(t, boundary, b.mustGet(t, "aws_iam_policy", "boundary").str("policy"))
		for _, action := range []string{"iam:PutRolePolicy", "iam:CreateRole", "iam:PassRole", "sts:AssumeRole", "dynamodb:DeleteTable", "dynamodb:Scan"} {
			assert.False(t, evaluate(t, p, action, "*", nil), "the boundary allows %s", action)
		}
		assert.True(t, evaluate(t, p, "dynamodb:Query", table, nil), "the Lambdas' own work fits the boundary")
		assert.False(t, evaluate(t, p, "dynamodb:Query", "arn:aws:dynamodb:eu-central-1:"+account+":table/other", nil))
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
	plan := b.rolePolicies(t, planRole.str("name"))
	require.NotEmpty(t, plan)
	account := b.accountID(t)
	state := b.mustGet(t, "aws_s3_bucket", "state").str("arn")
	for _, tc := range []struct {
		action, resource string
		want             bool
	}{
		{"s3:GetObject", state + "/parley/production/terraform.tfstate", true},
		{"s3:ListBucket", state, true},
		{"s3:PutObject", state + "/parley/production/terraform.tfstate", false},
		{"s3:GetObject", "arn:aws:s3:::parley-production-spa-" + account + "-eu-central-1/config.json", false},
		{"s3:GetObject", "arn:aws:s3:::any-bucket/any-object", false},
		{"dynamodb:GetItem", "arn:aws:dynamodb:eu-central-1:" + account + ":table/parley-production", false},
		{"dynamodb:Query", "arn:aws:dynamodb:eu-central-1:" + account + ":table/parley-production", false},
		{"dynamodb:Scan", "arn:aws:dynamodb:eu-central-1:" + account + ":table/parley-production", false},
		{"logs:GetLogEvents", "arn:aws:logs:eu-central-1:" + account + ":log-group:/aws/lambda/parley-production-add-message:log-stream:x", false},
		{"logs:FilterLogEvents", "arn:aws:logs:eu-central-1:" + account + ":log-group:/aws/lambda/parley-production-add-message", false},
		{"lambda:GetFunction", "arn:aws:lambda:eu-central-1:" + account + ":function:parley-production-add-message", false},
		{"cognito-idp:ListUsers", "arn:aws:cognito-idp:eu-central-1:" + account + ":userpool/eu-central-1_x", false},
	} {
		assert.Equal(t, tc.want, evaluate(t, plan, tc.action, tc.resource, nil), "plan role: %s on %s", tc.action, tc.resource)
	}
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

// rolePolicies returns the statements of every inline policy of the role.
func (b bootstrap) rolePolicies(tb testing.TB, role string) []iamStatement {
	tb.Helper()
	var all []iamStatement
	for _, p := range b.ofType("aws_iam_role_policy") {
		if p.str("role") == role {
			all = append(all, parsePolicy(tb, p.Address, p.str("policy"))...)
		}
	}
	return all
}

// iamStatement is a statement of an IAM policy, conditions included.
type iamStatement struct {
	Effect      string
	Action      stringList
	NotAction   stringList
	Resource    stringList
	NotResource stringList
	Condition   map[string]map[string]stringList
}

func parsePolicy(tb testing.TB, address, document string) []iamStatement {
	tb.Helper()
	var raw struct{ Statement json.RawMessage }
	require.NoError(tb, json.Unmarshal([]byte(document), &raw), "policy of %s", address)
	var statements []iamStatement
	if err := json.Unmarshal(raw.Statement, &statements); err != nil {
		var one iamStatement
		require.NoError(tb, json.Unmarshal(raw.Statement, &one), "statements of %s", address)
		statements = []iamStatement{one}
	}
	return statements
}

// evaluate reports whether the statements allow action on resource with the
// request context: an explicit Deny that matches wins, an Allow that matches
// allows, anything else is denied.
func evaluate(tb testing.TB, statements []iamStatement, action, resource string, context map[string]string) bool {
	tb.Helper()
	allowed := false
	for _, s := range statements {
		if !s.matches(tb, action, resource, context) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func (s iamStatement) matches(tb testing.TB, action, resource string, context map[string]string) bool {
	require.Empty(tb, s.NotAction, "the model does not evaluate NotAction")
	require.Empty(tb, s.NotResource, "the model does not evaluate NotResource")
	if !anyMatch(s.Action, action, true) || !anyMatch(s.Resource, resource, false) {
		return false
	}
	for operator, keys := range s.Condition {
		for key, values := range keys {
			got, present := context[key]
			switch operator {
			case "StringEquals", "ArnEquals":
				if !present || !containsString(values, got) {
					return false
				}
			case "StringLike", "ArnLike":
				if !present || !anyMatch(values, got, false) {
					return false
				}
			case "Bool":
				if !present || !containsString(values, got) {
					return false
				}
			default:
				require.Failf(tb, "unknown condition operator", "%s: extend evaluate before relying on it", operator)
			}
		}
	}
	return true
}

// anyMatch reports whether value matches one of the IAM patterns ('*' and
// '?' wildcards); actions compare case-insensitively, as IAM does.
func anyMatch(patterns []string, value string, caseInsensitive bool) bool {
	for _, p := range patterns {
		if caseInsensitive {
			p, value = strings.ToLower(p), strings.ToLower(value)
		}
		// path.Match treats '/' as a separator; IAM's '*' crosses it.
		if ok, _ := path.Match(strings.ReplaceAll(p, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00")); ok {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
