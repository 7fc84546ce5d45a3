package localsocket

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

func encodeText(_ string, e core.Event) ([]byte, error) {
	return []byte(e.(core.TypingEvent).From), nil
}

// TestPushesWaitForAnOpeningSocketAndFindClosedOnesGone: a socket that is
// opening holds what is pushed to it, up to maxPendingFrames; one that is
// closed, or never was, is gone, as @connections answers 410.
func TestPushesWaitForAnOpeningSocketAndFindClosedOnesGone(t *testing.T) {
	ctx := context.Background()
	typing := core.TypingEvent{From: "alice@example.com"}
	tests := []struct {
		name    string
		prepare func(l *Connections)
		pushes  int
		wantErr error
	}{
		{"NeverOpenedIsGone", func(*Connections) {}, 1, core.ErrConnectionGone},
		{"OpeningHoldsTheFrames", func(l *Connections) { l.Opening("c1") }, maxPendingFrames, nil},
		{"OpeningRefusesBeyondItsLimit", func(l *Connections) { l.Opening("c1") }, maxPendingFrames + 1, errTooManyPending},
		{"ClosedWhileOpeningIsGone", func(l *Connections) { l.Opening("c1"); l.Close("c1") }, 1, core.ErrConnectionGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(encodeText)
			tt.prepare(l)
			var err error
			for range tt.pushes {
				if err = l.Push(ctx, core.Connection{ID: "c1", User: "bob@example.com"}, typing); err != nil {
					break
				}
			}
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Len(t, l.pending["c1"], tt.pushes, "every frame waits, in order")
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}
