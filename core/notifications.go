package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// SubscriptionLifetime is how long a push subscription is kept after it was
// last stored: the SPA stores its subscription again each time it starts
// with notifications on, so only a device nobody opened for this long (a
// lost phone, a browser profile thrown away) expires.
const SubscriptionLifetime = 60 * 24 * time.Hour

// MaxPushSubscriptions bounds how many devices of one user are notified:
// what a Query of a user's subscriptions reads and each message fans out to.
const MaxPushSubscriptions = 20

// MaxEndpointLength bounds a push endpoint, as browsers' push services make
// them (a few hundred bytes).
const MaxEndpointLength = 1024

// NotifyDeadline bounds the notifications of one message: every push
// service asked, retries included.
const NotifyDeadline = 10 * time.Second

// Web Push key sizes (RFC 8291): the browser's uncompressed P-256 public key
// and its authentication secret.
const (
	p256dhLength = 65
	authLength   = 16
)

// PushSubscription is one device's Web Push subscription: where its push
// service takes notifications for it, and the keys they are encrypted to.
type PushSubscription struct {
	User     string
	Endpoint string
	// P256dh is the browser's public key, Auth its authentication secret.
	P256dh []byte
	Auth   []byte
	// Previews says whether notifications show the start of the text.
	Previews  bool
	UpdatedAt time.Time
	// ExpiresAt is when the store forgets the subscription unless it is
	// stored again before.
	ExpiresAt time.Time
}

// NotificationType says what a notification announces.
type NotificationType string

// The types of notification.
const (
	NotifyMessage NotificationType = "message"
	NotifyRequest NotificationType = "request"
	// NotifyRead tells a device to close the notification of a conversation
	// its owner has read elsewhere; it shows nothing.
	NotifyRead NotificationType = "read"
	// NotifyUnsent tells a device to replace, quietly, the notification of a
	// conversation in which a message its owner had not read was unsent: it
	// carries the unread count and the text of the newest message left, never
	// the unsent one's.
	NotifyUnsent NotificationType = "unsent"
)

// Notification is what a device is told of a message it has not shown.
type Notification struct {
	Type NotificationType
	// With is the sender's email, Name what the recipient calls them.
	With string
	Name string
	// Text is the start of the message, empty when previews are off.
	Text string
	// Unread is how many of With's messages the recipient has not read.
	Unread int
	// Tag names the conversation, so that a device shows one notification
	// per conversation, the latest replacing the one before.
	Tag string
}

// NotificationTag is the tag of the notifications of the conversation with
// sender.
func NotificationTag(sender string) string { return "conv:" + sender }

// NotificationStore keeps push subscriptions and what each realtime
// connection says of its tab's visibility. Implementations are safe for
// concurrent use.
type NotificationStore interface {
	// AddPushSubscription stores sub under (sub.User, sub.Endpoint), replacing
	// what was stored under them; created is false when it replaced one.
	AddPushSubscription(ctx context.Context, sub PushSubscription) (created bool, err error)

	// RemovePushSubscription forgets user's subscription at endpoint;
	// forgetting one that is not stored is not an error.
	RemovePushSubscription(ctx context.Context, user, endpoint string) error

	// PushSubscriptions returns at most MaxPushSubscriptions of user's
	// subscriptions that have not expired at now, in no particular order, and
	// an empty slice when there are none.
	PushSubscriptions(ctx context.Context, user string, now time.Time) ([]PushSubscription, error)

	// SetConnectionVisible records whether c's tab is visible and focused.
	// A connection that is no longer registered is not an error, and is not
	// registered again.
	SetConnectionVisible(ctx context.Context, c Connection, visible bool) error
}

// ErrSubscriptionGone is what a WebPusher returns, wrapped, when the push
// service says the subscription no longer exists (404, 410): it is removed.
var ErrSubscriptionGone = errors.New("push subscription gone")

// WebPusher sends notifications through the push service a subscription
// names (Web Push: RFC 8030, 8291, 8292).
type WebPusher interface {
	// SendNotification delivers n to sub's device. It returns an error
	// wrapping ErrSubscriptionGone when the subscription no longer exists,
	// and any other error when the delivery failed or ctx ended first.
	SendNotification(ctx context.Context, sub PushSubscription, n Notification) error
}

// WithPushKey makes the service answer GET /push-key with publicKey, the
// deployment's VAPID public key (base64url, uncompressed P-256).
func WithPushKey(publicKey string) Option {
	return func(s *Service) { s.pushKey = publicKey }
}

// WithLoopbackPushEndpoints makes the service accept http:// push endpoints
// on 127.0.0.1 and localhost besides https ones: the local server's, so that
// tests can run a push service of their own.
func WithLoopbackPushEndpoints() Option {
	return func(s *Service) { s.loopbackPushEndpoints = true }
}

