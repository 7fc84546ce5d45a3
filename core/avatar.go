package core

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"unicode"
)

// avatarPalette holds background colours that keep white initials readable
// (contrast of at least 4.5:1).
var avatarPalette = []string{
	"#b3261e", "#a3367a", "#6d3fb5", "#3b52b4", "#0b6a9e", "#00796b",
	"#2e7d32", "#5d6b10", "#8a5300", "#a0431f", "#5f6368", "#7b3f61",
}

// Avatar is the contact's picture as a data: URI: an SVG of their initials
// on a colour derived from their email. It is drawn from what the owner
// already knows, so showing it asks no one: no third party (Gravatar and the
// like) learns from image requests who has whom as a contact, and it works
// offline. ChatScape clients that put avatar in an <img> show it unchanged.
func (c Contact) Avatar() string {
	sum := sha256.Sum256([]byte(c.Email))
	colour := avatarPalette[int(sum[0])%len(avatarPalette)]
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
		`<rect width="64" height="64" rx="32" fill="` + colour + `"/>` +
		`<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="26" fill="#fff">` +
		xmlEscaper.Replace(Initials(c.Name, c.Email)) + `</text></svg>`
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg))
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// Initials are the one or two letters that stand for a person: the first
// letters of the first and last words of their name, or of the part of their
// email before @ when the name is empty or the email itself; "?" when none
// is a letter or digit.
func Initials(name, email string) string {
	source := strings.TrimSpace(name)
	if source == "" || source == email {
		source, _, _ = strings.Cut(email, "@")
	}
	words := strings.FieldsFunc(source, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var letters []rune
	for i, w := range words {
		if i == 0 || i == len(words)-1 {
			letters = append(letters, []rune(w)[0])
		}
	}
	if len(letters) == 0 {
		return "?"
	}
	return strings.ToUpper(string(letters))
}
