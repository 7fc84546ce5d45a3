package core

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// A channel is a public, read-only feed for a live event: its owner and the
// publishers the owner names post to it, and anyone reads it, signed in or
// not, as a snapshot served from a CDN (feed.go).

// Limits of channels.
const (
	MinChannelIDLength = 3
	MaxChannelIDLength = 40
	MaxTitleRunes      = 200
	DefaultPostPage    = 50
	MaxPostPage        = 100
)

// Channel is a public feed. ID is its public name in URLs (3 to 40 of a-z,
// 0-9 and '-'), Owner the email of the person who created it.
type Channel struct {
	ID        string
	Owner     string
	Title     string
	CreatedAt time.Time
	// Seq counts the posts and deletions the channel has had: every change of
	// its posts adds one in the same write, so a snapshot built after reading
	// Seq holds at least that many changes (SnapshotWriter).
	Seq int64
	// Deleted is set once the channel was erased with its owner's account
	// (ChannelStore.EraseChannel): it keeps only its name, taken, and Seq,
	// so that its last snapshot says it is gone and stays the newest.
	Deleted bool
}

// Publisher is a person allowed to post to a channel, shown to readers only
// by Name, never by Email. The owner is a channel's first publisher.
type Publisher struct {
	Channel string
	Email   string
	Name    string
	AddedAt time.Time
}

// Post is one entry of a channel. IDs sort in time order, so a channel pages
// by ID.
type Post struct {
	ID      string
	Channel string
	// Author is the email of the publisher who posted, AuthorName their
	// public name at the time; only AuthorName is ever public.
	Author     string
	AuthorName string
	Text       string
	Date       time.Time
	// ClientID is the author's own key for the post, so that a retried post
	// is stored once (within ClientIDWindow), as for messages.
	ClientID string
}

