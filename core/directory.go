package core

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Pages of contacts.
const (
	// DefaultContactPage is the page size of get-contacts without a limit:
	// large enough that clients which do not page see every contact of an
	// ordinary list, small enough that one page stays far below Lambda's 6 MB
	// response limit (a stored contact is at most about 1.5 KB).
	DefaultContactPage = 1000
	// MaxContactPage is the largest limit get-contacts accepts.
	MaxContactPage = 1000
)

// ContactDirectory pages a contact list by key and finds a contact by the ID
// the API shows.
type ContactDirectory interface {
	// ContactsPage returns up to limit of owner's contacts in the order of
	// their email addresses, starting after the contact with email after
	// (from the first when after is ""), and next, the email to pass as after
	// for the following page, or "" when no contact follows. An empty page
	// is an empty slice. One request per page.
	ContactsPage(ctx context.Context, owner, after string, limit int) (page []Contact, next string, err error)

	// ContactByID returns owner's contact whose ID is id; ENOTFOUND when
	// owner has none.
	ContactByID(ctx context.Context, owner, id string) (Contact, error)
}

// GetContactsInput is the request for a page of the caller's contacts.
type GetContactsInput struct {
	// After is the Next of the previous page; "" for the first page.
	After string
	// Limit is the page size; 0 means DefaultContactPage.
	Limit int
}

// ContactsPage is one page of a contact list.
type ContactsPage struct {
	// Contacts are the page's contacts, most recent activity first.
	Contacts []Contact
	// Next is the After of the following page, "" on the last page.
	Next string
}

// GetContactsPage returns a page of the caller's contacts, paged by email so
// that each page is one bounded read whatever the size of the list; within
// the page, most recent activity first.
func (s *Service) GetContactsPage(ctx context.Context, caller Caller, in GetContactsInput) (ContactsPage, error) {
	limit := in.Limit
	switch {
	case limit == 0:
		limit = DefaultContactPage
	case limit < 1 || limit > MaxContactPage:
		return ContactsPage{}, invalidField("limit", "must be between 1 and %d", MaxContactPage)
	}
	after := ""
	if in.After != "" {
		email, err := NormalizeEmail(in.After)
		if err != nil {
			return ContactsPage{}, invalidField("cursor", "is not a cursor of get-contacts")
		}
		after = email
	}
	contacts, next, err := s.store.ContactsPage(ctx, caller.Email, after, limit)
	if err != nil {
		return ContactsPage{}, fmt.Errorf("list contacts: %w", err)
	}
	sortByRecentActivity(contacts)
	return ContactsPage{Contacts: contacts, Next: next}, nil
}

func sortByRecentActivity(contacts []Contact) {
	slices.SortFunc(contacts, func(a, b Contact) int {
		if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
			return c
		}
		return cmp.Compare(a.Email, b.Email)
	})
}

// conversationPartner resolves the member a request names (with): the email
// of the other member, or, as ChatScape's own client sends it, the ID of one
// of the caller's contacts, which means that contact. An ID that is not one
// of the caller's contacts is ENOTFOUND, as an unknown email would be.
func (s *Service) conversationPartner(ctx context.Context, caller Caller, namespace string) (string, error) {
	const field = "with"
	trimmed := strings.TrimSpace(namespace)
	if strings.Contains(trimmed, "@") || !validToken(trimmed) {
		email, err := s.otherMember(caller, namespace)
		return email, renameField(err, field)
	}
	contact, err := s.store.ContactByID(ctx, caller.Email, trimmed)
	if err != nil {
		return "", fmt.Errorf("find contact %s: %w", trimmed, err)
	}
	return contact.Email, nil
}
