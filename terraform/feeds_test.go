package terraform_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feedFunction is the feed Lambda: lambdas/feed, local.feed_function of
// feeds.tf, and none of local.functions, because it serves no API route.
const feedFunction = "feed"

// notifyFunction is the notify Lambda's folder and function (notifications.tf).
const notifyFunction = "notify"

// mustFeedsLocal evaluates a literal local of feeds.tf.
func mustFeedsLocal(tb testing.TB, name string) any {
	tb.Helper()
	file, diags := hclparse.NewParser().ParseHCLFile("feeds.tf")
	require.False(tb, diags.HasErrors(), "parse feeds.tf: %s", diags.Error())
	for _, block := range file.Body.(*hclsyntax.Body).Blocks {
		attr, ok := block.Body.Attributes[name]
		if block.Type != "locals" || !ok {
			continue
		}
		value, diags := attr.Expr.Value(nil)
		require.False(tb, diags.HasErrors(), "local.%s is a literal: %s", name, diags.Error())
		if value.Type().IsTupleType() || value.Type().IsListType() {
			var out []string
			for _, v := range value.AsValueSlice() {
				out = append(out, v.AsString())
			}
			return out
		}
		return value.AsString()
	}
	require.Failf(tb, "missing local", "feeds.tf defines no local.%s", name)
	return nil
}

func TestFeedFunctionIsNoRoute(t *testing.T) {
	assert.Equal(t, feedFunction, mustFeedsLocal(t, "feed_function"))
	assert.NotContains(t, mustFunctions(t), feedFunction, "the feed Lambda serves no API route")
	assert.ElementsMatch(t, []string{"dynamodb:GetItem", "dynamodb:Query"}, mustFeedsLocal(t, "feed_dynamodb_actions"))
}

// mustOne returns the single resource of resourceType named name in the root
// module.
func (s state) mustOne(tb testing.TB, resourceType, name string) resource {
	tb.Helper()
	return s.mustOneIn(tb, "", resourceType, name)
}

// mustOneIn returns the single resource of resourceType named name in the
// module at that address ("" for the root module).
func (s state) mustOneIn(tb testing.TB, moduleAddress, resourceType, name string) resource {
	tb.Helper()
	for _, r := range s.ofType(resourceType) {
		if r.Name == name && r.Index == nil && r.inModule(moduleAddress) {
			return r
		}
	}
	require.Failf(tb, "missing resource", "%s.%s is not in the state of module %q", resourceType, name, moduleAddress)
	return resource{}
}

// feedsBucketModule is the feeds bucket (feeds.tf: modules/private-origin-bucket).
const feedsBucketModule = "module.feeds_bucket"

