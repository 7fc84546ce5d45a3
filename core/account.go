package core

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"
)

// ReportRetention is how long the reports about a deleted account, and those
// it filed, stay for moderators (with their evidence) before the store lets
// them expire.
const ReportRetention = 90 * 24 * time.Hour

// TombstoneLifetime is how long a finished deletion's tombstone is kept: the
// longest an ID token issued before the deletion may still be presented
// (Cognito's ID tokens live at most one day). Past it no such token is valid.
const TombstoneLifetime = 25 * time.Hour

// Tombstone is what a deletion of an account leaves under its email: when it
// started and, once every item is erased, when it finished. Stores keep it on
// the account's own item (the one a send spends from), so that a send checks
// it in the write it already makes.
type Tombstone struct {
	Started  time.Time
	Finished time.Time
}

// Refuses reports whether t refuses a token issued at issuedAt (a zero time
// when the token named none): every token while the deletion is under way,
// and every token issued until it finished, after it. A token issued later
// belongs to whoever signed up with the address since. (Cognito's iat is in
// whole seconds: a token of the second the deletion finished counts as
// before it.)
func (t Tombstone) Refuses(issuedAt time.Time) bool {
	switch {
	case t.Started.IsZero():
		return false
	case t.Finished.IsZero():
		return true
	default:
		return !issuedAt.After(t.Finished)
	}
}

// ErrAccountDeleted refuses a token issued for an account that was deleted
// since, or is being deleted: as if it never signed in.
func ErrAccountDeleted() error {
	return Errorf(EUNAUTHORIZED, "This account was deleted. Sign in again.")
}

// ErrRecipientDeleted refuses a message to an account that is being deleted,
// or to a contact whose account was deleted.
func ErrRecipientDeleted(email string) error {
	return Errorf(ENOTFOUND, "%s deleted their account.", email)
}

// AccountErasure is the erasing of every item of Email's account, as
// AccountStore.EraseAccount does it.
type AccountErasure struct {
	Email string
	// At is when the deletion started.
	At time.Time
	// ReportsExpire is when the reports about the account, and those it
	// filed, expire (At + ReportRetention).
	ReportsExpire time.Time
}

// ErasureReport counts what an erasure erased.
type ErasureReport struct {
	Conversations int
	Messages      int
	Contacts      int
	Reports       int
	// Channels and Posts count the channels the account owned and their
	// posts.
	Channels int
	Posts    int
}

// AccountStore keeps the accounts' tombstones and erases accounts.
// Implementations are safe for concurrent use.
type AccountStore interface {
	// Tombstone returns the tombstone of email's account: the zero
	// Tombstone when it was never deleted or its tombstone expired.
	Tombstone(ctx context.Context, email string) (Tombstone, error)

	// BeginDeletion writes the tombstone of email's account, started at
	// at, and returns the tombstone now stored: one under way already is
	// kept (the deletion resumes). From then on the account's sends,
	// posts and spends are refused with ErrAccountDeleted, and messages to
	// it with ErrRecipientDeleted.
	BeginDeletion(ctx context.Context, email string, at time.Time) (Tombstone, error)

	// EraseAccount erases every item of e.Email's account but its
	// tombstone: its contacts and requests, its send budget and
	// suspension, and every conversation it is a member of (messages,
	// idempotency markers, receipts), marking the other member's contact
	// for it Deleted with no LastMessage and no Unread, first, so that no
	// send can slip in behind. Before a conversation goes, every report of
	// it keeps its evidence (MessageEraser.DeleteMessage); the reports
	// about e.Email and those it filed expire at e.ReportsExpire. Erasing
	// what is erased already does nothing, so a failed erasure is finished
	// by calling it again.
	EraseAccount(ctx context.Context, e AccountErasure) (ErasureReport, error)

	// FinishDeletion marks the tombstone of email finished at at; it then
	// expires at expires.
	FinishDeletion(ctx context.Context, email string, at, expires time.Time) error

	AccountStates
}

// IdentityDirectory is where people sign in: Cognito in AWS. Locally there
// is none (the development sign-in keeps no users).
type IdentityDirectory interface {
	// DeleteUser deletes the user whose email is email, so that nobody signs
	// in as them again until someone signs up with that address. A user that
	// does not exist is not an error.
	DeleteUser(ctx context.Context, email string) error
}