// WithSentMessages hands sent every message the service stores, after the
// write and its pushes, for notifying where no stream does it (the local
// server). sent must not block.
func WithSentMessages(sent func(Message)) Option {
	return func(s *Service) { s.sentMessages = sent }
}

// ConversationRead is a member having read their conversation with With:
// the notification of it, on any device of Member's, is no news any more.
type ConversationRead struct {
	Member string
	With   string
}

// WithReadConversations hands read every conversation an ack leaves read
// (ClearsNotification), for clearing its notification where no stream does
// it (the local server). read must not block.
func WithReadConversations(read func(ConversationRead)) Option {
	return func(s *Service) { s.readConversations = read }
}

// WithUnsentMessages hands unsent every message the service erased
// (DeleteMessage), for correcting the notification that may still show it
// where no stream does it (the local server). unsent must not block.
func WithUnsentMessages(unsent func(Message)) Option {
	return func(s *Service) { s.unsentMessages = unsent }
}

// ClearsNotification reports whether the ack whose result is r, by the
// member of its Contact, may have left a notification of the conversation
// with with to clear on their devices: it moved the read watermark (a
// Contact is returned only then), nothing of with's is left unread, and the
// newest message is with's, so the read watermark has just passed it, and
// it was unread. An ack over the member's own messages only, with nothing
// unread, clears nothing.
func (r AckResult) ClearsNotification(with string) bool {
	c := r.Contact
	return r.Moved && c != nil && c.Unread == 0 && c.LastMessage != nil && c.LastMessage.Sender == with
}

// PushKey returns the deployment's VAPID public key. EUNAVAILABLE when the
// service was given none.
func (s *Service) PushKey() (string, error) {
	if s.pushKey == "" {
		return "", Errorf(EUNAVAILABLE, "Notifications are not set up on this server.")
	}
	return s.pushKey, nil
}

// AddPushSubscriptionInput is a device's subscription as its browser gives
// it: P256dh and Auth base64url-encoded.
type AddPushSubscriptionInput struct {
	Endpoint string
	P256dh   string
	Auth     string
	// Previews is nil for the default: previews on.
	Previews *bool
}

// AddPushSubscription stores the caller's subscription of one device, or
// refreshes it when that endpoint is already the caller's (created false).
func (s *Service) AddPushSubscription(ctx context.Context, caller Caller, in AddPushSubscriptionInput) (bool, error) {
	endpoint, err := s.validEndpoint(in.Endpoint)
	if err != nil {
		return false, err
	}
	p256dh, err := decodeKey("keys.p256dh", in.P256dh, p256dhLength)
	if err != nil {
		return false, err
	}
	if p256dh[0] != 0x04 {
		return false, invalidField("keys.p256dh", "is not an uncompressed P-256 public key")
	}
	auth, err := decodeKey("keys.auth", in.Auth, authLength)
	if err != nil {
		return false, err
	}
	now := s.now().UTC()
	sub := PushSubscription{
		User: caller.Email, Endpoint: endpoint, P256dh: p256dh, Auth: auth,
		Previews: in.Previews == nil || *in.Previews, UpdatedAt: now, ExpiresAt: now.Add(SubscriptionLifetime),
	}
	created, err := s.store.AddPushSubscription(ctx, sub)
	if err != nil {
		return false, fmt.Errorf("add push subscription: %w", err)
	}
	return created, nil
}

// RemovePushSubscription forgets the caller's subscription at endpoint, if
// there is one.
func (s *Service) RemovePushSubscription(ctx context.Context, caller Caller, endpoint string) error {
	if endpoint == "" || len(endpoint) > MaxEndpointLength {
		return invalidField("endpoint", "must be a push endpoint of at most %d bytes", MaxEndpointLength)
	}
	if err := s.store.RemovePushSubscription(ctx, caller.Email, endpoint); err != nil {
		return fmt.Errorf("remove push subscription: %w", err)
	}
	return nil
}

// SetVisibility records whether the tab of connection c is visible and
// focused: a message to its user notifies their devices only while none of
// their tabs is. Like every frame it spends one frame of its user's frame
// budget first; over it, nothing is written (ETHROTTLED).
func (s *Service) SetVisibility(ctx context.Context, c Connection, visible bool) error {
	if err := s.SpendFrame(ctx, Caller{Email: c.User}); err != nil {
		return err
	}
	if err := s.store.SetConnectionVisible(ctx, c, visible); err != nil {
		return fmt.Errorf("set visibility of connection %s: %w", c.ID, err)
	}
	return nil
}

