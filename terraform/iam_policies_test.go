package terraform_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// IAM's size limits, counted without whitespace: all inline policies of a
// role together, and one managed policy.
const (
	maxInlinePolicyCharsPerRole = 10240
	maxManagedPolicyChars       = 6144
)

// appliedPolicy is one policy document of an applied state.
type appliedPolicy struct {
	address  string
	document string
}

// policyDocuments returns every identity, bucket and queue policy of a state
// (trust policies name principals, not resources).
func policyDocuments(s state) []appliedPolicy {
	var all []appliedPolicy
	for _, r := range s.resources() {
		for _, attribute := range []string{"policy"} {
			switch r.Type {
			case "aws_iam_role_policy", "aws_iam_policy", "aws_s3_bucket_policy", "aws_sqs_queue_policy", "aws_sns_topic_policy":
			default:
				continue
			}
			if doc := r.str(attribute); doc != "" {
				all = append(all, appliedPolicy{address: r.Address, document: doc})
			}
		}
	}
	return all
}

// fullStatement is a statement with its conditions, for the checks below.
type fullStatement struct {
	Sid       string
	Effect    string
	Action    stringList
	NotAction stringList
	Resource  stringList
	Condition map[string]any
}

func mustStatements(tb testing.TB, address, document string) []fullStatement {
	tb.Helper()
	var raw struct{ Statement json.RawMessage }
	require.NoError(tb, json.Unmarshal([]byte(document), &raw), "policy of %s", address)
	var statements []fullStatement
	if err := json.Unmarshal(raw.Statement, &statements); err != nil {
		var one fullStatement
		require.NoError(tb, json.Unmarshal(raw.Statement, &one), "statements of %s", address)
		statements = []fullStatement{one}
	}
	return statements
}

// TestIAMEveryAllowGrantsWhatItSays: in every policy of the applied stack and
// bootstrap (roles, the boundary, the deploy role's managed policies, bucket
// policies), every action is one of AWS's, and every Allow names, for each of
// its actions, a resource that action accepts ("*" where it accepts none), so
// no statement silently grants nothing; and every policy fits IAM's limits.
func TestIAMEveryAllowGrantsWhatItSays(t *testing.T) {
	stack := mustState(t)
	b := mustBootstrap(t)
	policies := append(policyDocuments(stack), policyDocuments(b.state)...)
	require.NotEmpty(t, policies)

	var actions []string
	for _, p := range policies {
		for _, s := range mustStatements(t, p.address, p.document) {
			for _, a := range s.Action {
				if !strings.Contains(a, "*") {
					actions = append(actions, a)
				}
			}
		}
	}
	infos := describeActions(t, actions)

	grantsNothing := 0
	allows := 0
	for _, p := range policies {
		for i, s := range mustStatements(t, p.address, p.document) {
			name := fmt.Sprintf("%s statement %d %s", p.address, i, s.Sid)
			assert.Empty(t, s.NotAction, "%s: NotAction", name)
			for _, a := range s.Action {
				if strings.Contains(a, "*") {
					assert.Equal(t, "Deny", s.Effect, "%s: an Allow of a wildcard action %s", name, a)
					continue
				}
				assert.True(t, infos[a].Exists, "%s: %s is not an IAM action (AWS's service authorization reference)", name, a)
			}
			if s.Effect != "Allow" {
				continue
			}
			allows++
			var dead []string
			for _, a := range s.Action {
				info := infos[a]
				if !info.Exists || strings.Contains(a, "*") {
					continue
				}
				if !acceptsAny(info.Resources, s.Resource) {
					dead = append(dead, a)
				}
			}
			if len(dead) > 0 {
				grantsNothing++
			}
			assert.Empty(t, dead, "%s allows these on %v, which they do not accept: they are granted nothing (an action that names no resource needs \"*\")", name, []string(s.Resource))
		}
	}
	report(t, "Allow statements that grant nothing for some action: %d of %d", grantsNothing, allows)

	t.Run("SizeLimits", func(t *testing.T) {
		inline := map[string]int{}
		largestRole, largest := "", 0
		for _, s := range []state{stack, b.state} {
			for _, p := range s.ofType("aws_iam_role_policy") {
				inline[p.str("role")] += compactSize(t, p.str("policy"))
			}
			for _, p := range s.ofType("aws_iam_policy") {
				size := compactSize(t, p.str("policy"))
				assert.LessOrEqual(t, size, maxManagedPolicyChars, "%s: a managed policy holds at most %d characters", p.Address, maxManagedPolicyChars)
			}
		}
		roles := sortedKeys(inline)
		for _, role := range roles {
			assert.LessOrEqual(t, inline[role], maxInlinePolicyCharsPerRole, "role %s: its inline policies hold at most %d characters", role, maxInlinePolicyCharsPerRole)
			if inline[role] > largest {
				largestRole, largest = role, inline[role]
			}
		}
		deploy := b.mustGet(t, "aws_iam_role", "deploy").str("name")
		var managed []string
		for _, p := range rolePolicyDocuments(t, b.state, deploy) {
			managed = append(managed, fmt.Sprintf("%s %d", p.Name, compactSize(t, string(p.Policy))))
		}
		sort.Strings(managed)
		report(t, "largest inline policy of a role: %s, %d of %d characters; the deploy role's policies: %s", largestRole, largest, maxInlinePolicyCharsPerRole, strings.Join(managed, ", "))
	})
}

