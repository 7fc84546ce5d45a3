package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// ChannelID returns a channel name unique to this fixture.
func (f *Fixture) ChannelID(name string) string { return name + "-" + f.runID }

// MustCreateChannel creates channel id owned by owner through the service.
func (f *Fixture) MustCreateChannel(t *testing.T, owner, id string) core.Channel {
	t.Helper()
	c, err := f.Service.CreateChannel(context.Background(), f.Caller(t, owner), core.CreateChannelInput{Channel: id, Title: "Title of " + id, Name: "Host"})
	require.NoError(t, err)
	return c
}

// MustPost posts text to channel as author through the service.
func (f *Fixture) MustPost(t *testing.T, author, channel, text string) core.Post {
	t.Helper()
	p, created, err := f.Service.PostToChannel(context.Background(), f.Caller(t, author), core.PostInput{Channel: channel, Text: text})
	require.NoError(t, err)
	require.True(t, created)
	return p
}

func postIDs(posts []core.Post) []string {
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	return ids
}

// testChannels is the contract of channels, publishers and posts.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testChannels(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("APostNamedBeforeTheNewestIsRefusedAndTheServiceNamesItAgain", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		owner, id := f.Email("owner"), f.ChannelID("order")
		f.MustCreateChannel(t, owner, id)
		early := core.Post{ID: f.NewID(), Channel: id, Author: owner, AuthorName: "Host", Text: "named first", Date: f.Now()}
		f.Advance(time.Second)
		newest := f.MustPost(t, owner, id, "committed first")

		_, _, err := f.Store.AddPost(ctx, early, nil)
		var late *core.OutOfOrderError
		require.ErrorAs(t, err, &late)
		assert.Equal(t, core.ECONFLICT, core.ErrorCode(err))
		assert.True(t, late.Newest.Equal(newest.Date))

		// Through the service, a post whose name lost its place is named
		// again after the newest: a feed read after newest finds it.
		f.Advance(-time.Second)
		again := f.MustPost(t, owner, id, "named late, by a clock behind")
		assert.Greater(t, again.ID, newest.ID)
		assert.False(t, again.Date.Before(newest.Date))
		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, []string{again.ID, newest.ID}, postIDs(posts), "newest first")
	})

	t.Run("CreateChannelOnce", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		owner, other := f.Email("owner"), f.Email("other")
		id := f.ChannelID("final")
		created := f.MustCreateChannel(t, owner, id)

		got, err := f.Store.Channel(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, created, got)
		assert.Equal(t, owner, got.Owner)
		assert.Equal(t, int64(0), got.Seq)
		host, err := f.Store.Publisher(ctx, id, owner)
		require.NoError(t, err)
		assert.Equal(t, "Host", host.Name)

		_, err = f.Service.CreateChannel(ctx, f.Caller(t, other), core.CreateChannelInput{Channel: id, Title: "Mine now"})
		assert.Equal(t, core.ECONFLICT, core.ErrorCode(err))
		got, err = f.Store.Channel(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, owner, got.Owner, "a taken name keeps its owner")
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		missing := f.ChannelID("missing")
		_, err := f.Store.Channel(ctx, missing)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		_, err = f.Store.Publisher(ctx, missing, f.Email("a"))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		_, err = f.Store.PutPublisher(ctx, core.Publisher{Channel: missing, Email: f.Email("a"), Name: "A", AddedAt: f.Now()})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		_, _, err = f.Store.AddPost(ctx, core.Post{ID: f.NewID(), Channel: missing, Author: f.Email("a"), AuthorName: "A", Text: "hi", Date: f.Now()}, nil)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(f.Store.DeletePost(ctx, missing, f.NewID())))
		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: missing, Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, posts)
		assert.NotNil(t, posts)
	})

	t.Run("WhoMayPostAndDelete", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		owner, publisher, stranger := f.Email("owner"), f.Email("caster"), f.Email("stranger")
		id := f.ChannelID("rules")
		f.MustCreateChannel(t, owner, id)

		_, _, err := f.Service.PostToChannel(ctx, f.Caller(t, publisher), core.PostInput{Channel: id, Text: "too early"})
		assert.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
		_, err = f.Service.AddPublisher(ctx, f.Caller(t, stranger), core.AddPublisherInput{Channel: id, Email: stranger, Name: "Me"})
		assert.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "only the owner names publishers")

		added, err := f.Service.AddPublisher(ctx, f.Caller(t, owner), core.AddPublisherInput{Channel: id, Email: upper(publisher), Name: "Caster"})
		require.NoError(t, err)
		assert.Equal(t, publisher, added.Email)
		f.Advance(time.Second)
		renamed, err := f.Service.AddPublisher(ctx, f.Caller(t, owner), core.AddPublisherInput{Channel: id, Email: publisher, Name: "Caster Two"})
		require.NoError(t, err)
		assert.Equal(t, "Caster Two", renamed.Name)
		assert.Equal(t, added.AddedAt, renamed.AddedAt, "renaming keeps when they were added")

		byOwner := f.MustPost(t, owner, id, "welcome")
		byPublisher := f.MustPost(t, publisher, id, "  first blood  ")
		assert.Equal(t, "Host", byOwner.AuthorName)
		assert.Equal(t, "Caster Two", byPublisher.AuthorName)
		assert.Equal(t, "first blood", byPublisher.Text)
		_, _, err = f.Service.PostToChannel(ctx, f.Caller(t, stranger), core.PostInput{Channel: id, Text: "let me in"})
		assert.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
		_, _, err = f.Service.PostToChannel(ctx, f.Caller(t, owner), core.PostInput{Channel: f.ChannelID("nowhere"), Text: "x"})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))

		assert.Equal(t, core.EFORBIDDEN, core.ErrorCode(f.Service.DeletePost(ctx, f.Caller(t, publisher), id, byOwner.ID)), "publishers do not delete")
		require.NoError(t, f.Service.DeletePost(ctx, f.Caller(t, owner), id, byPublisher.ID))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(f.Service.DeletePost(ctx, f.Caller(t, owner), id, byPublisher.ID)))

		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, []core.Post{byOwner}, posts)
		channel, err := f.Store.Channel(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, int64(3), channel.Seq, "two posts and one deletion")
	})

	t.Run("PostsPageNewestFirst", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		owner := f.Email("owner")
		id := f.ChannelID("paging")
		f.MustCreateChannel(t, owner, id)
		var want []string
		for i := range 7 {
			want = append([]string{f.MustPost(t, owner, id, fmt.Sprintf("post %d", i)).ID}, want...)
			f.Advance(time.Millisecond)
		}
		// Another channel's posts never leak into this one.
		other := f.ChannelID("paging2")
		f.MustCreateChannel(t, owner, other)
		f.MustPost(t, owner, other, "elsewhere")

		newest, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Limit: 3})
		require.NoError(t, err)
		assert.Equal(t, want[:3], postIDs(newest))
		older, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Before: newest[2].ID, Limit: 3})
		require.NoError(t, err)
		assert.Equal(t, want[3:6], postIDs(older))
		last, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Before: older[2].ID, Limit: 3})
		require.NoError(t, err)
		assert.Equal(t, want[6:], postIDs(last))
		all, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Limit: 100})
		require.NoError(t, err)
		assert.Equal(t, want, postIDs(all))
	})

	t.Run("ClientIDStoresOnce", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		owner, caster := f.Email("owner"), f.Email("caster")
		id := f.ChannelID("retry")
		f.MustCreateChannel(t, owner, id)
		_, err := f.Service.AddPublisher(ctx, f.Caller(t, owner), core.AddPublisherInput{Channel: id, Email: caster, Name: "Caster"})
		require.NoError(t, err)

		in := core.PostInput{Channel: id, Text: "goal!", ClientID: "c-1"}
		first, created, err := f.Service.PostToChannel(ctx, f.Caller(t, owner), in)
		require.NoError(t, err)
		require.True(t, created)
		f.Advance(time.Minute)
		again, created, err := f.Service.PostToChannel(ctx, f.Caller(t, owner), in)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, again)
		// The same clientId from another publisher is another post.
		_, created, err = f.Service.PostToChannel(ctx, f.Caller(t, caster), in)
		require.NoError(t, err)
		assert.True(t, created)
		// After the window the clientId names a new post.
		f.Advance(core.ClientIDWindow)
		_, created, err = f.Service.PostToChannel(ctx, f.Caller(t, owner), in)
		require.NoError(t, err)
		assert.True(t, created)

		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Limit: 10})
		require.NoError(t, err)
		assert.Len(t, posts, 3)
		channel, err := f.Store.Channel(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, int64(3), channel.Seq, "a retry changes nothing")
	})

	t.Run("RacingRetriesStoreOnePost", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		owner := f.Email("owner")
		id := f.ChannelID("race")
		f.MustCreateChannel(t, owner, id)
		const attempts = 8
		var wg sync.WaitGroup
		var created atomic.Int32
		ids := make([]string, attempts)
		for i := range attempts {
			wg.Go(func() {
				p, c, err := f.Service.PostToChannel(ctx, f.Caller(t, owner), core.PostInput{Channel: id, Text: "once", ClientID: "same"})
				if !assert.NoError(t, err) {
					return
				}
				if c {
					created.Add(1)
				}
				ids[i] = p.ID
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), created.Load(), "exactly one attempt stores the post")
		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: id, Limit: 10})
		require.NoError(t, err)
		require.Len(t, posts, 1)
		for _, got := range ids {
			assert.Equal(t, posts[0].ID, got, "every attempt answers with the stored post")
		}
	})

	t.Run("RacingCreatesHaveOneOwner", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		id := f.ChannelID("land")
		const attempts = 6
		var wg sync.WaitGroup
		var won atomic.Int32
		for i := range attempts {
			wg.Go(func() {
				owner := f.Email(fmt.Sprintf("owner%d", i))
				_, err := f.Service.CreateChannel(ctx, f.Caller(t, owner), core.CreateChannelInput{Channel: id, Title: "Land rush"})
				switch core.ErrorCode(err) {
				case "":
					won.Add(1)
				case core.ECONFLICT:
				default:
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), won.Load())
	})

	t.Run("SnapshotFromTheStore", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		owner := f.Email("owner")
		id := f.ChannelID("snap")
		f.MustCreateChannel(t, owner, id)
		var posted []core.Post
		for i := range core.SnapshotMinPosts + 5 {
			posted = append(posted, f.MustPost(t, owner, id, fmt.Sprintf("old %d", i)))
		}
		f.Advance(core.SnapshotWindow + time.Second)
		fresh := f.MustPost(t, owner, id, "fresh")

		s, err := f.Service.FeedSnapshot(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "Title of "+id, s.Title)
		assert.Equal(t, int64(len(posted)+1), s.Seq)
		require.Len(t, s.Posts, core.SnapshotMinPosts, "only the minimum of posts older than the window")
		assert.Equal(t, fresh, s.Posts[len(s.Posts)-1])
		assert.Equal(t, posted[len(posted)-core.SnapshotMinPosts+1], s.Posts[0])
		assert.Equal(t, posted[len(posted)-core.SnapshotMinPosts].ID, s.Previous)
	})
}