// WithIdentityDirectory makes DeleteAccount delete the person's user from
// directory too.
func WithIdentityDirectory(directory IdentityDirectory) Option {
	return func(s *Service) { s.identities = directory }
}

// Authorize refuses the caller with ErrAccountDeleted when their token was
// issued for an account that was deleted since, or is being deleted: one
// read of the account's item. The routes whose write spends a send check the
// same in that write instead (Charge), and need not call it.
func (s *Service) Authorize(ctx context.Context, caller Caller) error {
	tombstone, err := s.store.Tombstone(ctx, caller.Email)
	if err != nil {
		return fmt.Errorf("tombstone of %s: %w", caller.Email, err)
	}
	if tombstone.Refuses(caller.IssuedAt) {
		return ErrAccountDeleted()
	}
	return nil
}

// DeleteAccount deletes the caller's account for good, once confirm is the
// caller's own email: a tombstone first, which makes the account unusable at
// once, then its connections closed, every item erased, its user deleted
// from the identity directory, and the tombstone marked finished. Each step
// can be done again, so calling it again after a failure (with the same
// token, which the tombstone lets through for this alone, or by an operator)
// finishes the deletion. Afterwards every token issued before is refused,
// and whoever signs up with the address starts with nothing.
func (s *Service) DeleteAccount(ctx context.Context, caller Caller, confirm string) (ErasureReport, error) {
	confirmed, err := NormalizeEmail(confirm)
	if err != nil || confirmed != caller.Email {
		return ErasureReport{}, invalidField("confirm", "must be your own email address, %s", caller.Email)
	}
	tombstone, err := s.store.Tombstone(ctx, caller.Email)
	if err != nil {
		return ErasureReport{}, fmt.Errorf("tombstone of %s: %w", caller.Email, err)
	}
	if !tombstone.Finished.IsZero() && tombstone.Refuses(caller.IssuedAt) {
		return ErasureReport{}, ErrAccountDeleted()
	}
	return s.EraseAccount(ctx, caller.Email)
}

// EraseAccount deletes the account at email as DeleteAccount does, without a
// caller: the operators' tool answering a request by email.
func (s *Service) EraseAccount(ctx context.Context, email string) (ErasureReport, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return ErasureReport{}, err
	}
	tombstone, err := s.store.BeginDeletion(ctx, email, s.now().UTC())
	if err != nil {
		return ErasureReport{}, fmt.Errorf("begin deleting %s: %w", email, err)
	}
	if err := s.closeConnections(ctx, email); err != nil {
		return ErasureReport{}, err
	}
	if err := s.forgetDevices(ctx, email); err != nil {
		return ErasureReport{}, err
	}
	channels, posts, err := s.eraseChannels(ctx, email)
	if err != nil {
		return ErasureReport{}, err
	}
	report, err := s.store.EraseAccount(ctx, AccountErasure{Email: email, At: tombstone.Started, ReportsExpire: tombstone.Started.Add(ReportRetention)})
	if err != nil {
		return ErasureReport{}, fmt.Errorf("erase %s: %w", email, err)
	}
	report.Channels, report.Posts = channels, posts
	if s.identities != nil {
		if err := s.identities.DeleteUser(ctx, email); err != nil {
			return ErasureReport{}, fmt.Errorf("delete the user %s: %w", email, err)
		}
	}
	finished := s.now().UTC()
	if err := s.store.FinishDeletion(ctx, email, finished, finished.Add(TombstoneLifetime)); err != nil {
		return ErasureReport{}, fmt.Errorf("finish deleting %s: %w", email, err)
	}
	return report, nil
}

// eraseChannels erases every channel email owns (ChannelStore.EraseChannel)
// and publishes each one's last snapshot, which says it is deleted (in AWS
// the feed Lambda does, from the stream of its erased posts). It returns how
// many channels and posts it erased.
func (s *Service) eraseChannels(ctx context.Context, email string) (channels, posts int, err error) {
	owned, err := s.store.OwnedChannels(ctx, email)
	if err != nil {
		return 0, 0, fmt.Errorf("channels of %s: %w", email, err)
	}
	for _, id := range owned {
		erased, err := s.store.EraseChannel(ctx, id, email)
		if err != nil {
			return channels, posts, fmt.Errorf("erase channel %s: %w", id, err)
		}
		s.refreshFeed(ctx, id)
		channels++
		posts += erased
	}
	return channels, posts, nil
}

