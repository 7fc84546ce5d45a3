package core

import (
	"errors"
	"time"
)

// Service is Parley's application: every use case of the API, enforcing the
// rules of the product on top of a Store. It is safe for concurrent use.
type Service struct {
	store        Store
	now          func() time.Time
	newID        func(at time.Time) string
	pusher       Pusher
	pushDeadline time.Duration
	observePush  func(PushReport)
	// snapshots, when set, publishes channel snapshots after each change (feed.go).
	snapshots       SnapshotWriter
	onSnapshotError func(channel string, err error)
	budget          SendBudget
	sendLimit       SendLimit
	frameLimit      SendLimit
	// maxConnections is how many open connections one person may hold.
	maxConnections int
	// recountLimit bounds the messages an ack reads to recount Unread.
	recountLimit int
	// pushKey, loopbackPushEndpoints, sentMessages, readConversations and
	// unsentMessages are notifications' (notifications.go).
	pushKey               string
	loopbackPushEndpoints bool
	sentMessages          func(Message)
	readConversations     func(ConversationRead)
	unsentMessages        func(Message)
	// knownConnections, when set, remembers connections ConnectionCaller
	// read (realtime.go).
	knownConnections *knownConnections
	// identities, when set, is where DeleteAccount deletes the user (account.go).
	identities IdentityDirectory
	// exports, when set, is where Export writes (account.go).
	exports *Exports
}

// Option configures a Service.
type Option func(*Service)

// WithPusher makes the service tell people's realtime connections what its
// writes change, through pusher. Without it nothing is pushed.
func WithPusher(pusher Pusher) Option {
	return func(s *Service) { s.pusher = pusher }
}

// WithPushDeadline bounds the pushes of one write by d instead of
// PushDeadline.
func WithPushDeadline(d time.Duration) Option {
	return func(s *Service) { s.pushDeadline = d }
}

// WithPushObserver hands observe the count of every write's pushes, for logs
// and metrics.
func WithPushObserver(observe func(PushReport)) Option {
	return func(s *Service) { s.observePush = observe }
}

// WithUnreadRecountLimit makes an ack read at most n messages each way to
// recount Unread instead of UnreadRecountLimit, for tests of the limit
// without thousands of messages.
func WithUnreadRecountLimit(n int) Option {
	return func(s *Service) { s.recountLimit = max(n, 1) }
}

// WithMaxConnections lets each person hold at most n open realtime
// connections instead of DefaultMaxConnections; past it the oldest is closed.
func WithMaxConnections(n int) Option {
	return func(s *Service) { s.maxConnections = max(n, 1) }
}

// NewService returns a service over store. now is the clock and newID returns
// a fresh ID stamped with at: it sorts after every ID stamped with an earlier
// millisecond, and after every ID it returned before for the same one.
func NewService(store Store, now func() time.Time, newID func(at time.Time) string, opts ...Option) *Service {
	s := &Service{store: store, now: now, newID: newID, pushDeadline: PushDeadline, recountLimit: UnreadRecountLimit, maxConnections: DefaultMaxConnections, frameLimit: DefaultFrameLimit()}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// stamp reads the clock once and returns the reading, to the millisecond,
// and an ID stamped with it: what a message or a post is dated and named by,
// so that date order is ID order (an ID keeps milliseconds, no finer).
func (s *Service) stamp() (id string, at time.Time) {
	at = s.now().UTC().Truncate(time.Millisecond)
	return s.newID(at), at
}

// otherMember normalizes the email of the other member of a conversation and
// refuses the caller's own.
func (s *Service) otherMember(caller Caller, email string) (string, error) {
	other, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	if other == caller.Email {
		return "", invalidField("email", "is your own address")
	}
	return other, nil
}

// renameField re-labels an invalid-field error of a general rule (an email)
// with the role the field plays in a use case (the recipient).
func renameField(err error, field string) error {
	var e *Error
	if !errors.As(err, &e) || e.Field == "" {
		return err
	}
	return &Error{Code: e.Code, Field: field, Reason: e.Reason, Message: field + ": " + e.Reason}
}

// Store is everything the service needs kept.
type Store interface {
	ContactStore
	ContactDirectory
	MessageStore
	ModerationStore
	ReceiptStore
	ConnectionStore
	ChannelStore
	NotificationStore
	AccountStore
}
