package dynamodb

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

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

// Key prefixes of the single table. Every key is built by key (keys.go), which
// escapes its parts, so no email or ID can make two keys collide.
const (
	userPrefix    = "USER#"
	contactPrefix = "CONTACT#"
	convPrefix    = "CONV#"
	messagePrefix = "MSG#"
	clientPrefix  = "CLIENT#"
	reportPrefix  = "REPORT#"
)

// Attribute names shared by the expressions and the item structs' tags.
const (
	attrPK           = "pk"
	attrSK           = "sk"
	attrID           = "id"
	attrOwner        = "owner"
	attrEmail        = "email"
	attrName         = "name"
	attrBlocked      = "blocked"
	attrReport       = "report"
	attrRequest      = "request"
	attrCreatedAt    = "createdAt"
	attrLastActivity = "lastActivity"
	attrLastMessage  = "lastMessage"
	attrUnread       = "unread"
	attrVersion      = "version"
	attrMarks        = "marks"
	attrText         = "text"
	attrDeleted      = "deleted"
	attrEvidence     = "evidence"
)

func contactKey(owner, email string) (pk, sk string) {
	return key(userPrefix, owner), key(contactPrefix, email)
}

// conversationKey names the conversation of a and b, whichever of them asks.
func conversationKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return key(convPrefix, a, b)
}

func messageSortKey(id string) string { return key(messagePrefix, id) }

func clientSortKey(sender, clientID string) string {
	return key(clientPrefix, sender, clientID)
}

func reportPartitionKey(reported string) string { return key(reportPrefix, reported) }

// reportSortKey names a report by its reporter and a hash of its text, so a
// retried report writes the same item: a report is stored once.
func reportSortKey(reporter, text string) string {
	sum := sha256.Sum256([]byte(text))
	return key(reportPrefix, reporter, hex.EncodeToString(sum[:16]))
}

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction, so stored
// times also sort as strings.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse %s %q: %w", field, s, err)
	}
	return t.UTC(), nil
}