func compactSize(tb testing.TB, document string) int {
	tb.Helper()
	var buf bytes.Buffer
	require.NoError(tb, json.Compact(&buf, []byte(document)))
	// IAM counts characters without whitespace; Compact leaves the
	// whitespace inside strings (descriptions, none here), which is close.
	return buf.Len()
}

// acceptsAny reports whether one of a statement's resources can name a
// resource of one of the formats an action accepts; an action that accepts
// none is granted only by "*".
func acceptsAny(formats []string, resources []string) bool {
	for _, r := range resources {
		if r == "*" {
			return true
		}
		for _, f := range formats {
			if arnPatternsMeet(f, r) {
				return true
			}
		}
	}
	return false
}

// arnPatternsMeet reports whether some ARN matches both an ARN format of
// AWS's reference (whose ${Variables} match anything within one ARN field,
// no ':' nor '/', but for object keys, paths and log group names) and a policy's resource (whose '*'
// matches anything, ':' included, and '?' one character).
func arnPatternsMeet(format, resource string) bool {
	type symbol struct {
		literal byte
		star    int // 0: literal, 1: '*' of the policy (anything), 2: a variable (no ':'), 3: '?'
	}
	var f []symbol
	for i := 0; i < len(format); i++ {
		if strings.HasPrefix(format[i:], "${") {
			end := strings.IndexByte(format[i:], '}')
			name := format[i+2 : i+end]
			kind := 2
			lower := strings.ToLower(name)
			// An SSM parameter's name is a path (/parley/production/vapid/public-key):
			// its ARN holds the slashes (arn:...:parameter/parley/production/...).
			if strings.Contains(lower, "object") || strings.Contains(lower, "path") || strings.Contains(lower, "label") ||
				strings.Contains(lower, "name") && strings.Contains(format, "log-group") || strings.Contains(lower, "parametername") {
				kind = 1
			}
			f = append(f, symbol{star: kind})
			i += end
			continue
		}
		f = append(f, symbol{literal: format[i]})
	}
	var r []symbol
	for i := 0; i < len(resource); i++ {
		switch resource[i] {
		case '*':
			r = append(r, symbol{star: 1})
		case '?':
			r = append(r, symbol{star: 3})
		default:
			r = append(r, symbol{literal: resource[i]})
		}
	}
	memo := map[[2]int]bool{}
	seen := map[[2]int]bool{}
	var meet func(i, j int) bool
	// absorbs reports whether star s can produce what symbol o produces.
	absorbs := func(s symbol, o symbol) bool {
		if s.star == 2 && o.star == 0 && (o.literal == ':' || o.literal == '/') {
			return false
		}
		return true
	}
	meet = func(i, j int) bool {
		key := [2]int{i, j}
		if seen[key] {
			return memo[key]
		}
		seen[key] = true
		result := false
		switch {
		case i == len(f) && j == len(r):
			result = true
		case i < len(f) && (f[i].star == 1 || f[i].star == 2) && (meet(i+1, j) || j < len(r) && absorbs(f[i], r[j]) && meet(i, j+1)):
			result = true
		case j < len(r) && r[j].star == 1 && (meet(i, j+1) || i < len(f) && absorbs(r[j], f[i]) && meet(i+1, j)):
			result = true
		case i < len(f) && j < len(r) && (f[i].star == 0 || f[i].star == 3) && (r[j].star == 0 || r[j].star == 3):
			result = f[i].star == 3 || r[j].star == 3 || strings.EqualFold(string(f[i].literal), string(r[j].literal)) && f[i].literal == r[j].literal
			result = result && meet(i+1, j+1)
		}
		memo[key] = result
		return result
	}
	return meet(0, 0)
}

func TestARNPatternsMeet(t *testing.T) {
	for _, c := range []struct {
		format, resource string
		want             bool
	}{
		{"arn:${Partition}:lambda:${Region}:${Account}:event-source-mapping:${UUID}", "arn:aws:lambda:eu-central-1:1:function:parley-*", false},
		{"arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}", "arn:aws:lambda:eu-central-1:1:function:parley-*", true},
		{"arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}", "*", true},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b-*/*", true},
		{"arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::b-*/*", false},
		{"arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}", "arn:aws:logs:r:1:log-group:/aws/lambda/x-*:*", true},
		{"arn:${Partition}:cloudfront::${Account}:distribution/${DistributionId}", "arn:aws:cloudfront::1:origin-access-control/*", false},
		{"arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}", "arn:aws:dynamodb:r:1:table/t/stream/2026-12-02T00:30:17.699", true},
	} {
		assert.Equal(t, c.want, arnPatternsMeet(c.format, c.resource), "%s and %s", c.format, c.resource)
	}
}
