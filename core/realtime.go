package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ConnectionLifetime is how long a realtime connection is kept registered: a
// little over API Gateway's two-hour cap on a WebSocket connection, so a
// connection whose $disconnect never arrived expires on its own.
const ConnectionLifetime = 2*time.Hour + 10*time.Minute

// ConnectGrace is how long after $connect registered a connection a push
// that finds it gone does not forget it: the handshake may still be under way
// (API Gateway answers 410 until $connect has returned and the socket opened).
const ConnectGrace = 30 * time.Second

// PushDeadline bounds the delivery of one write's events to every connection
// they go to. A push that misses it is counted as failed; the write stands.
const PushDeadline = 2 * time.Second

// Connection is one realtime connection of a user: a browser tab, a device.
type Connection struct {
	ID          string
	User        string
	ConnectedAt time.Time
	// ExpiresAt is when the registry forgets the connection even if it never
	// heard of its end.
	ExpiresAt time.Time
	// Visible is what the connection last said of its tab: visible and
	// focused (notifications.go). A connection that said nothing is not.
	Visible bool
}

// Event is something a person's connections are told as it happens. It is one
// of MessageEvent, ReceiptEvent, ContactEvent, TypingEvent, PongEvent and
// RefusalEvent.
type Event interface{ isEvent() }

// MessageEvent tells both members of a conversation of a stored message.
type MessageEvent struct{ Message Message }

// ReceiptEvent tells a member that the other member of their conversation,
// With, moved their watermarks.
type ReceiptEvent struct {
	With       string
	Watermarks Watermarks
}

// ContactEvent tells the owner of a contact that it changed: a stranger's
// first message made it a request, or the owner changed it on another device.
type ContactEvent struct{ Contact Contact }

// TypingEvent tells a member that From is typing to them.
type TypingEvent struct{ From string }

// PongEvent answers a connection's ping.
type PongEvent struct{}

func (MessageEvent) isEvent() {}
func (ReceiptEvent) isEvent() {}
func (ContactEvent) isEvent() {}
func (TypingEvent) isEvent()  {}
func (PongEvent) isEvent()    {}

// ErrConnectionGone is what a Pusher returns, wrapped, when the connection it
// was asked to reach no longer exists; the service then forgets it.
var ErrConnectionGone = errors.New("connection gone")

// Pusher delivers events to realtime connections: API Gateway's @connections
// in AWS, the local server's WebSockets under make run.
type Pusher interface {
	// Push delivers e to c, rendered for c.User. It returns an error wrapping
	// ErrConnectionGone when c no longer exists, and any other error when the
	// delivery failed or ctx ended first.
	Push(ctx context.Context, c Connection, e Event) error
}

// ConnectionStore is the registry of realtime connections, many per user.
// Implementations are safe for concurrent use.
type ConnectionStore interface {
	// AddConnection registers c for c.User until c.ExpiresAt.
	AddConnection(ctx context.Context, c Connection) error

	// Connection returns the connection with id. ENOTFOUND when there is none
	// or it expired before now.
	Connection(ctx context.Context, id string, now time.Time) (Connection, error)

	// Connections returns user's connections that have not expired at now, in
	// no particular order, and an empty slice when there are none.
	Connections(ctx context.Context, user string, now time.Time) ([]Connection, error)

	// RemoveConnection forgets c. Forgetting a connection that is already
	// gone is not an error.
	RemoveConnection(ctx context.Context, c Connection) error
}

// PushReport counts what became of the pushes of one write.
type PushReport struct {
	Delivered int
	Gone      int
	Failed    int
}

func (r *PushReport) add(o PushReport) {
	r.Delivered += o.Delivered
	r.Gone += o.Gone
	r.Failed += o.Failed
}

// delivery is one event for every connection of one user.
type delivery struct {
	to    string
	event Event
	// except is a connection that must not receive it: the one it came from.
	except string
}

// push delivers every delivery to all connections of its user, in parallel,
// under PushDeadline: one registry lookup per user, and a connection's events
// in the order given. A connection that is gone is forgotten; any other
// failure is counted and never fails the write that caused it. Without a
// pusher nothing is delivered.
func (s *Service) push(ctx context.Context, deliveries ...delivery) PushReport {
	return s.pushLookedUp(ctx, nil, deliveries...)
}

