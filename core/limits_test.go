package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parley-chat/parley/core"
)

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, wantCode string
	}{
		{"LowerCasedAndTrimmed", "  Alice@Example.COM ", "alice@example.com", ""},
		{"PlusAddress", "a+chat@example.co.uk", "a+chat@example.co.uk", ""},
		{"ErrEmpty", "  ", "", core.EINVALID},
		{"ErrNoAt", "alice.example.com", "", core.EINVALID},
		{"ErrDisplayName", "Alice <alice@example.com>", "", core.EINVALID},
		{"ErrNoDotInDomain", "alice@localhost", "", core.EINVALID},
		{"ErrTrailingDot", "alice@example.", "", core.EINVALID},
		{"ErrTooLong", strings.Repeat("a", 250) + "@example.com", "", core.EINVALID},
		{"ErrControlCharacter", "ali\x00ce@example.com", "", core.EINVALID},
		{"ErrTwoAddresses", "a@example.com, b@example.com", "", core.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := core.NormalizeEmail(tc.in)
			assert.Equal(t, tc.wantCode, core.ErrorCode(err))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNewContactLimits(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, email, contactName, wantName, wantField string
	}{
		{"NameTrimmed", "bob@example.com", "  Bob  ", "Bob", ""},
		{"NameOfExactlyTheLimit", "bob@example.com", strings.Repeat("é", core.MaxNameRunes), strings.Repeat("é", core.MaxNameRunes), ""},
		{"ErrNameTooLong", "bob@example.com", strings.Repeat("b", core.MaxNameRunes+1), "", "name"},
		{"ErrNameBlank", "bob@example.com", " \t ", "", "name"},
		{"ErrNameWithNewline", "bob@example.com", "Bob\nSmith", "", "name"},
		{"ErrYourself", "ALICE@example.com", "Me", "", "email"},
		{"ErrBadEmail", "bob", "Bob", "", "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			contact, err := core.NewContact("id-1", "alice@example.com", tc.email, tc.contactName, now)
			if tc.wantField == "" {
				assert.NoError(t, err)
				assert.Equal(t, tc.wantName, contact.Name)
				assert.Equal(t, now, contact.LastActivity)
				return
			}
			var e *core.Error
			assert.ErrorAs(t, err, &e)
			assert.Equal(t, core.EINVALID, e.Code)
			assert.Equal(t, tc.wantField, e.Field)
			assert.True(t, strings.HasPrefix(e.Message, tc.wantField+":"), e.Message)
		})
	}
}

func TestNewCaller(t *testing.T) {
	caller, err := core.NewCaller("Alice@Example.com", true)
	assert.NoError(t, err)
	assert.Equal(t, "alice@example.com", caller.Email)
	_, err = core.NewCaller("alice@example.com", false)
	assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	_, err = core.NewCaller("", true)
	assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
}

func TestErrorCodeAndMessage(t *testing.T) {
	assert.Equal(t, "", core.ErrorCode(nil))
	assert.Equal(t, core.EINTERNAL, core.ErrorCode(assert.AnError))
	assert.Equal(t, "Internal error.", core.ErrorMessage(assert.AnError))
	wrapped := core.Errorf(core.EBLOCKED, "You blocked them.")
	assert.Equal(t, core.EBLOCKED, core.ErrorCode(wrapped))
	assert.Equal(t, "You blocked them.", core.ErrorMessage(wrapped))
}

func TestMessagePreview(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"ShortTextIsKept", "hello", "hello"},
		{"ExactlyTheLimitIsKept", strings.Repeat("a", core.MaxPreviewRunes), strings.Repeat("a", core.MaxPreviewRunes)},
		{"LongTextIsCutByCharacters", strings.Repeat("€", core.MaxPreviewRunes+1), strings.Repeat("€", core.MaxPreviewRunes)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := core.Message{ID: "m1", Text: tc.text}
			assert.Equal(t, core.Message{ID: "m1", Text: tc.want}, m.Preview())
			assert.Equal(t, tc.text, m.Text, "the message itself is unchanged")
		})
	}
}
