package ulid_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parley-chat/parley/adapters/ulid"
)

func TestNewIDSortsInCreationOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		clock func(i int) time.Time
	}{
		{"WithinOneMillisecond", func(int) time.Time { return time.UnixMilli(1_700_000_000_000) }},
		{"AcrossMilliseconds", func(i int) time.Time { return time.UnixMilli(1_700_000_000_000 + int64(i/10)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := ulid.NewGenerator()
			ids := make([]string, 1000)
			for n := range ids {
				ids[n] = g.NewID(tc.clock(n))
			}
			assert.True(t, slices.IsSorted(ids))
			assert.Len(t, slices.Compact(slices.Clone(ids)), len(ids), "IDs are unique")
			assert.Len(t, ids[0], 26)
		})
	}
}