// connectionLookup is the connections of some users, looked up while the
// write whose events go to them is under way, so that the lookups add no
// round trip after it. A nil lookup has looked up nobody.
type connectionLookup struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
	found  map[string]*lookedUp
}

type lookedUp struct {
	connections []Connection
	err         error
}

// lookUpConnections starts looking up the connections of users, in parallel;
// nil without a pusher. Call stop when it is no longer needed.
func (s *Service) lookUpConnections(ctx context.Context, users ...string) *connectionLookup {
	if s.pusher == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushDeadline)
	lookup := &connectionLookup{cancel: cancel, found: make(map[string]*lookedUp, len(users))}
	now := s.now()
	for _, user := range users {
		if lookup.found[user] != nil {
			continue
		}
		result := &lookedUp{}
		lookup.found[user] = result
		lookup.done.Go(func() { result.connections, result.err = s.store.Connections(ctx, user, now) })
	}
	return lookup
}

// of returns what the lookup of user found once every lookup has ended; nil
// when user was not looked up.
func (l *connectionLookup) of(user string) *lookedUp {
	if l == nil || l.found[user] == nil {
		return nil
	}
	l.done.Wait()
	return l.found[user]
}

// stop waits for the lookups, which ran beside the write and are done by
// the time it is, so that none outlives the call that started it.
func (l *connectionLookup) stop() {
	if l != nil {
		l.done.Wait()
		l.cancel()
	}
}

// pushLookedUp is push with the connections of lookup's users already looked
// up (or under way): it looks up only the others.
func (s *Service) pushLookedUp(ctx context.Context, lookup *connectionLookup, deliveries ...delivery) PushReport {
	if s.pusher == nil || len(deliveries) == 0 {
		return PushReport{}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushDeadline)
	defer cancel()
	now := s.now()

	var mu sync.Mutex
	var report PushReport
	count := func(r PushReport) {
		mu.Lock()
		report.add(r)
		mu.Unlock()
	}
	var users []string
	byUser := map[string][]delivery{}
	for _, d := range deliveries {
		if byUser[d.to] == nil {
			users = append(users, d.to)
		}
		byUser[d.to] = append(byUser[d.to], d)
	}
	var wg sync.WaitGroup
	for _, user := range users {
		wg.Go(func() {
			found := lookup.of(user)
			if found == nil {
				found = &lookedUp{}
				found.connections, found.err = s.store.Connections(ctx, user, now)
			}
			connections, err := found.connections, found.err
			if err != nil {
				count(PushReport{Failed: len(byUser[user])})
				return
			}
			for _, c := range connections {
				wg.Go(func() {
					for _, d := range byUser[user] {
						if c.ID == d.except {
							continue
						}
						r := s.pushOne(ctx, c, d.event)
						count(r)
						if r.Gone > 0 {
							return
						}
					}
				})
			}
		})
	}
	wg.Wait()
	if s.observePush != nil {
		s.observePush(report)
	}
	return report
}

func (s *Service) pushOne(ctx context.Context, c Connection, e Event) PushReport {
	err := s.pusher.Push(ctx, c, e)
	switch {
	case err == nil:
		return PushReport{Delivered: 1}
	case errors.Is(err, ErrConnectionGone) && s.now().Sub(c.ConnectedAt) < ConnectGrace:
		// Registered by $connect, but API Gateway has not finished opening
		// it: it is not gone, and the client catches up once it is open.
		return PushReport{Failed: 1}
	case errors.Is(err, ErrConnectionGone):
		// Forgetting it may fail too; it then expires on its own.
		_ = s.store.RemoveConnection(ctx, c)
		return PushReport{Gone: 1}
	default:
		return PushReport{Failed: 1}
	}
}

// Connect registers a realtime connection of the caller.
func (s *Service) Connect(ctx context.Context, caller Caller, connectionID string) (Connection, error) {
	if !validConnectionID(connectionID) {
		return Connection{}, invalidField("connectionId", "is not a connection ID")
	}
	if err := s.checkNotSuspended(ctx, caller); err != nil {
		return Connection{}, err
	}
	now := s.now().UTC()
	c := Connection{ID: connectionID, User: caller.Email, ConnectedAt: now, ExpiresAt: now.Add(ConnectionLifetime)}
	if err := s.store.AddConnection(ctx, c); err != nil {
		return Connection{}, err
	}
	return c, nil
}

