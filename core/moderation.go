package core

import (
	"context"
	"fmt"
	"time"
)

// Resolution is how an operator closed a report.
type Resolution string

// Resolutions of a report.
const (
	// ResolutionDismissed: the operator found nothing to act on.
	ResolutionDismissed Resolution = "dismissed"
	// ResolutionSuspended: the operator suspended the reported account.
	ResolutionSuspended Resolution = "suspended"
)

// MaxOpenReportsPage is the most open reports one page lists.
const MaxOpenReportsPage = 100

// ReportQueue is the operators' view of the reports people filed, open ones
// first. Implementations are safe for concurrent use.
type ReportQueue interface {
	// OpenReports returns at most limit open reports, oldest first, starting
	// after the report with ID after ("" for the oldest), without evidence,
	// and an empty slice when there are none.
	OpenReports(ctx context.Context, after string, limit int) ([]Report, error)

	// Report returns the report with id, open or closed, with its Evidence
	// read. ENOTFOUND when there is none.
	Report(ctx context.Context, id string) (Report, error)

	// CloseReport closes the open report with id as resolution at date, in
	// one atomic write: it leaves the open reports and keeps its resolution.
	// ENOTFOUND when no open report has that id.
	CloseReport(ctx context.Context, id string, resolution Resolution, date time.Time) error
}

// Suspensions keeps who is suspended. Implementations are safe for concurrent use.
type Suspensions interface {
	// Suspend suspends s.Email, replacing any suspension of theirs, and
	// leaves their send budget as it is.
	Suspend(ctx context.Context, s Suspension) error

	// Reinstate lifts the suspension of email. ENOTFOUND when email is not
	// suspended.
	Reinstate(ctx context.Context, email string) error
}

// ModerationBackend is everything an operator's tool needs kept.
type ModerationBackend interface {
	ReportQueue
	Suspensions
	SendBudget
	ModerationStore
	ConnectionStore
}

// Moderator is the operators' application: it lists and closes reports and
// suspends accounts. No public route reaches it; cmd/parley-admin does, with
// the operator's own credentials.
type Moderator struct {
	store  ModerationBackend
	now    func() time.Time
	pusher Pusher
}

// ModeratorOption configures a Moderator.
type ModeratorOption func(*Moderator)

// WithModeratorPusher makes suspending an account close its open realtime
// connections through pusher (a closing frame, then the close). Without it
// they are only forgotten: they receive nothing more and every frame they
// send is refused, but the sockets stay open until they end on their own.
func WithModeratorPusher(pusher Pusher) ModeratorOption {
	return func(m *Moderator) { m.pusher = pusher }
}

// NewModerator returns the moderator over store, with now as its clock.
func NewModerator(store ModerationBackend, now func() time.Time, opts ...ModeratorOption) *Moderator {
	m := &Moderator{store: store, now: now}
	for _, opt := range opts {
		opt(m)
	}
	return m
}

// Backend is the store the moderator works on, for the operators' tools that
// answer a person's request with another use case (deleting an account).
func (m *Moderator) Backend() ModerationBackend { return m.store }

// OpenReports lists a page of open reports, oldest first, after the report
// with ID after; limit 0 means MaxOpenReportsPage.
func (m *Moderator) OpenReports(ctx context.Context, after string, limit int) ([]Report, error) {
	limit, err := pageLimit(limit, MaxOpenReportsPage, MaxOpenReportsPage)
	if err != nil {
		return nil, err
	}
	if after != "" && !validToken(after) {
		return nil, invalidField("after", "is not a report ID")
	}
	reports, err := m.store.OpenReports(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	return reports, nil
}

// Report returns the report with id and its evidence.
func (m *Moderator) Report(ctx context.Context, id string) (Report, error) {
	if !validToken(id) {
		return Report{}, invalidField("id", "is not a report ID")
	}
	return m.store.Report(ctx, id)
}

// Dismiss closes the open report with id without acting on it.
func (m *Moderator) Dismiss(ctx context.Context, id string) error {
	if !validToken(id) {
		return invalidField("id", "is not a report ID")
	}
	if err := m.store.CloseReport(ctx, id, ResolutionDismissed, m.now().UTC()); err != nil {
		return fmt.Errorf("dismiss report %s: %w", id, err)
	}
	return nil
}

// Suspend suspends the account at email for reason: from now on it cannot
// send, post, signal typing, ack, create a channel, name a publisher, delete
// a post, report or open a realtime connection, and the connections it has
// open are closed (told CloseSuspended first) and forgotten. Every open
// report about it is closed as suspended.
func (m *Moderator) Suspend(ctx context.Context, email, reason string) (Suspension, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Suspension{}, err
	}
	reason, err = normalizeText("reason", reason, MaxReportRunes, false)
	if err != nil {
		return Suspension{}, err
	}
	now := m.now().UTC()
	suspension := Suspension{Email: email, Reason: reason, Date: now}
	if err := m.store.Suspend(ctx, suspension); err != nil {
		return Suspension{}, fmt.Errorf("suspend %s: %w", email, err)
	}
	if err := m.closeConnectionsOf(ctx, email, now); err != nil {
		return Suspension{}, fmt.Errorf("suspend %s: %w", email, err)
	}
	reports, err := m.store.Reports(ctx, email)
	if err != nil {
		return Suspension{}, fmt.Errorf("suspend %s: reports: %w", email, err)
	}
	for _, r := range reports {
		if r.Resolution != "" {
			continue
		}
		err := m.store.CloseReport(ctx, r.ID, ResolutionSuspended, now)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return Suspension{}, fmt.Errorf("suspend %s: close report %s: %w", email, r.ID, err)
		}
	}
	return suspension, nil
}

