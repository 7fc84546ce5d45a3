// Package feed is the public side of Parley's live feeds: the JSON of a
// channel's snapshot (the contract every viewer polls), the snapshot store of
// the local server, which serves /feeds/<channel>.json with an ETag, and the
// handler of the table stream that rebuilds snapshots in AWS.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/parley-chat/parley/core"
)

// CacheControl is how long any cache, a CDN included, may serve a snapshot
// without asking again: core.FeedMaxAge.
var CacheControl = "public, max-age=" + strconv.Itoa(int(core.FeedMaxAge/time.Second))

// ContentType is the media type of a snapshot.
const ContentType = "application/json; charset=utf-8"

// snapshotJSON is the public snapshot: GET /feeds/<channel>.json.
type snapshotJSON struct {
	Channel string `json:"channel"`
	Title   string `json:"title"`
	Updated string `json:"updated"`
	// Seq and Previous let a viewer order snapshots and tell it fell
	// behind: core.Snapshot.
	Seq      int64      `json:"seq"`
	Previous string     `json:"previous"`
	Posts    []postJSON `json:"posts"`
	// Deleted: the channel was deleted with its owner's account.
	Deleted bool `json:"deleted,omitempty"`
}

// postJSON is one post as the public sees it: the author's public name,
// never their email.
type postJSON struct {
	ID      string `json:"id"`
	Author  string `json:"author"`
	Message string `json:"message"`
	Date    string `json:"date"`
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// Encode is the JSON of s. It escapes no HTML, so no post takes more than
// core.EncodedPostBound bytes and the snapshot stays within
// core.SnapshotMaxBytes.
func Encode(s core.Snapshot) ([]byte, error) {
	out := snapshotJSON{
		Channel: s.Channel, Title: s.Title, Updated: formatTime(s.Updated), Seq: s.Seq, Previous: s.Previous, Deleted: s.Deleted,
		Posts: make([]postJSON, len(s.Posts)),
	}
	for i, p := range s.Posts {
		out.Posts[i] = postJSON{ID: p.ID, Author: p.AuthorName, Message: p.Text, Date: formatTime(p.Date)}
	}
	var b bytes.Buffer
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(out); err != nil {
		return nil, fmt.Errorf("encode snapshot of %s: %w", s.Channel, err)
	}
	return b.Bytes(), nil
}

// ETag is the strong entity tag of a snapshot's bytes.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}
