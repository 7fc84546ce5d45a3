package core

import (
	"errors"
	"fmt"
	"time"
)

// Application error codes. They are stable: clients branch on them, and the
// inbound adapter maps each to one HTTP status.
const (
	EINVALID      = "invalid"      // the request is malformed or breaks a limit
	EUNAUTHORIZED = "unauthorized" // the caller could not be identified
	EBLOCKED      = "blocked"      // one member of the conversation blocked the other
	EFORBIDDEN    = "forbidden"    // the caller is known but may not do this
	ENOTFOUND     = "not_found"    // the thing asked for does not exist for this caller
	ECONFLICT     = "conflict"     // the write lost to a concurrent one
	ETOOLARGE     = "too_large"    // the request body exceeds its limit
	ETHROTTLED    = "throttled"    // the caller or a downstream service must slow down
	ESUSPENDED    = "suspended"    // an operator suspended the caller's account
	EUNAVAILABLE  = "unavailable"  // a service Parley depends on cannot be reached now
	EINTERNAL     = "internal"     // anything else; never shown in detail
)

// Error is the one error type the domain returns. Message is safe to show to
// the caller. Field names the input at fault when there is one, in core's own
// words (recipient, text, clientID, ...): inbound adapters map them to their
// contract's names. Reason is then what is wrong with it, and Message is
// "<Field>: <Reason>".
type Error struct {
	Code    string
	Message string
	Field   string
	// RetryAfter is how long the caller should wait before trying again,
	// when the error says to try again later; zero when it does not say.
	RetryAfter time.Duration
	Reason     string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("parley error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalidField returns an EINVALID error that names the field at fault.
func invalidField(field, format string, args ...any) *Error {
	reason := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Field: field, Reason: reason, Message: field + ": " + reason}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil,
// and EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the caller-safe message of err: the message of an
// *Error, and a generic text for anything else so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Internal error."
}

// DefaultRetryAfter is the wait a caller is told for an error that asks to
// try again later but does not know how long: a throttled or unavailable
// store, a lost conflict.
const DefaultRetryAfter = time.Second

// RetryAfter returns how long the caller should wait before trying err's
// request again: the error's own RetryAfter, DefaultRetryAfter for a code
// that asks to try again later without one, and 0 when trying again will not
// help.
func RetryAfter(err error) time.Duration {
	var e *Error
	if !errors.As(err, &e) {
		return 0
	}
	switch {
	case e.RetryAfter > 0:
		return e.RetryAfter
	case e.Code == ETHROTTLED || e.Code == EUNAVAILABLE || e.Code == ECONFLICT:
		return DefaultRetryAfter
	default:
		return 0
	}
}

// The refusals of Parley's rules. Stores enforce some rules inside their
// writes (a block is checked in the write that stores a message) and return
// these, so every store refuses in the same words.

// ErrNotAContact is the refusal when the caller has no contact with email.
func ErrNotAContact(email string) error {
	return Errorf(ENOTFOUND, "%s is not one of your contacts.", email)
}

// ErrNoContactWithID is the refusal when none of the caller's contacts has id.
func ErrNoContactWithID(id string) error {
	return Errorf(ENOTFOUND, "No contact of yours has the ID %s.", id)
}

// ErrYouBlocked is the refusal of a message to someone the sender blocked.
func ErrYouBlocked(email string) error {
	return Errorf(EBLOCKED, "You blocked %s. Unblock them to send messages.", email)
}

// ErrBlockedByRecipient is the refusal of a message to someone who blocked
// the sender.
func ErrBlockedByRecipient(email string) error {
	return Errorf(EBLOCKED, "%s does not accept your messages.", email)
}

// ErrNoSuchConnection is the answer for a realtime connection that is not
// registered, or expired.
var ErrNoSuchConnection = Errorf(ENOTFOUND, "No such connection.")

// ErrNotInConversation is the refusal of an ack of a message that is not
// one of the conversation's.
var ErrNotInConversation = &Error{Code: ENOTFOUND, Field: "upTo", Message: "upTo: is not a message of this conversation"}
