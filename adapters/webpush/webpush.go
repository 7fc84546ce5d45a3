// Package webpush sends Parley's notifications with Web Push: the payload
// encrypted to the browser's keys (RFC 8291, aes128gcm), the request signed
// with the deployment's VAPID key (RFC 8292), through
// github.com/SherClockHolmes/webpush-go, to whatever push service the
// subscription names (RFC 8030). A 404 or 410 means the subscription is gone;
// a 429 or 5xx is tried again with backoff.
package webpush

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	webpushgo "github.com/SherClockHolmes/webpush-go"

	"github.com/parley-chat/parley/core"
)

var _ core.WebPusher = (*Sender)(nil)

// Keys is a VAPID key pair, each base64url: the uncompressed P-256 public
// key the SPA subscribes with, and the private scalar that signs.
type Keys struct {
	Public  string
	Private string
}

// GenerateKeys returns a new VAPID key pair.
func GenerateKeys() (Keys, error) {
	private, public, err := webpushgo.GenerateVAPIDKeys()
	if err != nil {
		return Keys{}, fmt.Errorf("generate VAPID keys: %w", err)
	}
	return Keys{Public: public, Private: private}, nil
}

// TTL is how long a push service keeps a notification for a device that is
// offline: a message a day old is still news, an older one the app shows.
const TTL = 24 * time.Hour

// Urgency is the Urgency header of every notification: a person wrote.
const Urgency = webpushgo.UrgencyHigh

// ReadTTL and ReadUrgency are a read notification's (core.NotifyRead): it
// only clears one already shown, so it may wait for a phone's next wake-up
// and is dropped when an hour late. It has the Topic of the conversation's
// notifications, so a push service still holding one replaces it with this.
const (
	ReadTTL     = time.Hour
	ReadUrgency = webpushgo.UrgencyLow
)

// maxAttempts bounds the requests of one notification, the first included.
const maxAttempts = 3

// firstBackoff is the wait before the second attempt; it doubles after.
const firstBackoff = 200 * time.Millisecond

// maxRetryAfter caps how long a Retry-After is honoured.
const maxRetryAfter = 5 * time.Second

// Sender is a core.WebPusher. It is safe for concurrent use.
type Sender struct {
	http    *http.Client
	keys    Keys
	subject string
}

// New returns a sender that signs with keys as subject (an https URL or an
// email address, which the push service may contact) over httpClient.
func New(httpClient *http.Client, keys Keys, subject string) *Sender {
	return &Sender{http: httpClient, keys: keys, subject: strings.TrimPrefix(subject, "mailto:")}
}

// payload is the JSON a device's service worker receives (the contract's
// "Notifications (Web Push)").
type payload struct {
	Type   string `json:"type"`
	With   string `json:"with"`
	Name   string `json:"name"`
	Text   string `json:"text,omitempty"`
	Unread int    `json:"unread"`
	Tag    string `json:"tag"`
}

// readPayload is a read notification's JSON: which notification to close.
type readPayload struct {
	Type string `json:"type"`
	With string `json:"with"`
	Tag  string `json:"tag"`
}

// Encode returns the JSON payload of n.
func Encode(n core.Notification) ([]byte, error) {
	if n.Type == core.NotifyRead {
		return json.Marshal(readPayload{Type: string(n.Type), With: n.With, Tag: n.Tag})
	}
	return json.Marshal(payload{Type: string(n.Type), With: n.With, Name: n.Name, Text: n.Text, Unread: n.Unread, Tag: n.Tag})
}

// topic is the Topic header of a notification with tag: a push service keeps
// only the newest undelivered one of a topic (RFC 8030 5.4). A topic is at
// most 32 characters of base64url.
func topic(tag string) string {
	sum := sha256.Sum256([]byte(tag))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// SendNotification implements core.WebPusher.
func (s *Sender) SendNotification(ctx context.Context, sub core.PushSubscription, n core.Notification) error {
	message, err := Encode(n)
	if err != nil {
		return fmt.Errorf("encode notification: %w", err)
	}
	subscription := &webpushgo.Subscription{Endpoint: sub.Endpoint, Keys: webpushgo.Keys{
		P256dh: base64.RawURLEncoding.EncodeToString(sub.P256dh), Auth: base64.RawURLEncoding.EncodeToString(sub.Auth),
	}}
	options := &webpushgo.Options{
		HTTPClient: s.http, Subscriber: s.subject, VAPIDPublicKey: s.keys.Public, VAPIDPrivateKey: s.keys.Private,
		TTL: int(TTL.Seconds()), Urgency: Urgency, Topic: topic(n.Tag),
	}
	if n.Type == core.NotifyRead {
		options.TTL, options.Urgency = int(ReadTTL.Seconds()), ReadUrgency
	}
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		wait, err := s.sendOnce(ctx, message, subscription, options)
		if wait == 0 || attempt == maxAttempts {
			return err
		}
		if wait < 0 {
			wait = backoff
		}
		backoff *= 2
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (%w)", err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// sendOnce makes one request. retry is 0 when the outcome is final, the
// Retry-After the push service asked for, or -1 for the sender's backoff.
func (s *Sender) sendOnce(ctx context.Context, message []byte, sub *webpushgo.Subscription, options *webpushgo.Options) (retry time.Duration, err error) {
	response, err := webpushgo.SendNotificationWithContext(ctx, message, sub, options)
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("push service: %w", err)
		}
		return -1, fmt.Errorf("push service: %w", err)
	}
	defer response.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, 4096))
	status := response.StatusCode
	switch {
	case status >= 200 && status < 300:
		return 0, nil
	case status == http.StatusNotFound || status == http.StatusGone:
		return 0, fmt.Errorf("push service answered %d: %w", status, core.ErrSubscriptionGone)
	case status == http.StatusTooManyRequests || status >= 500:
		return retryAfter(response.Header.Get("Retry-After")), fmt.Errorf("push service answered %d", status)
	default:
		return 0, fmt.Errorf("push service refused the notification: %d", status)
	}
}

// retryAfter reads a Retry-After in seconds, capped; -1 when there is none.
func retryAfter(header string) time.Duration {
	seconds, err := strconv.Atoi(strings.TrimSpace(header))
	if err != nil || seconds <= 0 {
		return -1
	}
	return min(time.Duration(seconds)*time.Second, maxRetryAfter)
}
