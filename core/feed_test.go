package core_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

var feedEpoch = time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)

// postsEvery returns n posts newest first, the newest at feedEpoch and each
// one gap older than the next, with text of size bytes.
func postsEvery(n int, gap time.Duration, size int) []core.Post {
	posts := make([]core.Post, n)
	for i := range posts {
		posts[i] = core.Post{
			ID: fmt.Sprintf("%08d", n-i), Channel: "finals", AuthorName: "Caster",
			Text: strings.Repeat("x", size), Date: feedEpoch.Add(-time.Duration(i) * gap),
		}
	}
	return posts
}

func ids(posts []core.Post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.ID
	}
	return out
}

func TestBuildSnapshot(t *testing.T) {
	channel := core.Channel{ID: "finals", Title: "Grand finals", Seq: 42}
	for _, tc := range []struct {
		name        string
		posts       []core.Post
		wantHeld    int
		wantPrevOld bool // Previous is the post right after the held ones
	}{
		{"EmptyChannel", nil, 0, false},
		{"QuietChannelHoldsTheMinimum", postsEvery(core.SnapshotMinPosts+20, time.Minute, 10), core.SnapshotMinPosts, true},
		{"FewPostsHoldsAll", postsEvery(7, time.Hour, 10), 7, false},
		{"BusyChannelHoldsTheWholeWindow", postsEvery(1000, 20*time.Millisecond, 10), 1000, false},
		{"WindowEndsTheSnapshot", postsEvery(core.SnapshotMaxPosts+1, 100*time.Millisecond, 10), int(core.SnapshotWindow/(100*time.Millisecond)) + 1, true},
		{"CountCapsTheSnapshot", postsEvery(core.SnapshotMaxPosts+1, time.Millisecond, 10), core.SnapshotMaxPosts, true},
		{"BytesCapTheSnapshot", postsEvery(core.SnapshotMaxPosts+1, time.Millisecond, 4000), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := core.BuildSnapshot(channel, tc.posts, feedEpoch)
			assert.Equal(t, "finals", s.Channel)
			assert.Equal(t, "Grand finals", s.Title)
			assert.Equal(t, int64(42), s.Seq)
			assert.Equal(t, feedEpoch, s.Updated)
			held := tc.wantHeld
			if tc.name == "BytesCapTheSnapshot" {
				held = len(s.Posts)
				assert.Less(t, held, core.SnapshotMaxPosts)
				bytes := 0
				for _, p := range s.Posts {
					bytes += core.EncodedPostBound(p)
				}
				assert.LessOrEqual(t, bytes, core.SnapshotMaxBytes)
				assert.Greater(t, bytes+core.EncodedPostBound(tc.posts[held]), core.SnapshotMaxBytes-1024, "as many as fit")
			}
			require.Len(t, s.Posts, held)
			for i := 1; i < len(s.Posts); i++ {
				assert.Less(t, s.Posts[i-1].ID, s.Posts[i].ID, "posts in date order")
			}
			if held > 0 {
				assert.Equal(t, tc.posts[0], s.Posts[held-1], "the newest post is last")
			}
			if tc.wantPrevOld {
				assert.Equal(t, tc.posts[held].ID, s.Previous)
			} else {
				assert.Empty(t, s.Previous, "the snapshot begins with the channel's first post")
			}
		})
	}
}

func TestBuildSnapshotOfADeletedChannelHoldsNothing(t *testing.T) {
	deleted := core.Channel{ID: "finals", Seq: 43, Deleted: true}
	s := core.BuildSnapshot(deleted, postsEvery(3, time.Second, 10), feedEpoch)
	assert.Equal(t, core.Snapshot{Channel: "finals", Updated: feedEpoch, Seq: 43, Posts: []core.Post{}, Deleted: true}, s)
}

// TestSnapshotMissed follows a reader who polls while posts arrive at a
// steady rate: at rates the window covers it never misses, and when posts
// outrun the snapshot it is told.
func TestSnapshotMissed(t *testing.T) {
	channel := core.Channel{ID: "finals", Title: "Grand finals"}
	for _, tc := range []struct {
		name       string
		perSecond  int
		pollEvery  time.Duration
		wantMissed bool
	}{
		{"TwentyPerSecond", 20, core.PollInterval + core.FeedMaxAge, false},
		{"SixtyPerSecond", 60, core.PollInterval + core.FeedMaxAge, false},
		{"ReaderAwayTooLong", 60, 2 * core.SnapshotWindow, true},
		{"MoreThanTheCountCap", 500, core.PollInterval + core.FeedMaxAge, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gap := time.Second / time.Duration(tc.perSecond)
			total := int((3*tc.pollEvery + core.SnapshotWindow) / gap)
			all := postsEvery(total, gap, 40) // newest first, newest at feedEpoch
			last, missed := "", false
			for at := feedEpoch.Add(-2 * tc.pollEvery); !at.After(feedEpoch); at = at.Add(tc.pollEvery) {
				var upToNow []core.Post
				for _, p := range all {
					if !p.Date.After(at) {
						upToNow = append(upToNow, p)
					}
				}
				if len(upToNow) > core.SnapshotMaxPosts+1 {
					upToNow = upToNow[:core.SnapshotMaxPosts+1]
				}
				s := core.BuildSnapshot(channel, upToNow, at)
				if last != "" && s.Missed(last) {
					missed = true
				}
				if len(s.Posts) > 0 {
					last = s.Posts[len(s.Posts)-1].ID
				}
			}
			assert.Equal(t, tc.wantMissed, missed)
		})
	}
	assert.False(t, core.Snapshot{}.Missed("x"), "a snapshot from the first post misses nothing")
	assert.True(t, core.Snapshot{Previous: "b"}.Missed("a"))
	assert.False(t, core.Snapshot{Previous: "b"}.Missed("b"))
	assert.True(t, core.Snapshot{Previous: "b"}.Missed(""), "a new reader of a long channel starts mid-way")
}
