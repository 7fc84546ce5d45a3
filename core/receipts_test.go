package core_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parley-chat/parley/core"
)

func TestAckUnreadIsExactWhenEitherCountIsComplete(t *testing.T) {
	a := core.Ack{RecountLimit: 5}
	for _, tc := range []struct {
		name           string
		ahead, passed  core.UnreadCount
		before, unread int
	}{
		{"AheadCompleteIsTheCount", core.UnreadCount{Count: 3, Complete: true}, core.UnreadCount{}, 40, 3},
		{"PassedCompleteFromAnExactCount", core.UnreadCount{}, core.UnreadCount{Count: 1, Complete: true}, 4, 3},
		{"PassedCompleteFromTheMarkIsTheMark", core.UnreadCount{}, core.UnreadCount{Count: 1, Complete: true}, 7, 5},
		{"NeitherCompleteIsTheMark", core.UnreadCount{Count: 2}, core.UnreadCount{Count: 2}, 3, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.unread, a.Unread(tc.ahead, tc.passed, tc.before))
		})
	}
	assert.Equal(t, core.UnreadRecountLimit, core.Ack{}.Limit(), "the limit when none is set")
}
