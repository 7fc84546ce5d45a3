// Package webpushtest is a push service for tests, on 127.0.0.1, and the
// browser it pushes to: each subscription it hands out has a P-256 key pair
// and an authentication secret of its own, as a browser's does. Every
// request it receives has its VAPID signature checked (RFC 8292) and its
// payload decrypted (RFC 8291, aes128gcm) with the subscriber's keys.
package webpushtest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Push is one request the service accepted, decrypted.
type Push struct {
	// Subscription is the ID of the subscription it was for.
	Subscription string
	Payload      []byte
	// BodySize is the size of the encrypted body on the wire.
	BodySize int
	TTL      string
	Urgency  string
	Topic    string
	// Received is when the service received it.
	Received time.Time
}

// Subscription is one browser's subscription at the service.
type Subscription struct {
	ID       string
	Endpoint string
	// P256dh and Auth are what a browser hands the app, base64url.
	P256dh string
	Auth   string
	key    *ecdh.PrivateKey
	auth   []byte
}

// Service is the push service. Its zero value is not usable: call New.
type Service struct {
	server    *httptest.Server
	publicKey string

	mu            sync.Mutex
	subscriptions map[string]*Subscription
	pushes        []Push
	refused       []error
	// answers are the statuses the next requests to a subscription get,
	// before it accepts; held, when not nil, holds every request until it
	// is closed.
	answers map[string][]int
	held    chan struct{}
	// accepted is closed, and replaced, each time a push is accepted.
	accepted chan struct{}
}

// New starts a service that accepts only requests signed with the VAPID key
// publicKey (base64url, uncompressed P-256). Close it when done.
func New(publicKey string) *Service {
	s := &Service{publicKey: publicKey, subscriptions: map[string]*Subscription{}, answers: map[string][]int{}, accepted: make(chan struct{})}
	s.server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the service.
func (s *Service) Close() { s.server.Close() }

// URL is the service's base URL.
func (s *Service) URL() string { return s.server.URL }

// Subscribe returns a new browser's subscription at the service.
func (s *Service) Subscribe() (*Subscription, error) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	auth := make([]byte, 16)
	if _, err := rand.Read(auth); err != nil {
		return nil, err
	}
	id := rand.Text()
	sub := &Subscription{
		ID: id, Endpoint: s.server.URL + "/push/" + id, key: key, auth: auth,
		P256dh: base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()), Auth: base64.RawURLEncoding.EncodeToString(auth),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subscriptions[id] = sub
	return sub, nil
}

// Answer makes the next requests to sub get statuses, one each, before it
// accepts again (201).
func (s *Service) Answer(sub *Subscription, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[sub.ID] = append(s.answers[sub.ID], statuses...)
}

// Hold makes the service hold every request, answering none, until release
// is called: a push service that does not answer.
func (s *Service) Hold() (release func()) {
	held := make(chan struct{})
	s.mu.Lock()
	s.held = held
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.held = nil
			s.mu.Unlock()
			close(held)
		})
	}
}

// Pushes returns what the service accepted for sub, in order.
func (s *Service) Pushes(sub *Subscription) []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Push
	for _, p := range s.pushes {
		if p.Subscription == sub.ID {
			out = append(out, p)
		}
	}
	return out
}

// Refused returns why the service refused the requests it did not accept
// for a bad signature or payload.
func (s *Service) Refused() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.refused...)
}

