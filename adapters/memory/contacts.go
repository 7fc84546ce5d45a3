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

// CreateContact implements core.ContactStore.
func (s *Store) CreateContact(_ context.Context, c core.Contact) (core.Contact, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{c.Owner, c.Email}
	existing, ok := s.contacts[key]
	switch {
	case !ok:
		s.contacts[key] = c
		return c, true, nil
	case existing.Request:
		existing.Request = false
		existing.Name = c.Name
		s.contacts[key] = existing
		return existing, true, nil
	default:
		return existing, false, nil
	}
}

// Contacts implements core.ContactStore.
func (s *Store) Contacts(_ context.Context, owner string) ([]core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	contacts := []core.Contact{}
	for key, contact := range s.contacts {
		if key.owner == owner {
			contacts = append(contacts, contact)
		}
	}
	return contacts, nil
}

// Contact implements core.ContactStore.
func (s *Store) Contact(_ context.Context, owner, email string) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	contact, ok := s.contacts[contactKey{owner, email}]
	if !ok {
		return core.Contact{}, core.ErrNotAContact(email)
	}
	return contact, nil
}

// BlockContact implements core.ContactStore.
func (s *Store) BlockContact(_ context.Context, c core.Contact) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{c.Owner, c.Email}
	contact, ok := s.contacts[key]
	if !ok {
		contact = c
	}
	contact.Blocked = true
	s.contacts[key] = contact
	return contact, nil
}

// UnblockContact implements core.ContactStore.
func (s *Store) UnblockContact(_ context.Context, owner, email string) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{owner, email}
	contact, ok := s.contacts[key]
	if !ok {
		return core.Contact{}, core.ErrNotAContact(email)
	}
	contact.Blocked = false
	s.contacts[key] = contact
	return contact, nil
}