// forgetDevices forgets every notification device (Web Push subscription)
// of email.
func (s *Service) forgetDevices(ctx context.Context, email string) error {
	subscriptions, err := s.store.PushSubscriptions(ctx, email, s.now())
	if err != nil {
		return fmt.Errorf("devices of %s: %w", email, err)
	}
	for _, sub := range subscriptions {
		if err := s.store.RemovePushSubscription(ctx, email, sub.Endpoint); err != nil {
			return fmt.Errorf("forget a device of %s: %w", email, err)
		}
	}
	return nil
}

// Devices implements DeviceDirectory with the person's Web Push
// subscriptions, as the store keeps them.
func (s *Service) Devices(ctx context.Context, email string) ([]Device, error) {
	subscriptions, err := s.store.PushSubscriptions(ctx, email, s.now())
	if err != nil {
		return nil, err
	}
	devices := make([]Device, 0, len(subscriptions))
	for _, sub := range subscriptions {
		devices = append(devices, Device{Endpoint: sub.Endpoint, Created: sub.UpdatedAt})
	}
	return devices, nil
}

// closeConnections closes and forgets every realtime connection of email.
func (s *Service) closeConnections(ctx context.Context, email string) error {
	connections, err := s.store.Connections(ctx, email, s.now())
	if err != nil {
		return fmt.Errorf("connections of %s: %w", email, err)
	}
	for _, c := range connections {
		if s.pusher != nil {
			if err := s.pusher.Disconnect(ctx, c.ID); err != nil {
				return fmt.Errorf("close connection %s: %w", c.ID, err)
			}
		}
		if err := s.forgetConnection(ctx, c); err != nil {
			return fmt.Errorf("forget connection %s: %w", c.ID, err)
		}
	}
	return nil
}

// AccountState is what Parley keeps of an account beside its lists: its send
// budget (the time its bucket is full again; zero: full) and its suspension.
type AccountState struct {
	Email            string
	SendBucketFullAt time.Time
	Suspension       *Suspension
}

// AccountStates reads account states. Implementations are safe for
// concurrent use.
type AccountStates interface {
	// AccountState returns email's account state, zero but for Email when
	// nothing is kept.
	AccountState(ctx context.Context, email string) (AccountState, error)
}

// Device is one notification device of a person (a Web Push subscription).
type Device struct {
	Endpoint string
	Created  time.Time
}

// DeviceDirectory lists a person's notification devices, for their export.
type DeviceDirectory interface {
	// Devices returns email's devices, an empty slice when there are none.
	Devices(ctx context.Context, email string) ([]Device, error)
}

// ExportWriter receives an export document part by part, in this order: the
// account, the contacts, each conversation (Conversation, then its messages),
// the reports, each channel the person owns (Channel, then its posts), the
// devices; Close ends it. An adapter renders it (JSON).
type ExportWriter interface {
	Account(AccountState) error
	Contact(Contact) error
	Conversation(with string) error
	Message(Message) error
	Report(Report) error
	Channel(Channel) error
	Post(Post) error
	Device(Device) error
	Close() error
}

// ExportArchive keeps export documents for a short while and hands out links
// to them.
type ExportArchive interface {
	// Create returns where to write the document named name; Close keeps it.
	Create(ctx context.Context, name string) (io.WriteCloser, error)
	// Link returns a URL that downloads the document named name, with no
	// token, until expires.
	Link(ctx context.Context, name string, expires time.Time) (string, error)
}

// ExportLifetime is how long an export's link works.
const ExportLifetime = 15 * time.Minute

// exportPage is how many messages one read of an export takes.
const exportPage = 1000

// Exports is where Export writes: the archive, the renderer of the document
// into it, and the devices to list (nil: the store's Web Push subscriptions).
type Exports struct {
	Archive ExportArchive
	Render  func(io.Writer) ExportWriter
	Devices DeviceDirectory
}

// WithExports makes Export write documents to exports.
func WithExports(exports Exports) Option {
	return func(s *Service) { s.exports = &exports }
}

// ExportLink is where an export can be downloaded, until Expires.
type ExportLink struct {
	URL     string
	Expires time.Time
}