// WaitForPushes waits until the service has accepted n pushes for sub, or
// ctx ends, and returns them.
func (s *Service) WaitForPushes(ctx context.Context, sub *Subscription, n int) ([]Push, error) {
	for {
		s.mu.Lock()
		accepted := s.accepted
		s.mu.Unlock()
		if pushes := s.Pushes(sub); len(pushes) >= n {
			return pushes, nil
		}
		select {
		case <-accepted:
		case <-ctx.Done():
			return s.Pushes(sub), fmt.Errorf("%d of %d pushes arrived: %w", len(s.Pushes(sub)), n, ctx.Err())
		}
	}
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	s.mu.Lock()
	held := s.held
	s.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
	}
	id := strings.TrimPrefix(r.URL.Path, "/push/")
	s.mu.Lock()
	sub := s.subscriptions[id]
	var status int
	if answers := s.answers[id]; len(answers) > 0 {
		status, s.answers[id] = answers[0], answers[1:]
	}
	s.mu.Unlock()
	if sub == nil {
		http.Error(w, "no such subscription", http.StatusGone)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8192))
	if err == nil {
		err = s.verify(r)
	}
	var payload []byte
	if err == nil {
		payload, err = sub.Decrypt(body)
	}
	if err != nil {
		s.mu.Lock()
		s.refused = append(s.refused, err)
		s.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if status != 0 {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		return
	}
	s.mu.Lock()
	s.pushes = append(s.pushes, Push{
		Subscription: id, Payload: payload, BodySize: len(body), TTL: r.Header.Get("TTL"),
		Urgency: r.Header.Get("Urgency"), Topic: r.Header.Get("Topic"), Received: received,
	})
	close(s.accepted)
	s.accepted = make(chan struct{})
	s.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

// verify checks the VAPID Authorization header (RFC 8292): "vapid t=<JWT>,
// k=<public key>", the key the service was told of, the JWT signed by it
// with ES256 for this origin, not expired, naming a contact.
func (s *Service) verify(r *http.Request) error {
	header := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return fmt.Errorf("authorization %q is not vapid", header)
	}
	var token, key string
	for _, part := range strings.Split(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch name {
		case "t":
			token = value
		case "k":
			key = value
		}
	}
	if key != s.publicKey {
		return fmt.Errorf("vapid key %q is not the application server's", key)
	}
	if r.Header.Get("Content-Encoding") != "aes128gcm" {
		return fmt.Errorf("content encoding %q is not aes128gcm", r.Header.Get("Content-Encoding"))
	}
	if r.Header.Get("TTL") == "" {
		return errors.New("no TTL header")
	}
	raw, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return fmt.Errorf("vapid key: %w", err)
	}
	x, y := elliptic.Unmarshal(elliptic.P256(), raw) //nolint:staticcheck // the JWT library verifies with an *ecdsa.PublicKey
	if x == nil {
		return errors.New("vapid key is not an uncompressed P-256 point")
	}
	public := &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return public, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(s.server.URL), jwt.WithExpirationRequired())
	if err != nil {
		return fmt.Errorf("vapid token: %w", err)
	}
	if sub, _ := claims["sub"].(string); !strings.HasPrefix(sub, "mailto:") && !strings.HasPrefix(sub, "https:") {
		return fmt.Errorf("vapid sub %q is neither mailto: nor https:", sub)
	}
	return nil
}

// Decrypt decrypts an aes128gcm body (RFC 8188) sent to sub as RFC 8291 says.
func (sub *Subscription) Decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("body shorter than its header")
	}
	salt, recordSize, idLength := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idLength || idLength != 65 {
		return nil, fmt.Errorf("key ID of %d bytes is not the server's public key", idLength)
	}
	serverKey, err := ecdh.P256().NewPublicKey(body[21 : 21+idLength])
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	ciphertext := body[21+idLength:]
	if uint32(len(ciphertext)) > recordSize {
		return nil, fmt.Errorf("record of %d bytes is over its size %d", len(ciphertext), recordSize)
	}
	shared, err := sub.key.ECDH(serverKey)
	if err != nil {
		return nil, err
	}
	keyInfo := "WebPush: info\x00" + string(sub.key.PublicKey().Bytes()) + string(serverKey.Bytes())
	prkKey, err := hkdf.Extract(sha256.New, shared, sub.auth)
	if err != nil {
		return nil, err
	}
	ikm, err := hkdf.Expand(sha256.New, prkKey, keyInfo, 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	// The last record: the data, the delimiter 0x02, then zero padding.
	end := len(plain) - 1
	for end >= 0 && plain[end] == 0 {
		end--
	}
	if end < 0 || plain[end] != 0x02 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:end], nil
}
