package emf_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/emf"
)

// TestCountWritesOneEMFLine checks the line against the EMF specification's
// rules: a root _aws with a millisecond Timestamp and CloudWatchMetrics, every
// dimension and metric of a directive a member of the root, values numbers.
func TestCountWritesOneEMFLine(t *testing.T) {
	var out bytes.Buffer
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w := emf.New(&out, "add-message", func() time.Time { return at })
	require.NoError(t, w.Count(map[string]int{emf.MessagesSent: 1, emf.PushesFailed: 0}))
	require.NoError(t, w.Count(nil))

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 1, "one line, none for no counts")
	var root map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &root))
	meta := root["_aws"].(map[string]any)
	assert.EqualValues(t, at.UnixMilli(), meta["Timestamp"])
	directives := meta["CloudWatchMetrics"].([]any)
	require.Len(t, directives, 1)
	d := directives[0].(map[string]any)
	assert.Equal(t, "Parley", d["Namespace"])
	assert.Equal(t, []any{[]any{"Function"}, []any{"Service"}}, d["Dimensions"])
	for _, set := range d["Dimensions"].([]any) {
		for _, name := range set.([]any) {
			assert.IsType(t, "", root[name.(string)], "dimension %s is a string member of the root", name)
		}
	}
	assert.Equal(t, []any{
		map[string]any{"Name": "MessagesSent", "Unit": "Count"},
		map[string]any{"Name": "PushesFailed", "Unit": "Count"},
	}, d["Metrics"])
	assert.EqualValues(t, 1, root["MessagesSent"])
	assert.EqualValues(t, 0, root["PushesFailed"])
	assert.Equal(t, "add-message", root["Function"])
	assert.Equal(t, "parley", root["Service"])
}
