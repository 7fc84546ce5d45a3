package core

import (
	"context"
	"fmt"
	"time"
)

// Defaults of the per-person send budget (PARLEY_SEND_BURST,
// PARLEY_SEND_PER_MINUTE).
const (
	DefaultSendBurst     = 30
	DefaultSendPerMinute = 60
)

// Defaults of the per-person frame budget (PARLEY_FRAME_BURST,
// PARLEY_FRAMES_PER_MINUTE): acks (POST /ack and the ack frame), pings and
// every frame that is not a typing signal (which is a send). Generous beside
// what the SPA sends (at most two acks per conversation every 250 ms while
// reading, a ping every 4 idle minutes per tab), tight beside a flood.
const (
	DefaultFrameBurst      = 60
	DefaultFramesPerMinute = 120
)

// FrameBucket names the frame budget's bucket (SendLimit.Bucket).
const FrameBucket = "frames"

// SendLimit is the budget every person sends within: a token bucket that holds
// at most Burst sends and gains one every Interval. Messages, typing signals
// and channel posts all spend from it.
type SendLimit struct {
	Burst    int
	Interval time.Duration
	// Bucket names which of a person's budgets the limit meters: "" the send
	// budget, FrameBucket the frame budget. Each is a bucket of its own.
	Bucket string
}

// BucketOf is the name of person's bucket under l, for stores that keep
// every bucket in one map: the person alone for the send budget.
func (l SendLimit) BucketOf(person string) string {
	if l.Bucket == "" {
		return person
	}
	return l.Bucket + "#" + person
}

// NewSendLimit returns the limit of burst sends at once and perMinute sends a
// minute after that. Both must be at least 1.
func NewSendLimit(burst, perMinute int) (SendLimit, error) {
	switch {
	case burst < 1:
		return SendLimit{}, fmt.Errorf("send burst must be at least 1, not %d", burst)
	case perMinute < 1:
		return SendLimit{}, fmt.Errorf("sends per minute must be at least 1, not %d", perMinute)
	}
	return SendLimit{Burst: burst, Interval: time.Minute / time.Duration(perMinute)}, nil
}

// NewFrameLimit returns the frame budget's limit of burst frames at once and
// perMinute frames a minute after that. Both must be at least 1.
func NewFrameLimit(burst, perMinute int) (SendLimit, error) {
	l, err := NewSendLimit(burst, perMinute)
	if err != nil {
		return SendLimit{}, fmt.Errorf("frame budget: %w", err)
	}
	l.Bucket = FrameBucket
	return l, nil
}

// DefaultFrameLimit is the frame budget's limit with the default burst and
// rate.
func DefaultFrameLimit() SendLimit {
	l, _ := NewFrameLimit(DefaultFrameBurst, DefaultFramesPerMinute)
	return l
}

// DefaultSendLimit is the limit with the default burst and rate.
func DefaultSendLimit() SendLimit {
	l, _ := NewSendLimit(DefaultSendBurst, DefaultSendPerMinute)
	return l
}

// Take spends one send from a bucket kept as the time it is full again,
// fullAt (a generic cell rate algorithm: any fullAt not after now is a full
// bucket, and each send moves it one Interval later). It returns the bucket's
// new fullAt, or, when the bucket holds less than one send, ok false and how
// long until it does. Every store computes the budget with it or with the
// same comparisons, so all of them agree.
func (l SendLimit) Take(fullAt, now time.Time) (next time.Time, wait time.Duration, ok bool) {
	base := fullAt
	if base.Before(now) {
		base = now
	}
	if ahead := base.Sub(now); ahead > l.Tolerance() {
		return fullAt, ahead - l.Tolerance(), false
	}
	return base.Add(l.Interval), 0, true
}

// Give returns one send to the bucket kept as fullAt: the opposite of Take,
// never fuller than full.
func (l SendLimit) Give(fullAt, now time.Time) time.Time {
	next := fullAt.Add(-l.Interval)
	if next.Before(now) {
		return now
	}
	return next
}

// Tolerance is how far ahead of now a bucket's fullAt may be for it still to
// hold one send: Burst-1 intervals.
func (l SendLimit) Tolerance() time.Duration {
	return time.Duration(l.Burst-1) * l.Interval
}

// SendBudget keeps each person's send budget, and the suspensions that stop a
// person sending at all. Implementations are safe for concurrent use.
type SendBudget interface {
	// Spend takes charge's send from charge.Sender's bucket under
	// charge.Limit at charge.Now, as SendLimit.Take computes it, in one atomic
	// step, so that any number of concurrent spends never take more than the
	// bucket holds. ErrAccountDeleted when the sender's tombstone refuses
	// charge (Charge.RefusedBy); ESUSPENDED when the sender is suspended;
	// ETHROTTLED with RetryAfter (how long until the bucket holds a send) when
	// it is empty. None takes anything.
	Spend(ctx context.Context, charge Charge) error

	// Refund gives back one send to sender's bucket, as SendLimit.Give
	// computes it: a spend that turned out to store nothing new.
	Refund(ctx context.Context, sender string, limit SendLimit, now time.Time) error

	// Suspension returns the suspension of email. ENOTFOUND when email is not
	// suspended.
	Suspension(ctx context.Context, email string) (Suspension, error)
}

// WithSendBudget makes the service meter every send (messages, typing, channel
// posts) against limit in budget, and refuse the sends and connections of
// suspended people. Without it nothing is metered.
func WithSendBudget(budget SendBudget, limit SendLimit) Option {
	return func(s *Service) { s.budget, s.sendLimit = budget, limit }
}

