package core

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Contact is an entry in one person's contact list: the Owner's view of the
// person at Email. Blocked and Report are the Owner's decisions about them.
// A Request contact is one the Owner never added: a stranger who wrote to them.
type Contact struct {
	ID           string
	Owner        string
	Email        string
	Name         string
	Blocked      bool
	Report       string
	Request      bool
	CreatedAt    time.Time
	LastActivity time.Time
	// LastMessage is the preview of the latest message of the conversation,
	// nil until one is sent.
	LastMessage *Message
	// Unread is how many of Email's messages are newer than the Owner's read
	// watermark in their conversation.
	Unread int
	// Deleted says the person at Email deleted their account: their
	// messages are erased, and nothing more can be sent to them from here.
	Deleted bool
}

// NewContact returns a validated contact of owner for the person at email.
func NewContact(id, owner, email, name string, now time.Time) (Contact, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Contact{}, err
	}
	if email == owner {
		return Contact{}, invalidField("email", "is your own address; you cannot add yourself")
	}
	name, err = normalizeName("name", name)
	if err != nil {
		return Contact{}, err
	}
	return Contact{ID: id, Owner: owner, Email: email, Name: name, CreatedAt: now, LastActivity: now}, nil
}

// placeholderContact is the contact created when the owner has not named the
// person: a stranger's first message, or a block of someone never added.
func placeholderContact(id, owner, email string, now time.Time) Contact {
	name := email[:strings.IndexByte(email, '@')]
	return Contact{ID: id, Owner: owner, Email: email, Name: name, CreatedAt: now, LastActivity: now}
}

// Avatar is the contact's picture as a data: URI: an SVG of their initials
// on a colour derived from their email. It is drawn from what the owner
// already knows, so showing it asks no one: no third party (Gravatar and the
// like) learns from image requests who has whom as a contact, and it works
// offline. ChatScape clients that put avatar in an <img> show it unchanged.
func (c Contact) Avatar() string {
	sum := sha256.Sum256([]byte(c.Email))
	colour := avatarPalette[int(sum[0])%len(avatarPalette)]
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
		`<rect width="64" height="64" rx="32" fill="` + colour + `"/>` +
		`<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="26" fill="#fff">` +
		xmlEscaper.Replace(Initials(c.Name, c.Email)) + `</text></svg>`
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg))
}