// validEndpoint checks a push endpoint: an https URL with a host, or, where
// the service allows it, an http one on the loopback interface.
func (s *Service) validEndpoint(endpoint string) (string, error) {
	if endpoint == "" || len(endpoint) > MaxEndpointLength {
		return "", invalidField("endpoint", "must be a push endpoint of at most %d bytes", MaxEndpointLength)
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "", invalidField("endpoint", "is not an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.loopbackPushEndpoints && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost"):
	default:
		return "", invalidField("endpoint", "must be an https URL")
	}
	return endpoint, nil
}

// decodeKey decodes a base64url key (padded or not) of exactly length bytes.
func decodeKey(field, encoded string, length int) ([]byte, error) {
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(encoded, "="))
	if err != nil {
		return nil, invalidField(field, "is not base64url")
	}
	if len(key) != length {
		return nil, invalidField(field, "must be %d bytes, not %d", length, len(key))
	}
	return key, nil
}

// NotifyReport counts what became of the notifications of one message.
type NotifyReport struct {
	// Skipped is true when the rules sent nothing: no subscription, a
	// visible tab, a block.
	Skipped   bool
	Delivered int
	Gone      int
	Failed    int
}

// Notifier notifies the devices of a message's recipient: the function on
// the table's stream in AWS, the local server's worker after each send.
type Notifier struct {
	store   Store
	pusher  WebPusher
	now     func() time.Time
	observe func(NotifyReport)
}

// NewNotifier returns a notifier that reads store and sends through pusher;
// observe, when not nil, hears what became of each message's notifications.
func NewNotifier(store Store, pusher WebPusher, now func() time.Time, observe func(NotifyReport)) *Notifier {
	return &Notifier{store: store, pusher: pusher, now: now, observe: observe}
}

// Notify tells each subscribed device of m's recipient of m, unless a tab of
// theirs is visible and focused, or either member blocked the other. A
// stranger's message, which the recipient has as a request, is announced as
// one. A subscription the push service says is gone is removed; any other
// failure is counted, and returned only when nothing could be read.
func (n *Notifier) Notify(ctx context.Context, m Message) (NotifyReport, error) {
	return n.observed(ctx, func(ctx context.Context) (NotifyReport, error) { return n.notify(ctx, m) })
}

// observed runs notify within NotifyDeadline, and tells the observer what
// became of it.
func (n *Notifier) observed(ctx context.Context, notify func(context.Context) (NotifyReport, error)) (NotifyReport, error) {
	ctx, cancel := context.WithTimeout(ctx, NotifyDeadline)
	defer cancel()
	report, err := notify(ctx)
	if n.observe != nil {
		n.observe(report)
	}
	return report, err
}

func (n *Notifier) notify(ctx context.Context, m Message) (NotifyReport, error) {
	now := n.now()
	subscriptions, err := n.store.PushSubscriptions(ctx, m.Recipient, now)
	if err != nil || len(subscriptions) == 0 {
		return NotifyReport{Skipped: err == nil}, err
	}
	var connections []Connection
	var connectionsErr error
	var wg sync.WaitGroup
	wg.Go(func() { connections, connectionsErr = n.store.Connections(ctx, m.Recipient, now) })
	members, err := n.membersOf(ctx, m)
	wg.Wait()
	if err == nil && connectionsErr != nil && ErrorCode(connectionsErr) != ENOTFOUND {
		err = fmt.Errorf("notify %s of %s: %w", m.Recipient, m.ID, connectionsErr)
	}
	if err != nil {
		return NotifyReport{}, err
	}
	if members.blockedOrGone() || anyVisible(connections) {
		return NotifyReport{Skipped: true}, nil
	}
	base := members.notification(NotifyMessage)
	if members.recipient.Request {
		base.Type = NotifyRequest
	}
	return n.send(ctx, subscriptions, base, m.Preview().Text), nil
}

// NotifyUnsent corrects the notification of m's conversation on each
// subscribed device of m's recipient now that m, which may be the one it
// shows, is unsent: while something of the sender's is left unread, one of
// type NotifyUnsent, with the unread count and the newest message's text
// when that is the sender's and not erased; when nothing is, or either
// member blocked the other, one of type NotifyRead, which closes it. A tab
// in view changes nothing: a phone may still show the text. A subscription
// the push service says is gone is removed.
func (n *Notifier) NotifyUnsent(ctx context.Context, m Message) (NotifyReport, error) {
	return n.observed(ctx, func(ctx context.Context) (NotifyReport, error) { return n.notifyUnsent(ctx, m) })
}