func stringsOf(values any) []string {
	list, _ := values.([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// conditionalStatement is a bucket policy statement with its conditions.
type conditionalStatement struct {
	Sid       string
	Effect    string
	Action    any
	Condition map[string]map[string]any
}

func TestStateFeedPipeline(t *testing.T) {
	state := mustState(t)
	table := state.mustOne(t, "aws_dynamodb_table", "chat")
	fn := state.mustGetIn(t, functionsModule, "aws_lambda_function", "function", feedFunction)
	role := state.mustGetIn(t, functionsModule, "aws_iam_role", "function", feedFunction)
	queue := state.mustOne(t, "aws_sqs_queue", "feed_dead_letters")
	bucket := state.mustOneIn(t, feedsBucketModule, "aws_s3_bucket", "origin")
	logGroup := state.mustGetIn(t, functionsModule, "aws_cloudwatch_log_group", "function", feedFunction)

	t.Run("TheTableStreamsNewImages", func(t *testing.T) {
		assert.Equal(t, true, table.Values["stream_enabled"])
		assert.Equal(t, "NEW_AND_OLD_IMAGES", table.str("stream_view_type"), "old images too, for the notify Lambda's read filter")
		assert.NotEmpty(t, table.str("stream_arn"))
	})

	t.Run("TheMappingFiltersBatchesBisectsAndDeadLetters", func(t *testing.T) {
		mapping := state.mustOne(t, "aws_lambda_event_source_mapping", "feed")
		assert.Equal(t, table.str("stream_arn"), mapping.str("event_source_arn"))
		assert.Equal(t, fn.str("arn"), mapping.str("function_arn"))
		assert.Equal(t, true, mapping.Values["bisect_batch_on_function_error"])
		assert.Equal(t, []string{"ReportBatchItemFailures"}, stringsOf(mapping.Values["function_response_types"]))
		assert.Equal(t, float64(1), mapping.Values["parallelization_factor"], "each shard in order")
		assert.Greater(t, mapping.Values["batch_size"], float64(1))
		assert.Positive(t, mapping.Values["maximum_retry_attempts"])
		assert.Equal(t, queue.str("arn"), mapping.path("destination_config", "on_failure")["destination_arn"])

		var pattern struct {
			DynamoDB struct {
				Keys struct {
					SK struct {
						S []map[string]string `json:"S"`
					} `json:"sk"`
				} `json:"Keys"`
			} `json:"dynamodb"`
		}
		raw, _ := mapping.path("filter_criteria", "filter")["pattern"].(string)
		require.NoError(t, json.Unmarshal([]byte(raw), &pattern), "filter pattern %q", raw)
		assert.Equal(t, []map[string]string{{"prefix": "POST#"}}, pattern.DynamoDB.Keys.SK.S, "only posts wake the feed Lambda")
	})

	t.Run("TheFeedLambdaHasItsOwnLeastPrivilege", func(t *testing.T) {
		assert.Equal(t, role.str("arn"), fn.str("role"))
		assert.Equal(t, bucket.str("id"), fn.path("environment", "variables")["PARLEY_FEEDS_BUCKET"])
		assert.Equal(t, "/aws/lambda/"+fn.str("function_name"), logGroup.str("name"))
		policy := state.mustGetIn(t, functionsModule, "aws_iam_role_policy", "function", feedFunction)
		assert.Equal(t, role.str("name"), policy.str("role"))
		want := map[string][]string{
			"dynamodb:GetItem":          {table.str("arn")},
			"dynamodb:Query":            {table.str("arn")},
			"dynamodb:DescribeStream":   {table.str("stream_arn")},
			"dynamodb:GetRecords":       {table.str("stream_arn")},
			"dynamodb:GetShardIterator": {table.str("stream_arn")},
			"dynamodb:ListStreams":      {"*"}, // names no resource
			"s3:GetObject":              {bucket.str("arn") + "/feeds/*"},
			"s3:PutObject":              {bucket.str("arn") + "/feeds/*"},
			"sqs:SendMessage":           {queue.str("arn")},
			"logs:CreateLogStream":      {logGroup.str("arn") + ":*"},
			"logs:PutLogEvents":         {logGroup.str("arn") + ":*"},
		}
		got := map[string][]string{}
		for _, s := range mustPolicy(t, policy.Address, policy.str("policy")).Statement {
			require.Equal(t, "Allow", s.Effect)
			for _, a := range s.Action {
				got[a] = append(got[a], s.Resource...)
			}
		}
		assert.Equal(t, want, got)
		for _, other := range state.ofType("aws_iam_role_policy") {
			if other.Address == policy.Address {
				continue
			}
			assert.NotContains(t, other.str("policy"), "-feeds-", "%s may not write snapshots", other.Address)
		}
	})

	t.Run("AlarmsOnErrorsAndDeadLetters", func(t *testing.T) {
		for _, key := range []string{"errors", "throttles"} {
			alarm := state.mustGetIn(t, functionsModule, "aws_cloudwatch_metric_alarm", "function", feedFunction+"-"+key)
			assert.Equal(t, fn.str("function_name"), alarm.path("dimensions")["FunctionName"])
		}
		alarm := state.mustGet(t, "aws_cloudwatch_metric_alarm", "dead_letters", "feed")
		assert.Equal(t, "ApproximateNumberOfMessagesVisible", alarm.str("metric_name"))
		assert.Equal(t, queue.str("name"), alarm.path("dimensions")["QueueName"])
		assert.NotEmpty(t, alarm.Values["alarm_actions"])
	})

	t.Run("OnlyTheFeedLambdaWritesSnapshots", func(t *testing.T) {
		policy := state.mustOneIn(t, feedsBucketModule, "aws_s3_bucket_policy", "origin")
		assert.Equal(t, bucket.str("bucket"), policy.str("bucket"))
		var doc struct{ Statement []conditionalStatement }
		require.NoError(t, json.Unmarshal([]byte(policy.str("policy")), &doc))
		i := slices.IndexFunc(doc.Statement, func(s conditionalStatement) bool { return s.Effect == "Deny" })
		require.GreaterOrEqual(t, i, 0, "the bucket denies writes")
		deny := doc.Statement[i]
		assert.ElementsMatch(t, []any{"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"}, deny.Action)
		exempt, _ := deny.Condition["ArnNotEquals"]["aws:PrincipalArn"].([]any)
		assert.Contains(t, exempt, role.str("arn"), "the feed Lambda writes")
		assert.Len(t, exempt, 2, "and the deployer, who empties the bucket on destroy; nobody else")
	})

	t.Run("CloudFrontServesFeedsForAFewSeconds", func(t *testing.T) {
		distribution := state.ofType("aws_cloudfront_distribution")
		require.Len(t, distribution, 1)
		origins, _ := distribution[0].Values["origin"].([]any)
		var feedsOrigin string
		for _, o := range origins {
			origin := o.(map[string]any)
			if origin["domain_name"] == bucket.str("bucket_regional_domain_name") {
				feedsOrigin, _ = origin["origin_id"].(string)
			}
		}
		require.NotEmpty(t, feedsOrigin, "the feeds bucket is an origin")
		ordered, _ := distribution[0].Values["ordered_cache_behavior"].([]any)
		var feeds map[string]any
		for _, o := range ordered {
			if b := o.(map[string]any); b["path_pattern"] == "/feeds/*" {
				feeds = b
			}
		}
		require.NotNil(t, feeds, "a /feeds/* behaviour")
		assert.Equal(t, feedsOrigin, feeds["target_origin_id"])
		assert.ElementsMatch(t, []string{"GET", "HEAD", "OPTIONS"}, stringsOf(feeds["allowed_methods"]), "read only")
		assert.NotEmpty(t, feeds["cache_policy_id"])
		assert.NotEmpty(t, feeds["response_headers_policy_id"])
		assert.Contains(t, []any{"redirect-to-https", "https-only"}, feeds["viewer_protocol_policy"])
		// An emulator without cache policies gets a managed one by ID
		// (scripts/test-terraform.sh); otherwise the stack makes its own.
		for _, p := range state.ofType("aws_cloudfront_cache_policy") {
			if p.Name == "feeds" {
				assert.Equal(t, p.str("id"), feeds["cache_policy_id"])
				assert.Equal(t, float64(5), p.Values["max_ttl"], "a snapshot is never served older than core.FeedMaxAge")
			}
		}
	})
}