// ValidChannelID reports whether id is 3 to 40 of a-z, 0-9 and '-': a name
// that is safe in a URL path, an S3 key and a table key without escaping.
func ValidChannelID(id string) bool {
	if len(id) < MinChannelIDLength || len(id) > MaxChannelIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func checkChannelID(id string) error {
	if !ValidChannelID(id) {
		return invalidField("channel", "must be %d to %d of a-z, 0-9 and '-'", MinChannelIDLength, MaxChannelIDLength)
	}
	return nil
}

// The refusals of channel stores, so every store says the same.

// ErrNoChannel is the refusal of a channel that does not exist.
func ErrNoChannel(id string) error { return Errorf(ENOTFOUND, "There is no channel %s.", id) }

// ErrChannelTaken is the refusal to create a channel whose name is taken.
func ErrChannelTaken(id string) error { return Errorf(ECONFLICT, "The channel name %s is taken.", id) }

// ErrNotAPublisher is the answer for someone who may not post to channel.
func ErrNotAPublisher(email, channel string) error {
	return Errorf(ENOTFOUND, "%s is not a publisher of %s.", email, channel)
}

// ErrNoPost is the refusal of a post that channel does not hold.
func ErrNoPost(id, channel string) error {
	return Errorf(ENOTFOUND, "There is no post %s in %s.", id, channel)
}

// ChannelStore keeps channels, their publishers and their posts.
// Implementations are safe for concurrent use.
type ChannelStore interface {
	// CreateChannel stores c, with owner as its first publisher and an
	// entry of c.ID in the index of c.Owner's channels (OwnedChannels), in
	// one atomic write. ECONFLICT when a channel with c.ID exists, deleted
	// or not.
	CreateChannel(ctx context.Context, c Channel, owner Publisher) error

	// OwnedChannels returns the IDs of the channels owner created, in ID
	// order, from the index CreateChannel writes (an empty slice when
	// there are none).
	OwnedChannels(ctx context.Context, owner string) ([]string, error)

	// EraseChannel erases channel id of owner: first it marks the channel
	// Deleted, with no owner and no title, adding one to its Seq; then it
	// erases its posts, their idempotency markers and its publishers; last
	// the channel's entry in owner's index. It returns how many posts it
	// erased. Erasing what is erased already does nothing, so a failed
	// erasure is finished by calling it again.
	EraseChannel(ctx context.Context, id, owner string) (posts int, err error)

	// Channel returns the channel with id. ENOTFOUND when there is none.
	Channel(ctx context.Context, id string) (Channel, error)

	// PutPublisher stores p as a publisher of p.Channel, replacing the name
	// of a publisher with the same email, and returns it as stored (keeping
	// the first AddedAt). ENOTFOUND when the channel does not exist.
	PutPublisher(ctx context.Context, p Publisher) (Publisher, error)

	// Publisher returns the publisher of channel with email. ENOTFOUND when
	// that person is not one.
	Publisher(ctx context.Context, channel, email string) (Publisher, error)

	// AddPost stores p in p.Channel under the name p.Author publishes it as
	// (p.AuthorName is the store's to fill in), and adds one to the channel's
	// Seq, in one atomic write that also checks p.Author is a publisher of
	// it: ENOTFOUND (ErrNotAPublisher or ErrNoChannel) otherwise. When p.ClientID is not empty and p.Author stored a post
	// with that ClientID in that channel less than ClientIDWindow before
	// p.Date, nothing is written and that post is returned with created
	// false. ENOTFOUND when the channel does not exist. With a charge, the
	// same write takes charge's send as SendBudget.Spend does (ESUSPENDED,
	// ETHROTTLED). An *OutOfOrderError (ECONFLICT) when the channel already
	// holds a post whose ID is not below p.ID: posts commit in ID order.
	AddPost(ctx context.Context, p Post, charge *Charge) (stored Post, created bool, err error)

	// DeletePost removes the post with id from channel and adds one to the
	// channel's Seq, in one atomic write. ENOTFOUND when there is no such
	// post.
	DeletePost(ctx context.Context, channel, id string) error

	// Posts returns a page of q.Channel newest first (an empty slice when
	// there are none): the newest q.Limit posts with an ID below q.Before, or
	// the newest q.Limit when Before is empty.
	Posts(ctx context.Context, q PostQuery) ([]Post, error)
}

// PostQuery asks for a page of a channel, newest first.
type PostQuery struct {
	Channel string
	Before  string
	Limit   int
}

// CreateChannelInput is the request to create a channel. Name is the
// owner's public name on their posts; the title when empty.
type CreateChannelInput struct {
	Channel string
	Title   string
	Name    string
}

// CreateChannel creates a channel owned by the caller. ECONFLICT when its
// name is taken.
func (s *Service) CreateChannel(ctx context.Context, caller Caller, in CreateChannelInput) (Channel, error) {
	if err := checkChannelID(in.Channel); err != nil {
		return Channel{}, err
	}
	title, err := normalizeText("title", in.Title, MaxTitleRunes, false)
	if err == nil && strings.ContainsFunc(title, isBidiControl) {
		err = invalidField("title", "must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)")
	}
	if err != nil {
		return Channel{}, err
	}
	name := title
	if in.Name != "" {
		if name, err = normalizeName("name", in.Name); err != nil {
			return Channel{}, err
		}
	}
	if err := s.spendOne(ctx, caller); err != nil {
		return Channel{}, err
	}
	now := s.now().UTC()
	channel := Channel{ID: in.Channel, Owner: caller.Email, Title: title, CreatedAt: now}
	owner := Publisher{Channel: in.Channel, Email: caller.Email, Name: name, AddedAt: now}
	if err := s.store.CreateChannel(ctx, channel, owner); err != nil {
		return Channel{}, wrapf(err, "create channel %s", in.Channel)
	}
	s.refreshFeed(ctx, channel.ID)
	return channel, nil
}

// AddPublisherInput is the request to let someone post to a channel.
type AddPublisherInput struct {
	Channel string
	Email   string
	Name    string
}

// AddPublisher lets the person at in.Email post to the caller's channel
// under in.Name; adding them again renames them. Only the owner may. The
// send it spends (which also refuses a suspended caller and a token issued
// before the caller's account was deleted) and the read of the channel go
// at once; the publisher is written only when both let it.
func (s *Service) AddPublisher(ctx context.Context, caller Caller, in AddPublisherInput) (Publisher, error) {
	if err := checkChannelID(in.Channel); err != nil {
		return Publisher{}, err
	}
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return Publisher{}, err
	}
	name, err := normalizeName("name", in.Name)
	if err != nil {
		return Publisher{}, err
	}
	var spent, owned error
	var wg sync.WaitGroup
	wg.Go(func() { spent = s.spendOne(ctx, caller) })
	wg.Go(func() { _, owned = s.ownedChannel(ctx, caller, in.Channel) })
	wg.Wait()
	if spent != nil {
		return Publisher{}, spent
	}
	if owned != nil {
		return Publisher{}, owned
	}
	p, err := s.store.PutPublisher(ctx, Publisher{Channel: in.Channel, Email: email, Name: name, AddedAt: s.now().UTC()})
	if err != nil {
		return Publisher{}, wrapf(err, "add publisher to %s", in.Channel)
	}
	return p, nil
}

