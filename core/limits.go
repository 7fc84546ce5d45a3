package core

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the API contract.
const (
	MaxEmailBytes        = 254
	MaxNameRunes         = 100
	MaxMessageRunes      = 4000
	MaxReportRunes       = 1000
	MaxPreviewRunes      = 140
	DefaultMessagePage   = 50
	MaxMessagePage       = 100
	ReportEvidenceLength = 20
)

// NormalizeEmail trims and lower-cases an email address and checks that it is
// a plain, valid address of at most MaxEmailBytes bytes.
func NormalizeEmail(raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case email == "":
		return "", invalidField("email", "is required")
	case len(email) > MaxEmailBytes:
		return "", invalidField("email", "must be at most %d bytes", MaxEmailBytes)
	case hasControlCharacters(email, false):
		return "", invalidField("email", "must not contain control characters")
	}
	parsed, err := mail.ParseAddress(email)
	if err != nil || parsed.Address != email || parsed.Name != "" {
		return "", invalidField("email", "is not a valid email address")
	}
	at := strings.LastIndexByte(email, '@')
	if domain := email[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", invalidField("email", "is not a valid email address")
	}
	return email, nil
}

// normalizeText trims text and checks it against the limits of field: between
// 1 and maxRunes characters, valid UTF-8, no control characters other than
// newline and tab (and those only where multiline allows them).
func normalizeText(field, raw string, maxRunes int, multiline bool) (string, error) {
	if !utf8.ValidString(raw) {
		return "", invalidField(field, "must be valid UTF-8")
	}
	text := strings.TrimSpace(raw)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", invalidField(field, "is required")
	case n > maxRunes:
		return "", invalidField(field, "must be at most %d characters", maxRunes)
	case hasControlCharacters(text, multiline):
		return "", invalidField(field, "must not contain control characters")
	}
	return text, nil
}

func hasControlCharacters(s string, allowNewlineAndTab bool) bool {
	for _, r := range s {
		if allowNewlineAndTab && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}
