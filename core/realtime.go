package core

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// ConnectionLifetime is the longest a realtime connection lives: API
// Gateway's two-hour cap on a WebSocket connection. A connection expires
// sooner when the token that opened it does, and once expired it is pushed
// nothing, its frames are refused, and it is closed at its next frame.
const ConnectionLifetime = 2 * time.Hour

// ConnectGrace is how long after $connect registered a connection a push
// that finds it gone does not forget it: the handshake may still be under way
// (API Gateway answers 410 until $connect has returned and the socket opened).
const ConnectGrace = 30 * time.Second

// DefaultMaxConnections is how many open realtime connections one person may
// hold (PARLEY_MAX_CONNECTIONS): past it, the oldest is closed.
const DefaultMaxConnections = 10

// MaxPushesInFlight bounds how many pushes one write makes at once, however
// many connections its events go to.
const MaxPushesInFlight = 16

// Close codes a connection the server closes is told, with its reason, in a
// ClosingEvent just before it is closed (API Gateway's @connections cannot
// choose the close code of a connection it deletes, so the frame says it).
const (
	// CloseTooManyConnections: its user opened more than their maximum, and
	// it was the oldest. A client must not reconnect on its own.
	CloseTooManyConnections = 4008
	// CloseSuspended: an operator suspended its user.
	CloseSuspended = 4003
)

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

// ClosingEvent tells a connection that the server is closing it, with the
// close code and reason it closes it with.
type ClosingEvent struct {
	Code   int
	Reason string
}

func (MessageEvent) isEvent() {}
func (ClosingEvent) isEvent() {}
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

	// Disconnect closes the connection with connectionID. Closing one that
	// is already gone is not an error.
	Disconnect(ctx context.Context, connectionID string) error
}

