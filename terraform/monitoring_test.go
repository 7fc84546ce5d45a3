package terraform_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStateAlarmsGoToTheTopic checks the applied alarms: errors and throttles
// of every function, the API's 5xx, the failure rates of realtime pushes and
// Web Push notifications and the stream functions' dead letters, every one
// notifying the alarms topic, and the dashboard.
func TestStateAlarmsGoToTheTopic(t *testing.T) {
	state := mustState(t)
	topics := state.ofType("aws_sns_topic")
	require.Len(t, topics, 1)
	topicARN := topics[0].str("arn")

	alarms := map[string]resource{}
	for _, a := range state.ofType("aws_cloudwatch_metric_alarm") {
		alarms[a.Address] = a
		assert.Equal(t, []any{topicARN}, a.Values["alarm_actions"], "%s notifies the topic", a.Address)
		assert.Equal(t, []any{topicARN}, a.Values["ok_actions"], "%s says when it is over", a.Address)
	}
	for route := range mustFunctions(t) {
		for kind, metric := range map[string]string{"errors": "Errors", "throttles": "Throttles"} {
			a, ok := alarms[functionsModule+`.aws_cloudwatch_metric_alarm.function["`+route+`-`+kind+`"]`]
			if assert.True(t, ok, "%s alarm of %s", kind, route) {
				fn := state.mustGetIn(t, functionsModule, "aws_lambda_function", "function", route)
				assert.Equal(t, "AWS/Lambda", a.str("namespace"))
				assert.Equal(t, metric, a.str("metric_name"))
				assert.Equal(t, map[string]any{"FunctionName": fn.str("function_name")}, a.Values["dimensions"])
			}
		}
	}
	api5xx, ok := alarms["aws_cloudwatch_metric_alarm.api_5xx"]
	require.True(t, ok)
	assert.Equal(t, "5xx", api5xx.str("metric_name"))
	// The names the alarms had before they became one resource each
	// (moved.tf): an existing stack keeps them.
	prefix := strings.TrimSuffix(topics[0].str("name"), "-alarms")
	for kind, metrics := range map[string]string{"push": "Pushes", "notification": "Notifications"} {
		a, ok := alarms[`aws_cloudwatch_metric_alarm.failure_rate["`+kind+`"]`]
		if assert.True(t, ok, "%s failure rate alarm", kind) {
			assert.Equal(t, prefix+"-"+kind+"-failure-rate", a.str("alarm_name"))
			queries, _ := a.Values["metric_query"].([]any)
			assert.Len(t, queries, 4, "the rate and its three counts")
			assert.ElementsMatch(t, []string{metrics + "Delivered", metrics + "Gone", metrics + "Failed"}, queriedMetrics(queries))
		}
	}
	for function, queue := range map[string]string{"feed": "feed_dead_letters", "notify": "notify_dead_letters"} {
		a, ok := alarms[`aws_cloudwatch_metric_alarm.dead_letters["`+function+`"]`]
		if assert.True(t, ok, "%s dead letters alarm", function) {
			assert.Equal(t, prefix+"-"+function+"-dead-letters", a.str("alarm_name"))
			assert.Equal(t, "ApproximateNumberOfMessagesVisible", a.str("metric_name"))
			assert.Equal(t, state.mustOne(t, "aws_sqs_queue", queue).str("name"), a.path("dimensions")["QueueName"])
		}
	}

	dashboards := state.ofType("aws_cloudwatch_dashboard")
	require.Len(t, dashboards, 1)
	var body struct{ Widgets []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(dashboards[0].str("dashboard_body")), &body))
	assert.NotEmpty(t, body.Widgets)
}

// queriedMetrics returns the names of the metrics an alarm's metric queries read.
func queriedMetrics(queries []any) []string {
	var names []string
	for _, q := range queries {
		query, _ := q.(map[string]any)
		metrics, _ := query["metric"].([]any)
		for _, m := range metrics {
			metric, _ := m.(map[string]any)
			if name, ok := metric["metric_name"].(string); ok {
				names = append(names, name)
			}
		}
	}
	return names
}