// Disconnect forgets the connection with connectionID, whoever held it.
func (s *Service) Disconnect(ctx context.Context, connectionID string) error {
	c, err := s.store.Connection(ctx, connectionID, s.now())
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil
	case err != nil:
		return err
	}
	return s.store.RemoveConnection(ctx, c)
}

// ConnectionCaller returns the caller who holds the connection with
// connectionID. ENOTFOUND (as EUNAUTHORIZED) when it is unknown or expired.
func (s *Service) ConnectionCaller(ctx context.Context, connectionID string) (Caller, Connection, error) {
	c, err := s.store.Connection(ctx, connectionID, s.now())
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return Caller{}, Connection{}, Errorf(EUNAUTHORIZED, "This connection is not signed in; connect again.")
	case err != nil:
		return Caller{}, Connection{}, err
	}
	return Caller{Email: c.User}, c, nil
}

// Ping answers the connection's ping with a pong, on that connection only.
func (s *Service) Ping(ctx context.Context, c Connection) PushReport {
	return s.reply(ctx, c, PongEvent{})
}

// reply pushes e to connection c only.
func (s *Service) reply(ctx context.Context, c Connection, e Event) PushReport {
	if s.pusher == nil {
		return PushReport{}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushDeadline)
	defer cancel()
	return s.pushOne(ctx, c, e)
}

// Typing tells the person at to that the caller is typing to them, when to
// has the caller as a contact and neither blocked the other. Otherwise
// nothing is delivered and nothing is said: a typing signal never reveals
// whether someone blocked you or added you. Every signal spends one send of
// the caller's budget, and nothing it read is used unless that spend
// succeeded. The spend, both contacts and the connections of to are read at
// once: one round trip before the push.
func (s *Service) Typing(ctx context.Context, caller Caller, from Connection, to string) (PushReport, error) {
	other, err := s.otherMember(caller, to)
	if err != nil {
		return PushReport{}, renameField(err, "to")
	}
	lookup := s.lookUpConnections(ctx, other)
	defer lookup.stop()
	var spent error
	var theirs, mine lookedUpContact
	var wg sync.WaitGroup
	if s.budget != nil {
		wg.Go(func() { spent = s.budget.Spend(ctx, caller.Email, s.sendLimit, s.now().UTC()) })
	}
	wg.Go(func() { theirs.contact, theirs.err = s.store.Contact(ctx, other, caller.Email) })
	wg.Go(func() { mine.contact, mine.err = s.store.Contact(ctx, caller.Email, other) })
	wg.Wait()
	if spent != nil {
		return PushReport{}, fmt.Errorf("send budget of %s: %w", caller.Email, spent)
	}
	if deliver, err := mayType(other, theirs, mine); !deliver || err != nil {
		return PushReport{}, err
	}
	return s.pushLookedUp(ctx, lookup, delivery{to: other, event: TypingEvent{From: caller.Email}}), nil
}

type lookedUpContact struct {
	contact Contact
	err     error
}

// mayType reports whether a typing signal goes to other, who holds theirs,
// from the caller, who holds mine.
func mayType(other string, theirs, mine lookedUpContact) (bool, error) {
	switch err := theirs.err; {
	case ErrorCode(err) == ENOTFOUND:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("typing to %s: %w", other, err)
	case theirs.contact.Blocked || theirs.contact.Request:
		return false, nil
	}
	switch err := mine.err; {
	case ErrorCode(err) == ENOTFOUND:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("typing to %s: %w", other, err)
	}
	return !mine.contact.Blocked, nil
}

// validConnectionID reports whether id has the shape of an API Gateway
// connection ID (base64 with '=', '+', '/') or a local one (hex).
func validConnectionID(id string) bool {
	if id == "" || len(id) > maxTokenLength {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '=', r == '+', r == '/':
		default:
			return false
		}
	}
	return true
}

// RefusalEvent tells a connection that a frame it sent was refused, and why.
type RefusalEvent struct{ Err error }

func (RefusalEvent) isEvent() {}

// Refuse tells connection c that what it sent was refused with err.
func (s *Service) Refuse(ctx context.Context, c Connection, err error) PushReport {
	return s.reply(ctx, c, RefusalEvent{Err: err})
}