// closeConnectionsOf closes and forgets the open connections of email.
func (m *Moderator) closeConnectionsOf(ctx context.Context, email string, now time.Time) error {
	connections, err := m.store.Connections(ctx, email, now)
	if err != nil {
		return fmt.Errorf("connections: %w", err)
	}
	closeConnections(ctx, m.pusher, PushDeadline, connections, CloseSuspended, "account suspended")
	for _, c := range connections {
		if err := m.store.RemoveConnection(ctx, c); err != nil {
			return fmt.Errorf("forget connection %s: %w", c.ID, err)
		}
	}
	return nil
}

// Reinstate lifts the suspension of the account at email.
func (m *Moderator) Reinstate(ctx context.Context, email string) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if err := m.store.Reinstate(ctx, email); err != nil {
		return fmt.Errorf("reinstate %s: %w", email, err)
	}
	return nil
}

// Suspension returns the suspension of the account at email; ENOTFOUND when
// it is not suspended.
func (m *Moderator) Suspension(ctx context.Context, email string) (Suspension, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Suspension{}, err
	}
	return m.store.Suspension(ctx, email)
}

// ModerationStore gives moderators the reports people filed.
type ModerationStore interface {
	// Reports returns every report filed about the person at reported, oldest
	// first, each with its Evidence read, and an empty slice when there are none.
	Reports(ctx context.Context, reported string) ([]Report, error)
}

// ReportContact records the caller's report about a contact, keeping the
// latest messages of their conversation as evidence for moderation.
func (s *Service) ReportContact(ctx context.Context, caller Caller, email, text string) (Contact, error) {
	email, err := s.otherMember(caller, email)
	if err != nil {
		return Contact{}, err
	}
	text, err = normalizeText("report", text, MaxReportRunes, true)
	if err != nil {
		return Contact{}, err
	}
	if err := s.checkNotSuspended(ctx, caller); err != nil {
		return Contact{}, err
	}
	id, now := s.stamp()
	report := Report{ID: id, Reporter: caller.Email, Reported: email, Text: text, Date: now}
	contact, err := s.store.ReportContact(ctx, report)
	if err != nil {
		return Contact{}, fmt.Errorf("report contact %s: %w", email, err)
	}
	return contact, nil
}

// Report is kept for moderation when someone reports a contact: who reported
// whom, why, when, and the latest messages of their conversation as evidence.
//
// The evidence is the ReportEvidenceLength messages of the conversation with
// an ID below the report's ID, read when the report is read, so reporting
// costs no read of the conversation: they are what the reporter saw until a
// message is erased (unsent, or its sender's account deleted). Before that,
// the store keeps the evidence as it is inside the report
// (MessageEraser.DeleteMessage), for operators only: the members see the
// message erased, and no route reads reports.
type Report struct {
	ID       string
	Reporter string
	Reported string
	Text     string
	Date     time.Time
	Evidence []Message
	// Resolution is how an operator closed the report; empty while it is open.
	Resolution Resolution
	// Closed is when it was closed; zero while it is open.
	Closed time.Time
	// Expires is when the store lets the report go: a report about a deleted
	// account, or filed by one (ReportRetention); zero: kept.
	Expires time.Time
}

// EvidenceQuery is the one read of r's evidence, as Report describes it;
// every store reads the evidence of a report with it.
func (r Report) EvidenceQuery() MessageQuery {
	return MessageQuery{Reader: r.Reporter, With: r.Reported, Before: r.ID, Limit: ReportEvidenceLength}
}

// HoldsAsEvidence reports whether message id of r's conversation may be in
// r's evidence: it was sent before r was filed.
func (r Report) HoldsAsEvidence(id string) bool {
	return id < r.ID
}

// Suspension is an operator's decision that a person may not send, post or
// connect until they are reinstated.
type Suspension struct {
	Email  string
	Reason string
	Date   time.Time
}

// checkNotSuspended refuses a suspended caller with ESUSPENDED.
func (s *Service) checkNotSuspended(ctx context.Context, caller Caller) error {
	if s.budget == nil {
		return nil
	}
	suspension, err := s.budget.Suspension(ctx, caller.Email)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil
	case err != nil:
		return fmt.Errorf("suspension of %s: %w", caller.Email, err)
	}
	return SuspendedError(suspension)
}

// SuspendedError is the error that refuses what a suspended person asked for.
func SuspendedError(Suspension) error {
	return Errorf(ESUSPENDED, "Your account is suspended. Contact the operators of this Parley.")
}
