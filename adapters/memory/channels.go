package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/parley-chat/parley/core"
)

var _ core.ChannelStore = (*Store)(nil)

// channels holds the channels, publishers and posts, behind their own mutex
// so feeds never wait on conversations.
type channels struct {
	mu         sync.Mutex
	byID       map[string]core.Channel
	publishers map[publisherKey]core.Publisher
	// posts holds each channel's posts in ascending ID order.
	posts        map[string][]core.Post
	postByClient map[postClientKey]core.Post
	// owned indexes each owner's channels by their IDs.
	owned map[string]map[string]bool
}

type publisherKey struct{ channel, email string }

type postClientKey struct{ channel, author, clientID string }

func newChannels() *channels {
	return &channels{
		byID:         map[string]core.Channel{},
		publishers:   map[publisherKey]core.Publisher{},
		posts:        map[string][]core.Post{},
		postByClient: map[postClientKey]core.Post{},
		owned:        map[string]map[string]bool{},
	}
}

// CreateChannel implements core.ChannelStore.
func (s *Store) CreateChannel(_ context.Context, c core.Channel, owner core.Publisher) error {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.byID[c.ID]; ok {
		return core.ErrChannelTaken(c.ID)
	}
	f.byID[c.ID] = c
	f.publishers[publisherKey{owner.Channel, owner.Email}] = owner
	if f.owned[c.Owner] == nil {
		f.owned[c.Owner] = map[string]bool{}
	}
	f.owned[c.Owner][c.ID] = true
	return nil
}

// OwnedChannels implements core.ChannelStore.
func (s *Store) OwnedChannels(_ context.Context, owner string) ([]string, error) {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.owned[owner]))
	for id := range f.owned[owner] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// EraseChannel implements core.ChannelStore in one step under the lock.
func (s *Store) EraseChannel(_ context.Context, id, owner string) (int, error) {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.byID[id]; ok && !c.Deleted {
		f.byID[id] = core.Channel{ID: id, Seq: c.Seq + 1, Deleted: true}
	}
	posts := len(f.posts[id])
	delete(f.posts, id)
	for key := range f.postByClient {
		if key.channel == id {
			delete(f.postByClient, key)
		}
	}
	for key := range f.publishers {
		if key.channel == id {
			delete(f.publishers, key)
		}
	}
	delete(f.owned[owner], id)
	if len(f.owned[owner]) == 0 {
		delete(f.owned, owner)
	}
	return posts, nil
}

// Channel implements core.ChannelStore.
func (s *Store) Channel(_ context.Context, id string) (core.Channel, error) {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.byID[id]
	if !ok {
		return core.Channel{}, core.ErrNoChannel(id)
	}
	return c, nil
}

// PutPublisher implements core.ChannelStore.
func (s *Store) PutPublisher(_ context.Context, p core.Publisher) (core.Publisher, error) {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.byID[p.Channel]; !ok || c.Deleted {
		return core.Publisher{}, core.ErrNoChannel(p.Channel)
	}
	key := publisherKey{p.Channel, p.Email}
	if old, ok := f.publishers[key]; ok {
		p.AddedAt = old.AddedAt
	}
	f.publishers[key] = p
	return p, nil
}

// Publisher implements core.ChannelStore.
func (s *Store) Publisher(_ context.Context, channel, email string) (core.Publisher, error) {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.publishers[publisherKey{channel, email}]
	if !ok {
		return core.Publisher{}, core.ErrNotAPublisher(email, channel)
	}
	return p, nil
}

// AddPost implements core.ChannelStore.
// The charge is taken under s.mu, which every budget change holds, inside
// the channels' own lock.
func (s *Store) AddPost(_ context.Context, p core.Post, charge *core.Charge) (core.Post, bool, error) {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.byID[p.Channel]
	if !ok || c.Deleted {
		return core.Post{}, false, core.ErrNoChannel(p.Channel)
	}
	client := postClientKey{p.Channel, p.Author, p.ClientID}
	if p.ClientID != "" {
		if stored, ok := f.postByClient[client]; ok && p.Date.Before(stored.Date.Add(core.ClientIDWindow)) {
			return stored, false, nil
		}
	}
	publisher, ok := f.publishers[publisherKey{p.Channel, p.Author}]
	if !ok {
		return core.Post{}, false, core.ErrNotAPublisher(p.Author, p.Channel)
	}
	p.AuthorName = publisher.Name
	posts := f.posts[p.Channel]
	if n := len(posts); n > 0 && posts[n-1].ID >= p.ID {
		return core.Post{}, false, &core.OutOfOrderError{Newest: posts[n-1].Date}
	}
	if charge != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		next, err := s.take(*charge)
		if err != nil {
			return core.Post{}, false, err
		}
		s.budgets[charge.Limit.BucketOf(charge.Sender)] = next
	}
	f.posts[p.Channel] = append(posts, p)
	if p.ClientID != "" {
		f.postByClient[client] = p
	}
	c.Seq++
	f.byID[p.Channel] = c
	return p, true, nil
}

// DeletePost implements core.ChannelStore.
func (s *Store) DeletePost(_ context.Context, channel, id string) error {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	posts := f.posts[channel]
	at, found := slices.BinarySearchFunc(posts, id, func(q core.Post, id string) int { return cmp.Compare(q.ID, id) })
	if !found {
		return core.ErrNoPost(id, channel)
	}
	f.posts[channel] = slices.Delete(posts, at, at+1)
	c := f.byID[channel]
	c.Seq++
	f.byID[channel] = c
	return nil
}

// Posts implements core.ChannelStore.
func (s *Store) Posts(_ context.Context, q core.PostQuery) ([]core.Post, error) {
	f := s.feeds
	f.mu.Lock()
	defer f.mu.Unlock()
	posts := f.posts[q.Channel]
	end := len(posts)
	if q.Before != "" {
		end, _ = slices.BinarySearchFunc(posts, q.Before, func(p core.Post, id string) int { return cmp.Compare(p.ID, id) })
	}
	page := make([]core.Post, 0, min(q.Limit, end))
	for i := end - 1; i >= 0 && len(page) < q.Limit; i-- {
		page = append(page, posts[i])
	}
	return page, nil
}
