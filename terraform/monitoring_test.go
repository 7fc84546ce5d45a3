package terraform_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStateAlarmsGoToTheTopic checks the applied alarms: errors and throttles
// of every function, the API's 5xx and the push failure rate, every one
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
	push, ok := alarms["aws_cloudwatch_metric_alarm.push_failure_rate"]
	require.True(t, ok)
	queries, _ := push.Values["metric_query"].([]any)
	assert.Len(t, queries, 4, "the rate and its three counts")

	dashboards := state.ofType("aws_cloudwatch_dashboard")
	require.Len(t, dashboards, 1)
	var body struct{ Widgets []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(dashboards[0].str("dashboard_body")), &body))
	assert.NotEmpty(t, body.Widgets)
}
