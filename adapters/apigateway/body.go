package apigateway

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/parley-chat/parley/core"
)

// maxEscapedRuneBytes is the longest a JSON encoder may write one character:
// an astral character as a surrogate pair of \u escapes ("\ud83d\ude00").
const maxEscapedRuneBytes = 12

// MaxBodyBytes is the largest request body any route accepts. It is sized so
// that every valid request fits in every valid JSON encoding of it: the
// largest, add-message, is 4000 characters of message, a 254-byte address
// and a 64-character clientId, each character escaped to its longest form
// (12 bytes for the message, 6 for the ASCII fields), about 49 KB with its
// keys, which leaves 15 KB for whitespace between the tokens.
const MaxBodyBytes = 64 << 10

// checkBodyText refuses a body that is not Unicode text: invalid UTF-8, which
// encoding/json would silently turn into U+FFFD, and \u escapes of lone
// surrogates, which it turns into U+FFFD as well. The error names the field
// that holds it when the body is a JSON object.
func checkBodyText(body string) error {
	if utf8.ValidString(body) && !strings.Contains(strings.ToLower(body), `\ud`) {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &fields); err == nil {
		for _, name := range slices.Sorted(mapKeys(fields)) {
			if raw := fields[name]; !utf8.Valid(raw) || hasLoneSurrogate(raw) {
				return &core.Error{Code: core.EINVALID, Field: name, Message: name + ": must be valid UTF-8 text (no invalid bytes, no lone surrogates)"}
			}
		}
	}
	if !utf8.ValidString(body) || hasLoneSurrogate([]byte(body)) {
		return core.Errorf(core.EINVALID, "The request body is not valid UTF-8 text.")
	}
	return nil
}

func mapKeys(m map[string]json.RawMessage) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// hasLoneSurrogate reports whether JSON text holds a \u escape of a surrogate
// that is not half of a high-low pair.
func hasLoneSurrogate(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // an escaped character, such as \\ before a 'u'
			continue
		}
		r, ok := hex4(raw, i+2)
		if !ok || !utf16.IsSurrogate(r) {
			i += 5
			continue
		}
		if r >= 0xDC00 { // a low surrogate with no high one before it
			return true
		}
		low, ok := hex4(raw, i+8)
		if i+7 >= len(raw) || raw[i+6] != '\\' || raw[i+7] != 'u' || !ok || low < 0xDC00 || low > 0xDFFF {
			return true
		}
		i += 11
	}
	return false
}

// hex4 parses the four hexadecimal digits at raw[at:].
func hex4(raw []byte, at int) (rune, bool) {
	if at+4 > len(raw) {
		return 0, false
	}
	var r rune
	for _, c := range raw[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
