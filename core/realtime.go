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
			connections, err := s.store.Connections(ctx, user, now)
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
// the caller's budget, before anything is read.
func (s *Service) Typing(ctx context.Context, caller Caller, from Connection, to string) (PushReport, error) {
	other, err := s.otherMember(caller, to)
	if err != nil {
		return PushReport{}, renameField(err, "to")
	}
	var report PushReport
	err = s.spendSend(ctx, caller.Email, func() (bool, error) {
		report, err = s.typing(ctx, caller, other)
		return true, err
	})
	return report, err
}

func (s *Service) typing(ctx context.Context, caller Caller, other string) (PushReport, error) {
	theirs, err := s.store.Contact(ctx, other, caller.Email)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return PushReport{}, nil
	case err != nil:
		return PushReport{}, fmt.Errorf("typing to %s: %w", other, err)
	case theirs.Blocked || theirs.Request:
		return PushReport{}, nil
	}
	mine, err := s.store.Contact(ctx, caller.Email, other)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return PushReport{}, nil
	case err != nil:
		return PushReport{}, fmt.Errorf("typing to %s: %w", other, err)
	case mine.Blocked:
		return PushReport{}, nil
	}
	return s.push(ctx, delivery{to: other, event: TypingEvent{From: caller.Email}}), nil
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
