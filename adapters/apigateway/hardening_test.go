package apigateway_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/core"
)

// escapeAll writes every character of s as a JSON \u escape, the longest form
// an encoder may choose: 6 bytes for a BMP character, 12 for an astral one.
func escapeAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// longestEmail is a valid address of exactly core.MaxEmailBytes bytes.
var longestEmail = strings.Repeat("l", 64) + "@" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 57) + ".com"

func TestWorstCaseValidRequestsFitTheBodyLimit(t *testing.T) {
	require.Len(t, longestEmail, core.MaxEmailBytes)
	h := newHandler(memory.New(), io.Discard)
	ctx := context.Background()
	serve := func(route, body string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		res, err := h.Route(route)(ctx, event("alice@example.com", body))
		require.NoError(t, err)
		return res
	}
	emoji := strings.Repeat("\U0001F600", core.MaxNameRunes)
	addContact := fmt.Sprintf(`{"email":"%s","name":"%s"}`, escapeAll(longestEmail), escapeAll(emoji))
	res := serve("add-contact", addContact)
	require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)

	message := strings.Repeat("\U0001F600", core.MaxMessageRunes)
	addMessage := fmt.Sprintf(`{ "recipientNamespace" : "%s" , "message" : "%s" , "clientId" : "%s" }`,
		escapeAll(longestEmail), escapeAll(message), escapeAll(strings.Repeat("c", 64)))
	assert.Greater(t, len(addMessage), 48000, "4000 emoji escaped take 12 bytes each")
	assert.LessOrEqual(t, len(addMessage), apigateway.MaxBodyBytes)
	res = serve("add-message", addMessage)
	require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)
	assert.Contains(t, res.Body, message, "the message is stored whole")

	report := fmt.Sprintf(`{"email":"%s","report":"%s"}`, escapeAll(longestEmail), escapeAll(strings.Repeat("\U0001F600", core.MaxReportRunes)))
	res = serve("report-contact", report)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)

	tooLarge := `{"recipientNamespace":"bob@example.com","message":"` + strings.Repeat("a", apigateway.MaxBodyBytes) + `"}`
	res = serve("add-message", tooLarge)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
}

func TestTextThatCannotHideIsRefusedNamingTheField(t *testing.T) {
	h := newHandler(memory.New(), io.Discard)
	ctx := context.Background()
	_, err := h.Route("add-contact")(ctx, event("alice@example.com", `{"email":"bob@example.com","name":"Bob"}`))
	require.NoError(t, err)

	for _, tc := range []struct {
		name, route, body, base64Body, wantMessagePrefix string
	}{
		{"InvalidUTF8InMessage", "add-message", "{\"recipientNamespace\":\"bob@example.com\",\"message\":\"hi \xff\"}", "", "message:"},
		{"InvalidUTF8InName", "add-contact", "{\"email\":\"carol@example.com\",\"name\":\"Ca\xc3\"}", "", "name:"},
		{"InvalidUTF8InReport", "report-contact", "{\"email\":\"bob@example.com\",\"report\":\"\xed\xa0\x80\"}", "", "report:"},
		{"InvalidUTF8Base64Encoded", "add-message", "", "{\"recipientNamespace\":\"bob@example.com\",\"message\":\"\xfe\"}", "message:"},
		{"LoneHighSurrogate", "add-message", `{"recipientNamespace":"bob@example.com","message":"a\ud83d b"}`, "", "message:"},
		{"LoneLowSurrogate", "add-message", `{"recipientNamespace":"bob@example.com","message":"\ude00"}`, "", "message:"},
		{"SwappedSurrogates", "add-message", `{"recipientNamespace":"bob@example.com","message":"\ude00\ud83d"}`, "", "message:"},
		{"OnlyZeroWidthMessage", "add-message", `{"recipientNamespace":"bob@example.com","message":"\u200b\u200c\ufeff"}`, "", "message:"},
		{"OnlyInvisibleReport", "report-contact", `{"email":"bob@example.com","report":"\u2060 \u00ad"}`, "", "report:"},
		{"BidiOverrideInName", "add-contact", `{"email":"carol@example.com","name":"Carol\u202ecod.exe"}`, "", "name:"},
		{"HashInDomain", "add-contact", `{"email":"p@q.com#r","name":"P"}`, "", "email:"},
		{"DottedCapitalI", "add-contact", `{"email":"bob@vİctim.com","name":"Bob"}`, "", "email:"},
		{"RecipientNamespaceNamed", "add-message", `{"recipientNamespace":"bob@exam\u200bple.com","message":"hi"}`, "", "recipientNamespace:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := event("alice@example.com", tc.body)
			if tc.base64Body != "" {
				req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(tc.base64Body)), true
			}
			res, err := h.Route(tc.route)(ctx, req)
			require.NoError(t, err)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, res.Body)
			code, message := decodeError(t, res)
			assert.Equal(t, core.EINVALID, code)
			assert.True(t, strings.HasPrefix(message, tc.wantMessagePrefix), "%q names the field", message)
		})
	}

	t.Run("ValidSurrogatePairAndEscapedBackslashPass", func(t *testing.T) {
		res, err := h.Route("add-message")(ctx, event("alice@example.com", `{"recipientNamespace":"bob@example.com","message":"\ud83d\ude00 \\ud83d"}`))
		require.NoError(t, err)
		assert.Equal(t, http.StatusCreated, res.StatusCode, res.Body)
		assert.Contains(t, res.Body, "😀")
	})
}
