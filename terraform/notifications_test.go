package terraform_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStateNotifyStreamFilters: the notify Lambda wakes for new messages,
// for messages unsent and for contacts whose unread count fell to 0 (a
// conversation read), nothing else of the table's stream.
func TestStateNotifyStreamFilters(t *testing.T) {
	state := mustState(t)
	mapping := state.mustOne(t, "aws_lambda_event_source_mapping", "notify")
	filters, _ := mapping.path("filter_criteria")["filter"].([]any)
	var patterns []map[string]any
	for _, f := range filters {
		raw, _ := f.(map[string]any)["pattern"].(string)
		var pattern map[string]any
		require.NoError(t, json.Unmarshal([]byte(raw), &pattern), "filter pattern %q", raw)
		patterns = append(patterns, pattern)
	}
	assert.ElementsMatch(t, []map[string]any{
		{"eventName": []any{"INSERT"}, "dynamodb": map[string]any{"Keys": map[string]any{"sk": map[string]any{"S": []any{map[string]any{"prefix": "MSG#"}}}}}},
		{"eventName": []any{"MODIFY"}, "dynamodb": map[string]any{
			"Keys":     map[string]any{"sk": map[string]any{"S": []any{map[string]any{"prefix": "CONTACT#"}}}},
			"OldImage": map[string]any{"unread": map[string]any{"N": []any{map[string]any{"anything-but": []any{"0"}}}}},
			"NewImage": map[string]any{"unread": map[string]any{"N": []any{"0"}}},
		}},
		{"eventName": []any{"MODIFY"}, "dynamodb": map[string]any{
			"Keys":     map[string]any{"sk": map[string]any{"S": []any{map[string]any{"prefix": "MSG#"}}}},
			"NewImage": map[string]any{"deleted": map[string]any{"BOOL": []any{true}}},
		}},
	}, patterns)
}