// ConnectionStore is the registry of realtime connections, many per user.
// Implementations are safe for concurrent use.
type ConnectionStore interface {
	// AddConnection registers c for c.User until c.ExpiresAt and, when
	// c.User then holds more than max connections that have not expired at
	// c.ConnectedAt, forgets the oldest of them (by ConnectedAt, then ID)
	// until max remain, in one atomic step: any number of concurrent adds
	// never leave more than max. It returns the connections it forgot.
	AddConnection(ctx context.Context, c Connection, max int) (evicted []Connection, err error)

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
	inFlight := make(chan struct{}, MaxPushesInFlight)
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
			for _, c := range s.newestConnections(connections) {
				wg.Go(func() {
					inFlight <- struct{}{}
					defer func() { <-inFlight }()
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

// newestConnections are the newest s.maxConnections of one user's
// connections: more are never pushed to, even if a store briefly held more.
func (s *Service) newestConnections(connections []Connection) []Connection {
	if len(connections) <= s.maxConnections {
		return connections
	}
	connections = slices.Clone(connections)
	slices.SortFunc(connections, OldestFirst)
	return connections[len(connections)-s.maxConnections:]
}

// OldestFirst orders connections by when they connected, then by ID: the
// order in which the oldest is closed first past the maximum.
func OldestFirst(a, b Connection) int {
	if c := a.ConnectedAt.Compare(b.ConnectedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Evict returns which of held (one user's unexpired connections, the one
// being added not among them) to forget so that, with the one being added,
// at most max remain: the oldest. Every store decides with it.
func Evict(held []Connection, max int) []Connection {
	if len(held) < max {
		return nil
	}
	held = slices.Clone(held)
	slices.SortFunc(held, OldestFirst)
	return held[:len(held)-max+1]
}

// closeConnections tells each of connections why it is being closed and
// closes it through pusher, in parallel under deadline. A connection already
// gone is closed enough; nothing here fails the caller.
func closeConnections(ctx context.Context, pusher Pusher, deadline time.Duration, connections []Connection, code int, reason string) {
	if pusher == nil || len(connections) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deadline)
	defer cancel()
	var wg sync.WaitGroup
	inFlight := make(chan struct{}, MaxPushesInFlight)
	for _, c := range connections {
		wg.Go(func() {
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			// Told first, so that a client that cannot read the close code
			// (API Gateway's) knows not to reconnect.
			_ = pusher.Push(ctx, c, ClosingEvent{Code: code, Reason: reason})
			_ = pusher.Disconnect(ctx, c.ID)
		})
	}
	wg.Wait()
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
		_ = s.forgetConnection(ctx, c)
		return PushReport{Gone: 1}
	default:
		return PushReport{Failed: 1}
	}
}

// Connect registers a realtime connection of the caller for
// ConnectionLifetime.
func (s *Service) Connect(ctx context.Context, caller Caller, connectionID string) (Connection, error) {
	return s.ConnectUntil(ctx, caller, connectionID, time.Time{})
}

// ConnectUntil registers a realtime connection of the caller that expires
// when the token that opened it does, tokenExpires, and at the latest
// ConnectionLifetime from now (a zero tokenExpires: that cap alone). A token
// already expired is refused (EUNAUTHORIZED). Past the caller's maximum
// number of connections, the oldest is closed (CloseTooManyConnections).
func (s *Service) ConnectUntil(ctx context.Context, caller Caller, connectionID string, tokenExpires time.Time) (Connection, error) {
	if !validConnectionID(connectionID) {
		return Connection{}, invalidField("connectionId", "is not a connection ID")
	}
	if err := s.Authorize(ctx, caller); err != nil {
		return Connection{}, err
	}
	if err := s.checkNotSuspended(ctx, caller); err != nil {
		return Connection{}, err
	}
	now := s.now().UTC()
	c := Connection{ID: connectionID, User: caller.Email, ConnectedAt: now, ExpiresAt: now.Add(ConnectionLifetime)}
	if !tokenExpires.IsZero() && tokenExpires.Before(c.ExpiresAt) {
		c.ExpiresAt = tokenExpires.UTC()
	}
	if !c.ExpiresAt.After(now) {
		return Connection{}, Errorf(EUNAUTHORIZED, "The token has expired; sign in again.")
	}
	evicted, err := s.store.AddConnection(ctx, c, s.maxConnections)
	if err != nil {
		return Connection{}, err
	}
	for _, gone := range evicted {
		s.knownConnections.forget(gone.ID)
	}
	closeConnections(ctx, s.pusher, s.pushDeadline, evicted, CloseTooManyConnections, "too many connections")
	return c, nil
}

// Disconnect forgets the connection with connectionID, whoever held it.
func (s *Service) Disconnect(ctx context.Context, connectionID string) error {
	s.knownConnections.forget(connectionID)
	c, err := s.store.Connection(ctx, connectionID, s.now())
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil
	case err != nil:
		return err
	}
	return s.store.RemoveConnection(ctx, c)
}

// CloseExpired is the close code of a connection whose token expired (or
// that is unknown): the client reconnects with a fresh token.
const CloseExpired = 4001

// CloseUnknownConnection tells the connection with connectionID, which the
// registry does not know (expired, or forgotten), that it is closed and
// closes it: what a frame from such a connection gets.
func (s *Service) CloseUnknownConnection(ctx context.Context, connectionID string) {
	closeConnections(ctx, s.pusher, s.pushDeadline, []Connection{{ID: connectionID}}, CloseExpired, "connection expired")
}

// ConnectionCaller returns the caller who holds the connection with
// connectionID. ENOTFOUND (as EUNAUTHORIZED) when it is unknown or expired.
func (s *Service) ConnectionCaller(ctx context.Context, connectionID string) (Caller, Connection, error) {
	now := s.now()
	if c, ok := s.knownConnections.get(connectionID, now); ok {
		return Caller{Email: c.User}, c, nil
	}
	c, err := s.store.Connection(ctx, connectionID, now)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		s.knownConnections.forget(connectionID)
		return Caller{}, Connection{}, Errorf(EUNAUTHORIZED, "This connection is not signed in; connect again.")
	case err != nil:
		return Caller{}, Connection{}, err
	}
	s.knownConnections.remember(c)
	return Caller{Email: c.User}, c, nil
}

// forgetConnection forgets c in the store, and in what this process
// remembers.
func (s *Service) forgetConnection(ctx context.Context, c Connection) error {
	s.knownConnections.forget(c.ID)
	return s.store.RemoveConnection(ctx, c)
}

// Ping answers the connection's ping with a pong, on that connection only.
// It spends one frame of the caller's frame budget, which a ping every few
// minutes from each tab is far from exhausting; over it the ping is refused
// (ETHROTTLED) and the connection stays open.
func (s *Service) Ping(ctx context.Context, caller Caller, c Connection) (PushReport, error) {
	if err := s.SpendFrame(ctx, caller); err != nil {
		return PushReport{}, err
	}
	return s.reply(ctx, c, PongEvent{}), nil
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
	wg.Go(func() { spent = s.spendFrom(ctx, caller, s.sendLimit, "send budget") })
	wg.Go(func() { theirs.contact, theirs.err = s.store.Contact(ctx, other, caller.Email) })
	wg.Go(func() { mine.contact, mine.err = s.store.Contact(ctx, caller.Email, other) })
	wg.Wait()
	if spent != nil {
		return PushReport{}, spent
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

// DefaultKnownConnections is how many connections a process that serves
// frames remembers (WithKnownConnections): a few hundred bytes each.
const DefaultKnownConnections = 4096

// WithKnownConnections makes ConnectionCaller remember up to size
// connections it has read, until they expire: whose a connection is and
// when it expires never change, so a frame from a connection this process
// has seen waits for no read of it. The connections this service forgets
// (a disconnect, a close, one gone or evicted) it forgets here too; those
// another process forgets are closed by then, and send no more frames.
func WithKnownConnections(size int) Option {
	return func(s *Service) { s.knownConnections = newKnownConnections(size) }
}

// knownConnections is a bounded set of connections by ID; when full, the
// one remembered first goes. A nil *knownConnections remembers nothing.
type knownConnections struct {
	mu   sync.Mutex
	byID map[string]*list.Element // of Connection, in the order remembered
	fifo *list.List
	size int
}

func newKnownConnections(size int) *knownConnections {
	return &knownConnections{byID: make(map[string]*list.Element, size), fifo: list.New(), size: size}
}

// get returns the connection with id if it is remembered and has not
// expired at now.
func (k *knownConnections) get(id string, now time.Time) (Connection, bool) {
	if k == nil {
		return Connection{}, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.byID[id]
	if !ok {
		return Connection{}, false
	}
	c := e.Value.(Connection)
	return c, c.ExpiresAt.After(now)
}

// remember keeps c, forgetting the connection remembered first when full.
func (k *knownConnections) remember(c Connection) {
	if k == nil || k.size <= 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if e, ok := k.byID[c.ID]; ok {
		e.Value = c
		return
	}
	if k.fifo.Len() >= k.size {
		first := k.fifo.Front()
		delete(k.byID, first.Value.(Connection).ID)
		k.fifo.Remove(first)
	}
	k.byID[c.ID] = k.fifo.PushBack(c)
}

// forget drops the connections with ids.
func (k *knownConnections) forget(ids ...string) {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, id := range ids {
		if e, ok := k.byID[id]; ok {
			k.fifo.Remove(e)
			delete(k.byID, id)
		}
	}
}