func (n *Notifier) notifyUnsent(ctx context.Context, m Message) (NotifyReport, error) {
	subscriptions, err := n.store.PushSubscriptions(ctx, m.Recipient, n.now())
	if err != nil || len(subscriptions) == 0 {
		return NotifyReport{Skipped: err == nil}, err
	}
	members, err := n.membersOf(ctx, m)
	if err != nil {
		return NotifyReport{}, err
	}
	if members.blockedOrGone() || members.recipient.Unread == 0 {
		return n.send(ctx, subscriptions, readNotification(m.Sender), ""), nil
	}
	text := ""
	if newest := members.recipient.LastMessage; newest != nil && newest.Sender == m.Sender && !newest.Deleted {
		text = newest.Text
	}
	return n.send(ctx, subscriptions, members.notification(NotifyUnsent), text), nil
}

// conversationMembers are the two contacts of a message's conversation,
// as its notifications read them.
type conversationMembers struct {
	sender string
	// recipient is the recipient's contact for the sender; recipientGone
	// says it does not exist.
	recipient     Contact
	recipientGone bool
	// senderBlocked says the sender blocked the recipient.
	senderBlocked bool
}

// membersOf reads the contacts of m's members for each other, both at once.
func (n *Notifier) membersOf(ctx context.Context, m Message) (conversationMembers, error) {
	var theirs, mine lookedUpContact
	var wg sync.WaitGroup
	wg.Go(func() { theirs.contact, theirs.err = n.store.Contact(ctx, m.Recipient, m.Sender) })
	wg.Go(func() { mine.contact, mine.err = n.store.Contact(ctx, m.Sender, m.Recipient) })
	wg.Wait()
	for _, err := range []error{theirs.err, mine.err} {
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return conversationMembers{}, fmt.Errorf("notify %s of %s: %w", m.Recipient, m.ID, err)
		}
	}
	return conversationMembers{
		sender: m.Sender, recipient: theirs.contact, recipientGone: theirs.err != nil,
		senderBlocked: mine.err == nil && mine.contact.Blocked,
	}, nil
}

// blockedOrGone reports whether the recipient has no contact for the
// sender, or either blocked the other: nothing of theirs is notified.
func (c conversationMembers) blockedOrGone() bool {
	return c.recipientGone || c.recipient.Blocked || c.senderBlocked
}

// notification is a notification of type t of the conversation, as the
// recipient sees it: the name they gave the sender, their unread count.
func (c conversationMembers) notification(t NotificationType) Notification {
	name := c.recipient.Name
	if name == "" {
		name = c.sender
	}
	return Notification{Type: t, With: c.sender, Name: name, Unread: c.recipient.Unread, Tag: NotificationTag(c.sender)}
}

// NotifyRead tells each subscribed device of r.Member to close the
// notification of the conversation with r.With, which they read on some
// device: a notification of type NotifyRead, which shows nothing. A
// subscription the push service says is gone is removed.
func (n *Notifier) NotifyRead(ctx context.Context, r ConversationRead) (NotifyReport, error) {
	return n.observed(ctx, func(ctx context.Context) (NotifyReport, error) {
		subscriptions, err := n.store.PushSubscriptions(ctx, r.Member, n.now())
		switch {
		case err != nil:
			return NotifyReport{}, fmt.Errorf("clear notifications of %s for %s: %w", r.With, r.Member, err)
		case len(subscriptions) == 0:
			return NotifyReport{Skipped: true}, nil
		}
		return n.send(ctx, subscriptions, readNotification(r.With), ""), nil
	})
}

// readNotification is the notification that closes the one of the
// conversation with with (NotifyRead).
func readNotification(with string) Notification {
	return Notification{Type: NotifyRead, With: with, Tag: NotificationTag(with)}
}

// send sends base to every subscription in parallel, with the text where
// the subscription shows previews.
func (n *Notifier) send(ctx context.Context, subscriptions []PushSubscription, base Notification, text string) NotifyReport {
	var mu sync.Mutex
	var report NotifyReport
	var wg sync.WaitGroup
	for _, sub := range subscriptions {
		wg.Go(func() {
			notification := base
			if sub.Previews {
				notification.Text = text
			}
			err := n.pusher.SendNotification(ctx, sub, notification)
			if errors.Is(err, ErrSubscriptionGone) {
				// Removing it may fail too; it then expires on its own.
				_ = n.store.RemovePushSubscription(context.WithoutCancel(ctx), sub.User, sub.Endpoint)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				report.Delivered++
			case errors.Is(err, ErrSubscriptionGone):
				report.Gone++
			default:
				report.Failed++
			}
		})
	}
	wg.Wait()
	return report
}

// anyVisible reports whether one of connections said its tab is visible.
func anyVisible(connections []Connection) bool {
	for _, c := range connections {
		if c.Visible {
			return true
		}
	}
	return false
}