// PostInput is the request to post to a channel.
type PostInput struct {
	Channel  string
	Text     string
	ClientID string
}

// PostToChannel posts in.Text to a channel the caller publishes to, under
// their public name. With a ClientID, posting the same again returns the
// stored post with created false instead of storing a second.
func (s *Service) PostToChannel(ctx context.Context, caller Caller, in PostInput) (Post, bool, error) {
	if err := checkChannelID(in.Channel); err != nil {
		return Post{}, false, err
	}
	text, err := normalizeSend(in.Text, in.ClientID)
	if err != nil {
		return Post{}, false, err
	}
	id, now := s.stamp()
	post := Post{ID: id, Channel: in.Channel, Author: caller.Email, Text: text, Date: now, ClientID: in.ClientID}
	// The store checks the author is a publisher in the write that stores
	// the post and spends the author's send budget, as a message does; a
	// retried clientId takes nothing.
	stored, created, err := s.storePost(ctx, post, s.chargeOf(caller, now))
	switch {
	case ErrorCode(err) == ENOTFOUND:
		if _, chErr := s.liveChannel(ctx, in.Channel); chErr != nil {
			return Post{}, false, wrapf(chErr, "post to %s", in.Channel)
		}
		return Post{}, false, Errorf(EFORBIDDEN, "You are not a publisher of %s.", in.Channel)
	case err != nil:
		return Post{}, false, wrapf(err, "post to %s", in.Channel)
	}
	if created {
		s.refreshFeed(ctx, in.Channel)
	}
	return stored, created, nil
}

// storePost stores p, naming it again each time the store finds that a post
// named later committed first.
func (s *Service) storePost(ctx context.Context, p Post, charge *Charge) (stored Post, created bool, err error) {
	err = s.writeInOrder(p.ID, p.Date, func(id string, at time.Time) (err error) {
		p.ID, p.Date = id, at
		stored, created, err = s.store.AddPost(ctx, p, charge)
		return err
	})
	if err != nil {
		return Post{}, false, err
	}
	return stored, created, nil
}

// DeletePost removes a post from the caller's channel. Only the owner may,
// and not while suspended.
func (s *Service) DeletePost(ctx context.Context, caller Caller, channel, id string) error {
	if err := s.checkNotSuspended(ctx, caller); err != nil {
		return err
	}
	if _, err := s.ownedChannel(ctx, caller, channel); err != nil {
		return err
	}
	if !validToken(id) {
		return invalidField("id", "is not a post ID")
	}
	if err := s.store.DeletePost(ctx, channel, id); err != nil {
		return wrapf(err, "delete post %s from %s", id, channel)
	}
	s.refreshFeed(ctx, channel)
	return nil
}

// ownedChannel returns the channel id when the caller owns it: EFORBIDDEN
// for anyone else, ENOTFOUND when it does not exist.
func (s *Service) ownedChannel(ctx context.Context, caller Caller, id string) (Channel, error) {
	if err := checkChannelID(id); err != nil {
		return Channel{}, err
	}
	channel, err := s.liveChannel(ctx, id)
	if err != nil {
		return Channel{}, wrapf(err, "channel %s", id)
	}
	if channel.Owner != caller.Email {
		return Channel{}, Errorf(EFORBIDDEN, "Only the owner of %s may do this.", id)
	}
	return channel, nil
}

// liveChannel returns the channel id, ENOTFOUND when it does not exist or
// was deleted.
func (s *Service) liveChannel(ctx context.Context, id string) (Channel, error) {
	channel, err := s.store.Channel(ctx, id)
	if err == nil && channel.Deleted {
		err = ErrNoChannel(id)
	}
	return channel, err
}

// wrapf wraps err with the context of what failed, keeping its code.
func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// normalizeSend checks what a message and a post share: the text (returned
// trimmed) within the message limits, and an optional clientId.
func normalizeSend(text, clientID string) (string, error) {
	text, err := normalizeText("text", text, MaxMessageRunes, true)
	if err != nil {
		return "", err
	}
	if clientID != "" && !validToken(clientID) {
		return "", invalidField("clientID", "must be 1 to %d letters, digits, '-' or '_'", maxTokenLength)
	}
	return text, nil
}
