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
	ENOTFOUND     = "not_found"    // the thing asked for does not exist for this caller
	ECONFLICT     = "conflict"     // the write lost to a concurrent one
	ETOOLARGE     = "too_large"    // the request body exceeds its limit
	ETHROTTLED    = "throttled"    // the caller or a downstream service must slow down
	ESUSPENDED    = "suspended"    // an operator suspended the caller's account
	EUNAVAILABLE  = "unavailable"  // a service Parley depends on cannot be reached now
	EINTERNAL     = "internal"     // anything else; never shown in detail
)

// Error is the one error type the domain returns. Message is safe to show to
// the caller; Field names the request field at fault when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
	// RetryAfter is how long the caller should wait before trying again,
	// when the error says to try again later; zero when it does not say.
	RetryAfter time.Duration
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
	return &Error{Code: EINVALID, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
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
