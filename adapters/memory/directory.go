package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/parley-chat/parley/core"
)

// ContactsPage implements core.ContactDirectory.
func (s *Store) ContactsPage(_ context.Context, owner, after string, limit int) ([]core.Contact, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []core.Contact
	for key, contact := range s.contacts {
		if key.owner == owner && key.email > after {
			all = append(all, contact)
		}
	}
	slices.SortFunc(all, func(a, b core.Contact) int { return cmp.Compare(a.Email, b.Email) })
	page := make([]core.Contact, 0, min(limit, len(all)))
	page = append(page, all[:min(limit, len(all))]...)
	next := ""
	if len(all) > limit {
		next = page[len(page)-1].Email
	}
	return page, next, nil
}

// ContactByID implements core.ContactDirectory.
func (s *Store) ContactByID(_ context.Context, owner, id string) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, contact := range s.contacts {
		if key.owner == owner && contact.ID == id {
			return contact, nil
		}
	}
	return core.Contact{}, core.ErrNoContactWithID(id)
}
