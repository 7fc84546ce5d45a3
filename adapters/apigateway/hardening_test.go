package apigateway_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
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
		// core names these recipient, text, clientID and with; the contract's names come back.
		{"ClientIDNamedAsTheContractDoes", "add-message", `{"recipientNamespace":"bob@example.com","message":"hi","clientId":"not a token"}`, "", "clientId:"},
		{"LongClientIDNamedOnce", "add-message", `{"recipientNamespace":"bob@example.com","message":"hi","clientId":"` + strings.Repeat("c", 65) + `"}`, "", "clientId: must be 1 to 64"},
		// A post's clientId is core's rule too, in the same words as a message's.
		{"LongPostClientIDNamedOnce", "post-to-channel", `{"channel":"finals","message":"hi","clientId":"` + strings.Repeat("c", 65) + `"}`, "", "clientId: must be 1 to 64"},
		{"AckRecipientNamespaceNamed", "ack", `{"recipientNamespace":"not an email","upTo":"01J0"}`, "", "recipientNamespace:"},
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

// TestChatScapeClientListsItsContactsByID replays ChatScape's own REST
// client: it lists the contacts, then asks get-messages for each with the
// contact's id as recipientNamespace and reads an array.
func TestChatScapeClientListsItsContactsByID(t *testing.T) {
	h := newHandler(memory.New(), io.Discard)
	ctx := context.Background()
	serve := func(route string, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		t.Helper()
		res, err := h.Route(route)(ctx, req)
		require.NoError(t, err)
		return res
	}
	for _, email := range []string{"bob@example.com", "carol@example.com"} {
		require.Equal(t, http.StatusCreated, serve("add-contact", event("alice@example.com", `{"email":"`+email+`","name":"X"}`)).StatusCode)
	}
	require.Equal(t, http.StatusCreated, serve("add-message", event("alice@example.com", `{"recipientNamespace":"bob@example.com","message":"hi bob"}`)).StatusCode)

	var contacts []struct{ ID, Email string }
	require.NoError(t, json.Unmarshal([]byte(serve("get-contacts", event("alice@example.com", "")).Body), &contacts))
	require.Len(t, contacts, 2)
	previews := map[string]int{}
	for _, c := range contacts {
		req := event("alice@example.com", "")
		req.QueryStringParameters = map[string]string{"recipientNamespace": c.ID}
		res := serve("get-messages", req)
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
		var messages []struct{ Message string }
		require.NoError(t, json.Unmarshal([]byte(res.Body), &messages), "an array, as ChatScape's client reads it")
		previews[c.Email] = len(messages)
	}
	assert.Equal(t, map[string]int{"bob@example.com": 1, "carol@example.com": 0}, previews)

	req := event("carol@example.com", "")
	req.QueryStringParameters = map[string]string{"recipientNamespace": contacts[0].ID}
	res := serve("get-messages", req)
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "someone else's contact ID is not found")
}

// TestGetContactsPagesWithACursorHeader pages get-contacts with limit and
// cursor; the body stays a plain array.
func TestGetContactsPagesWithACursorHeader(t *testing.T) {
	h := newHandler(memory.New(), io.Discard)
	ctx := context.Background()
	for i := range 5 {
		res, err := h.Route("add-contact")(ctx, event("alice@example.com", fmt.Sprintf(`{"email":"c%d@example.com","name":"C"}`, i)))
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, res.StatusCode)
	}
	var seen []string
	cursor, pages := "", 0
	for range 10 {
		req := event("alice@example.com", "")
		req.QueryStringParameters = map[string]string{"limit": "2"}
		if cursor != "" {
			req.QueryStringParameters["cursor"] = cursor
		}
		res, err := h.Route("get-contacts")(ctx, req)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
		pages++
		var page []struct{ Email string }
		require.NoError(t, json.Unmarshal([]byte(res.Body), &page))
		for _, c := range page {
			seen = append(seen, c.Email)
		}
		cursor = res.Headers[apigateway.NextCursorHeader]
		if cursor == "" {
			break
		}
		assert.Contains(t, strings.Split(res.Headers["Access-Control-Expose-Headers"], ","), apigateway.NextCursorHeader)
	}
	assert.Equal(t, 3, pages)
	assert.ElementsMatch(t, []string{"c0@example.com", "c1@example.com", "c2@example.com", "c3@example.com", "c4@example.com"}, seen)

	for _, query := range []map[string]string{{"limit": "0"}, {"limit": "1001"}, {"cursor": "%%%"}, {"cursor": "bm90IGFuIGVtYWls"}} {
		req := event("alice@example.com", "")
		req.QueryStringParameters = query
		res, err := h.Route("get-contacts")(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%v", query)
	}
}
