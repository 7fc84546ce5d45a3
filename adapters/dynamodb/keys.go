package dynamodb

import "strings"

// key joins a prefix and parts into one key of the table, each part escaped
// by keyPart and followed by '#', so that a key names exactly one tuple of
// parts whatever they contain: "CONV#" + "a#b" + "c" can never equal
// "CONV#" + "a" + "b#c". Every key builder goes through it.
func key(prefix string, parts ...string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i, part := range parts {
		if i > 0 {
			b.WriteByte('#')
		}
		b.WriteString(keyPart(part))
	}
	return b.String()
}

// keyEscaper escapes the separator '#' and the escape character '%' itself,
// so escaped parts never contain a separator and decode one way only. Parts
// that hold neither (every valid email but the rare one with '#' or '%' in
// its local part, every ID) are written unchanged.
var keyEscaper = strings.NewReplacer("%", "%25", "#", "%23")

func keyPart(s string) string { return keyEscaper.Replace(s) }
