package core

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ClientIDWindow is how long a message's clientId makes a retry of it return
// the stored message: a retry within the window stores nothing, the same
// clientId after it is a new message. Stores may then forget the clientId
// (DynamoDB expires its marker with TTL).
const ClientIDWindow = 7 * 24 * time.Hour

// Limits of the API contract.
const (
	MaxEmailBytes        = 254
	MaxEmailLocalBytes   = 64
	MaxDomainLabelBytes  = 63
	MaxNameRunes         = 100
	MaxMessageRunes      = 4000
	MaxReportRunes       = 1000
	MaxPreviewRunes      = 140
	DefaultMessagePage   = 50
	MaxMessagePage       = 100
	ReportEvidenceLength = 20
)

// NormalizeEmail trims an email address, lower-cases it and checks that it is
// an address a mail system delivers to, of at most MaxEmailBytes bytes: a
// dot-atom local part of ASCII letters, digits and !#$%&'*+-/=?^_`{|}~, and a
// domain of at least two letter-digit-hyphen labels whose last is not all
// digits. Anything else is refused rather than folded: Unicode case folding
// and look-alike characters would let two different strings name one person,
// so an internationalized domain is accepted only in its ASCII (xn--) form.
func NormalizeEmail(raw string) (string, error) {
	email := strings.TrimSpace(raw)
	switch {
	case email == "":
		return "", invalidField("email", "is required")
	case len(email) > MaxEmailBytes:
		return "", invalidField("email", "must be at most %d bytes", MaxEmailBytes)
	}
	for i := 0; i < len(email); i++ {
		if email[i] >= utf8.RuneSelf || email[i] <= ' ' || email[i] == 0x7f {
			return "", invalidField("email", "must be plain ASCII without spaces or control characters (write an international domain in its xn-- form)")
		}
	}
	email = asciiLower(email)
	at := strings.IndexByte(email, '@')
	if at < 0 || strings.IndexByte(email[at+1:], '@') >= 0 {
		return "", invalidField("email", "must hold exactly one @")
	}
	if !validLocalPart(email[:at]) {
		return "", invalidField("email", "is not a valid email address: the part before @ must be 1 to %d letters, digits, dots (not first, last or doubled) or !#$%%&'*+-/=?^_`{|}~", MaxEmailLocalBytes)
	}
	if !validDomain(email[at+1:]) {
		return "", invalidField("email", "is not a valid email address: the domain must be labels of letters, digits and inner hyphens, separated by dots")
	}
	return email, nil
}

// asciiLower lower-cases ASCII letters only; s is ASCII.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// validLocalPart reports whether s is an RFC 5322 dot-atom of at most
// MaxEmailLocalBytes bytes.
func validLocalPart(s string) bool {
	if s == "" || len(s) > MaxEmailLocalBytes {
		return false
	}
	for _, atom := range strings.Split(s, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !isAtext(atom[i]) {
				return false
			}
		}
	}
	return true
}

func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validDomain reports whether s is at least two LDH labels (RFC 5890's
// letter-digit-hyphen rule, which IDNs in their xn-- form also keep) with a
// top-level label that is not all digits.
func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, label := range labels {
		if label == "" || len(label) > MaxDomainLabelBytes || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// normalizeText trims text and checks it against the limits of field: between
// 1 and maxRunes characters, valid UTF-8, no control characters other than
// newline and tab (and those only where multiline allows them), and at least
// one character that shows: text made only of spaces, zero-width and other
// format characters would be an entry nobody can see.
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
	case !hasVisibleCharacter(text):
		return "", invalidField(field, "must contain a visible character, not only spaces or invisible ones")
	}
	return text, nil
}

// normalizeName is normalizeText for a person's name, which is shown next to
// other text: it also refuses the bidirectional embeddings, overrides and
// isolates that would reorder what follows it on screen ("Bob\u202Egpj.exe").
func normalizeName(field, raw string) (string, error) {
	name, err := normalizeText(field, raw, MaxNameRunes, false)
	if err != nil {
		return "", err
	}
	if strings.ContainsFunc(name, isBidiControl) {
		return "", invalidField(field, "must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)")
	}
	return name, nil
}

// isBidiControl reports whether r is an explicit bidirectional embedding,
// override or isolate. The implicit marks (U+200E, U+200F, U+061C) are kept:
// right-to-left text needs them and they reorder nothing around them.
func isBidiControl(r rune) bool {
	return 0x202A <= r && r <= 0x202E || 0x2066 <= r && r <= 0x2069
}

// hasVisibleCharacter reports whether s holds a character that is drawn:
// not a space, not a format character (zero-width space, joiners, BOM, soft
// hyphen...), not another default-ignorable code point (variation selectors,
// Hangul fillers, combining grapheme joiner) and not the blank braille pattern.
func hasVisibleCharacter(s string) bool {
	for _, r := range s {
		if !isInvisible(r) {
			return true
		}
	}
	return false
}

func isInvisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Cf, unicode.Zs, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) ||
		r == 0x2800 || r == 0x180E
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

// ParsePageLimit reads the size of a page as a query string carries it: 0,
// which asks for the use case's default, when raw is "", and EINVALID for
// anything but a whole number from 1 to max.
func ParsePageLimit(raw string, max int) (int, error) {
	if raw == "" {
		return 0, nil
	}
	limit, err := strconv.Atoi(raw)
	if err != nil {
		limit = -1
	}
	if limit == 0 {
		return 0, invalidPageLimit(max)
	}
	return pageLimit(limit, 0, max)
}

// pageLimit is the size of a page asked for as limit: def for 0, EINVALID
// outside 1 to max. Every paged use case checks its limit with it.
func pageLimit(limit, def, max int) (int, error) {
	switch {
	case limit == 0:
		return def, nil
	case limit < 1:
		return 0, invalidPageLimit(max)
	case limit > max:
		return 0, invalidField("limit", "must be between 1 and %d", max)
	}
	return limit, nil
}

func invalidPageLimit(max int) error {
	return invalidField("limit", "must be a whole number between 1 and %d", max)
}