// WithFrameLimit meters acks, pings and the other frames that are not sends
// against limit (a FrameBucket limit, NewFrameLimit) instead of
// DefaultFrameLimit, in the budget WithSendBudget named.
func WithFrameLimit(limit SendLimit) Option {
	return func(s *Service) { s.frameLimit = limit }
}

// SpendFrame spends one frame of the caller's frame budget: what every
// client frame that is not a send costs (an ack, a ping, a frame that could
// not be read). ETHROTTLED with RetryAfter over budget, ESUSPENDED for a
// suspended caller, ErrAccountDeleted for a token issued before the
// caller's account was deleted: the spend's write checks it, so a route
// that spends a frame need not ask Authorize. Nothing is metered without a
// budget.
func (s *Service) SpendFrame(ctx context.Context, caller Caller) error {
	return s.spendFrom(ctx, caller, s.frameLimit, "frame budget")
}

// spendFrom spends one from the caller's budget under limit, checked against
// their token; budget names it in the error.
func (s *Service) spendFrom(ctx context.Context, caller Caller, limit SendLimit, budget string) error {
	if s.budget == nil {
		return nil
	}
	charge := Charge{Sender: caller.Email, Limit: limit, Now: s.now().UTC(), IssuedAt: caller.IssuedAt}
	if err := s.budget.Spend(ctx, charge); err != nil {
		return fmt.Errorf("%s of %s: %w", budget, caller.Email, err)
	}
	return nil
}

// Charge is one send to take from Sender's budget under Limit at Now in the
// same atomic write as the message it pays for (MessageStore.AddMessage), as
// SendBudget.Spend takes it, so that sending costs no request of its own: a
// write that stores nothing new (a retried clientId) or fails takes nothing,
// and one that stores takes exactly one send, however many run at once.
type Charge struct {
	Sender string
	Limit  SendLimit
	Now    time.Time
	// IssuedAt is the sender's token's (Caller.IssuedAt): the same write
	// refuses it with ErrAccountDeleted when the sender's Tombstone does.
	// Zero: only a deletion under way refuses it.
	IssuedAt time.Time
}

// RefusedBy reports whether t refuses c, as every store checks it in the
// write that takes c: a deletion under way refuses every send, a finished
// one the sends of tokens issued before it.
func (c Charge) RefusedBy(t Tombstone) bool {
	if c.IssuedAt.IsZero() {
		return !t.Started.IsZero() && t.Finished.IsZero()
	}
	return t.Refuses(c.IssuedAt)
}

// chargeOf is the charge of caller's send at now, checked against their
// token; nil when nothing is metered.
func (s *Service) chargeOf(caller Caller, now time.Time) *Charge {
	charge := s.charge(caller.Email, now)
	if charge != nil {
		charge.IssuedAt = caller.IssuedAt
	}
	return charge
}

// charge is one send of sender at now, nil when nothing is metered.
func (s *Service) charge(sender string, now time.Time) *Charge {
	if s.budget == nil {
		return nil
	}
	return &Charge{Sender: sender, Limit: s.sendLimit, Now: now}
}

// chargeRefused spends the send that a write carrying charge was refused (no
// contact, a block): the write took nothing, but a refused send costs one
// as an accepted one does, so that sending into a block is throttled too. A
// store that failed, or refused the charge itself, costs nothing.
func (s *Service) chargeRefused(ctx context.Context, charge *Charge, err error) {
	if charge == nil || storeFault(err) || ErrorCode(err) == ESUSPENDED {
		return
	}
	// Over budget by now, the refusal is still the answer.
	_ = s.budget.Spend(ctx, *charge)
}

// spendSend spends one send of sender's budget and then calls send, which
// reports whether it stored something new. The send is given back when it
// did not: a retry of a stored clientId costs nothing, nor does a send the
// store failed to take (unavailable, throttled, lost to a conflict), which the
// client is told to retry. Channel posts call it just as messages do.
func (s *Service) spendSend(ctx context.Context, sender string, send func() (created bool, err error)) error {
	if s.budget == nil {
		_, err := send()
		return err
	}
	now := s.now().UTC()
	if err := s.budget.Spend(ctx, Charge{Sender: sender, Limit: s.sendLimit, Now: now}); err != nil {
		return fmt.Errorf("send budget of %s: %w", sender, err)
	}
	created, err := send()
	if !created && (err == nil || storeFault(err)) {
		// The stored send is the answer: a refund that failed costs the
		// sender one send, not the answer.
		_ = s.budget.Refund(ctx, sender, s.sendLimit, now)
	}
	return err
}

// spendOne spends one send of the caller's budget for a write that is not a
// message or a post but must not be free either (creating a channel, naming
// a publisher): ETHROTTLED over budget, ESUSPENDED for a suspended caller.
// Whatever the write then does, the send stays spent: a refused write
// (a taken name, someone else's channel) costs as much as one that is not.
func (s *Service) spendOne(ctx context.Context, caller Caller) error {
	return s.spendFrom(ctx, caller, s.sendLimit, "send budget")
}

// ThrottledError is the error that refuses a send over budget, waiting wait.
func ThrottledError(wait time.Duration) error {
	seconds := int((wait + time.Second - 1) / time.Second)
	return &Error{Code: ETHROTTLED, RetryAfter: wait,
		Message: fmt.Sprintf("You are sending too fast. Try again in %d s.", max(seconds, 1))}
}

// storeFault reports whether err is a failure of the store that asks the
// caller to try again, rather than a refusal.
func storeFault(err error) bool {
	switch ErrorCode(err) {
	case EUNAVAILABLE, ETHROTTLED, ECONFLICT:
		return true
	default:
		return false
	}
}
