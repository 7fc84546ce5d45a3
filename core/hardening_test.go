package core_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// TestNormalizeEmailAcceptsOnlyWhatMailDelivers holds the grammar of issue 12:
// an ASCII dot-atom local part and LDH domain labels, lower-cased.
func TestNormalizeEmailAcceptsOnlyWhatMailDelivers(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"EveryAtextCharacter", "a!#$%&'*+-/=?^_`{|}~z@example.com", "a!#$%&'*+-/=?^_`{|}~z@example.com"},
		{"DotsBetweenAtoms", "first.middle.last@example.com", "first.middle.last@example.com"},
		{"PunycodeDomain", "bob@XN--VCTIM-9QA.com", "bob@xn--vctim-9qa.com"},
		{"HyphenInsideLabel", "bob@mail-server.example.co.uk", "bob@mail-server.example.co.uk"},
		{"DigitsInLabels", "bob@123.example.com", "bob@123.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := core.NormalizeEmail(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, tc := range []struct {
		name, in string
	}{
		{"ErrHashInDomain", "p@q.com#r"},
		{"ErrDottedCapitalI", "bob@vİctim.com"},
		{"ErrKelvinSign", "bob@\u212Aelvin.com"},
		{"ErrCyrillicHomoglyph", "bob@ex\u0430mple.com"},
		{"ErrUnicodeDomain", "bob@bücher.de"},
		{"ErrUnicodeLocalPart", "jörg@example.com"},
		{"ErrZeroWidthSpace", "bob\u200B@example.com"},
		{"ErrZeroWidthInDomain", "bob@exam\u200Bple.com"},
		{"ErrQuotedLocalPart", `"bob smith"@example.com`},
		{"ErrLeadingDot", ".bob@example.com"},
		{"ErrDoubleDot", "bob..smith@example.com"},
		{"ErrTrailingDotInLocalPart", "bob.@example.com"},
		{"ErrLocalPartTooLong", strings.Repeat("a", 65) + "@example.com"},
		{"ErrLabelTooLong", "bob@" + strings.Repeat("a", 64) + ".com"},
		{"ErrLabelStartsWithHyphen", "bob@-example.com"},
		{"ErrLabelEndsWithHyphen", "bob@example-.com"},
		{"ErrEmptyLabel", "bob@example..com"},
		{"ErrUnderscoreInDomain", "bob@ex_ample.com"},
		{"ErrIPLiteral", "bob@[127.0.0.1]"},
		{"ErrTwoAts", "bob@smith@example.com"},
		{"ErrNumericTopLevelDomain", "bob@example.123"},
		{"ErrComment", "bob(comment)@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := core.NormalizeEmail(tc.in)
			assert.Empty(t, got)
			assertInvalidField(t, err, "email")
		})
	}
}

func assertInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	var e *core.Error
	if assert.ErrorAs(t, err, &e) {
		assert.Equal(t, core.EINVALID, e.Code)
		assert.Equal(t, field, e.Field)
		assert.True(t, strings.HasPrefix(e.Message, field+":"), e.Message)
	}
}

// TestTextThatCannotHide refuses text made only of invisible characters,
// bidirectional controls in names and invalid UTF-8, naming the field.
func TestTextThatCannotHide(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	invisibles := []string{"\u200B", "\uFEFF", "\u200B\u200C\u200D\u2060", "\u00AD", "\u180E", "\u3164", "\u115F\u1160", "\uFE0F", "\u034F", " \u200B \u2800 "}
	for _, s := range invisibles {
		_, err := core.NewContact("id", "alice@example.com", "bob@example.com", s, now)
		assertInvalidField(t, err, "name")
	}
	for _, r := range []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069} {
		_, err := core.NewContact("id", "alice@example.com", "bob@example.com", "Bob"+string(r)+"moc.exe", now)
		assertInvalidField(t, err, "name")
	}
	_, err := core.NewContact("id", "alice@example.com", "bob@example.com", "Bo\xffb", now)
	assertInvalidField(t, err, "name")

	visible := []string{"Bob", "שלום", "👍", "Zoë", "a\u200Bb", "مرحبا\u200F"}
	for _, s := range visible {
		_, err := core.NewContact("id", "alice@example.com", "bob@example.com", s, now)
		assert.NoError(t, err, "%q", s)
	}
}

// TestAvatarIsDrawnLocally: the avatar field names no third party; it is a
// data: URI of the initials on a colour derived from the email.
func TestAvatarIsDrawnLocally(t *testing.T) {
	bob := core.Contact{Email: "bob@example.com", Name: "Bob <script> Smith"}
	avatar := bob.Avatar()
	require.True(t, strings.HasPrefix(avatar, "data:image/svg+xml;base64,"), avatar)
	svg, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(avatar, "data:image/svg+xml;base64,"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), ">BS</text>")
	assert.NotContains(t, strings.ToLower(avatar), "gravatar")
	assert.NotContains(t, string(svg), "<script")
	assert.NotContains(t, string(svg), "href", "the SVG loads nothing")

	assert.Equal(t, avatar, core.Contact{Email: "bob@example.com", Name: "Bob <script> Smith"}.Avatar(), "stable")
	for _, tc := range []struct{ name, email, want string }{
		{"Ada Lovelace", "ada@example.com", "AL"},
		{"", "grace.hopper@example.com", "GH"},
		{"zoë", "z@example.com", "Z"},
		{"Ünal Kaya", "u@example.com", "ÜK"},
		{"<&>", "x@example.com", "?"},
		{"b@example.com", "b@example.com", "B"},
	} {
		assert.Equal(t, tc.want, core.Initials(tc.name, tc.email), "%q", tc.name)
	}
}