// Initials are the one or two letters that stand for a person: the first
// letters of the first and last words of their name, or of the part of their
// email before @ when the name is empty or the email itself; "?" when none
// is a letter or digit.
func Initials(name, email string) string {
	source := strings.TrimSpace(name)
	if source == "" || source == email {
		source, _, _ = strings.Cut(email, "@")
	}
	words := strings.FieldsFunc(source, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var letters []rune
	for i, w := range words {
		if i == 0 || i == len(words)-1 {
			letters = append(letters, []rune(w)[0])
		}
	}
	if len(letters) == 0 {
		return "?"
	}
	return strings.ToUpper(string(letters))
}

// avatarPalette holds background colours that keep white initials readable
// (contrast of at least 4.5:1).
var avatarPalette = []string{
	"#b3261e", "#a3367a", "#6d3fb5", "#3b52b4", "#0b6a9e", "#00796b",
	"#2e7d32", "#5d6b10", "#8a5300", "#a0431f", "#5f6368", "#7b3f61",
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

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

// ErrNotAContactsCursor refuses a cursor of get-contacts that no page gave.
func ErrNotAContactsCursor() error {
	return invalidField("cursor", "is not a cursor of get-contacts")
}

// GetContactsPage returns a page of the caller's contacts, paged by email so
// that each page is one bounded read whatever the size of the list; within
// the page, most recent activity first.
func (s *Service) GetContactsPage(ctx context.Context, caller Caller, in GetContactsInput) (ContactsPage, error) {
	limit, err := pageLimit(in.Limit, DefaultContactPage, MaxContactPage)
	if err != nil {
		return ContactsPage{}, err
	}
	after := ""
	if in.After != "" {
		email, err := NormalizeEmail(in.After)
		if err != nil {
			return ContactsPage{}, ErrNotAContactsCursor()
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

// ContactStore keeps every person's contact list. Emails are already
// normalized by the service. Implementations are safe for concurrent use.
type ContactStore interface {
	// CreateContact stores c in c.Owner's list unless the owner already has a
	// contact with c.Email. It returns the contact now stored and whether this
	// call created it. A Request contact is turned into a regular one, keeping
	// its ID, taking c.Name, and counts as created.
	CreateContact(ctx context.Context, c Contact) (stored Contact, created bool, err error)

	// Contacts returns all of owner's contacts, in no particular order, and an
	// empty slice when there are none.
	Contacts(ctx context.Context, owner string) ([]Contact, error)

	// Contact returns owner's contact with email. ENOTFOUND when there is none.
	Contact(ctx context.Context, owner, email string) (Contact, error)

	// BlockContact marks owner's contact with c.Email as blocked, storing c
	// (blocked) first when the owner has no such contact, and returns it.
	BlockContact(ctx context.Context, c Contact) (Contact, error)

	// UnblockContact clears the block on owner's contact with email and
	// returns it. ENOTFOUND when the owner has no such contact.
	UnblockContact(ctx context.Context, owner, email string) (Contact, error)

	// ReportContact sets r.Text as the report on r.Reporter's contact with
	// r.Reported and keeps r for moderation, in one atomic write, and returns
	// the contact. A report with the same reporter, reported and text as one
	// already kept is the same report (a retry): nothing more is kept and the
	// contact is returned. r.Evidence is not stored: see Report.
	// ENOTFOUND when the reporter has no such contact.
	ReportContact(ctx context.Context, r Report) (Contact, error)
}

// AddContactInput is the request to add a contact.
type AddContactInput struct {
	Email string
	Name  string
}

// AddContact adds the person at in.Email to the caller's contacts. When they
// already are a contact it returns the existing one with created false, so
// adding twice never duplicates.
func (s *Service) AddContact(ctx context.Context, caller Caller, in AddContactInput) (Contact, bool, error) {
	id, now := s.stamp()
	contact, err := NewContact(id, caller.Email, in.Email, in.Name, now)
	if err != nil {
		return Contact{}, false, err
	}
	stored, created, err := s.store.CreateContact(ctx, contact)
	if err != nil {
		return Contact{}, false, fmt.Errorf("add contact %s: %w", contact.Email, err)
	}
	if created {
		s.push(ctx, delivery{to: caller.Email, event: ContactEvent{Contact: stored}})
	}
	return stored, created, nil
}

// GetContacts returns the caller's contacts, most recent activity first.
func (s *Service) GetContacts(ctx context.Context, caller Caller) ([]Contact, error) {
	contacts, err := s.store.Contacts(ctx, caller.Email)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	sortByRecentActivity(contacts)
	return contacts, nil
}

// BlockContact blocks the person at email for the caller: from now on no
// message between them is stored, in either direction. Blocking someone who
// is not a contact yet adds them, blocked.
func (s *Service) BlockContact(ctx context.Context, caller Caller, email string) (Contact, error) {
	email, err := s.otherMember(caller, email)
	if err != nil {
		return Contact{}, err
	}
	id, now := s.stamp()
	contact := placeholderContact(id, caller.Email, email, now)
	contact.Blocked = true
	blocked, err := s.store.BlockContact(ctx, contact)
	if err != nil {
		return Contact{}, fmt.Errorf("block contact %s: %w", email, err)
	}
	s.push(ctx, delivery{to: caller.Email, event: ContactEvent{Contact: blocked}})
	return blocked, nil
}

// UnblockContact lifts the caller's block on the person at email.
func (s *Service) UnblockContact(ctx context.Context, caller Caller, email string) (Contact, error) {
	email, err := s.otherMember(caller, email)
	if err != nil {
		return Contact{}, err
	}
	contact, err := s.store.UnblockContact(ctx, caller.Email, email)
	if err != nil {
		return Contact{}, fmt.Errorf("unblock contact %s: %w", email, err)
	}
	s.push(ctx, delivery{to: caller.Email, event: ContactEvent{Contact: contact}})
	return contact, nil
}