// Export writes everything Parley holds about the caller as one document (the
// account, contacts and requests, every conversation with both members'
// messages and the caller's messages' status, the reports they filed, the
// channels they own with their posts, their notification devices) into the archive, reading a conversation a thousand
// messages at a time so that no size of account holds it all in memory, and
// returns a link to it that works for ExportLifetime.
func (s *Service) Export(ctx context.Context, caller Caller) (ExportLink, error) {
	if s.exports == nil {
		return ExportLink{}, fmt.Errorf("export: no archive is configured")
	}
	now := s.now().UTC()
	name := s.newID(now) + "-" + rand.Text()
	file, err := s.exports.Archive.Create(ctx, name)
	if err != nil {
		return ExportLink{}, fmt.Errorf("export: create: %w", err)
	}
	w := s.exports.Render(file)
	if err := s.writeExport(ctx, caller.Email, w); err != nil {
		_ = file.Close()
		return ExportLink{}, fmt.Errorf("export %s: %w", caller.Email, err)
	}
	if err := errors.Join(w.Close(), file.Close()); err != nil {
		return ExportLink{}, fmt.Errorf("export: keep: %w", err)
	}
	expires := now.Add(ExportLifetime)
	url, err := s.exports.Archive.Link(ctx, name, expires)
	if err != nil {
		return ExportLink{}, fmt.Errorf("export: link: %w", err)
	}
	return ExportLink{URL: url, Expires: expires}, nil
}

// writeExport writes email's document to w, in ExportWriter's order.
func (s *Service) writeExport(ctx context.Context, email string, w ExportWriter) error {
	state, err := s.store.AccountState(ctx, email)
	if err != nil {
		return err
	}
	if err := w.Account(state); err != nil {
		return err
	}
	contacts, err := s.store.Contacts(ctx, email)
	if err != nil {
		return err
	}
	sortByRecentActivity(contacts)
	for _, c := range contacts {
		if err := w.Contact(c); err != nil {
			return err
		}
	}
	for _, c := range contacts {
		if err := s.exportConversation(ctx, email, c.Email, w); err != nil {
			return err
		}
	}
	for _, c := range contacts {
		if c.Report == "" {
			continue
		}
		reports, err := s.store.Reports(ctx, c.Email)
		if err != nil {
			return err
		}
		for _, r := range reports {
			if r.Reporter == email {
				r.Evidence = nil
				if err := w.Report(r); err != nil {
					return err
				}
			}
		}
	}
	owned, err := s.store.OwnedChannels(ctx, email)
	if err != nil {
		return err
	}
	for _, id := range owned {
		if err := s.exportChannel(ctx, id, w); err != nil {
			return err
		}
	}
	directory := s.exports.Devices
	if directory == nil {
		directory = s
	}
	devices, err := directory.Devices(ctx, email)
	if err != nil {
		return err
	}
	for _, d := range devices {
		if err := w.Device(d); err != nil {
			return err
		}
	}
	return nil
}

// exportChannel writes the channel id and its posts, newest first, a page at
// a time.
func (s *Service) exportChannel(ctx context.Context, id string, w ExportWriter) error {
	channel, err := s.store.Channel(ctx, id)
	if err != nil {
		return err
	}
	if err := w.Channel(channel); err != nil {
		return err
	}
	before := ""
	for {
		page, err := s.store.Posts(ctx, PostQuery{Channel: id, Before: before, Limit: exportPage})
		if err != nil {
			return err
		}
		for _, p := range page {
			if err := w.Post(p); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return nil
		}
		before = page[len(page)-1].ID
	}
}

// exportConversation writes the conversation of email and with, oldest first,
// a page at a time.
func (s *Service) exportConversation(ctx context.Context, email, with string, w ExportWriter) error {
	if err := w.Conversation(with); err != nil {
		return err
	}
	// "0" sorts before every ID: the first page is the oldest messages.
	after := "0"
	for {
		page, err := s.store.Messages(ctx, MessageQuery{Reader: email, With: with, After: after, Limit: exportPage})
		if err != nil {
			return err
		}
		for _, m := range page.Messages {
			if m.Sender == email {
				m.Status = page.WithWatermarks.StatusOf(m.ID)
			}
			if err := w.Message(m); err != nil {
				return err
			}
		}
		if len(page.Messages) < exportPage {
			return nil
		}
		after = page.Messages[len(page.Messages)-1].ID
	}
}
