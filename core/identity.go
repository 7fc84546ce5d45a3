package core

import "time"

// Caller is the authenticated person making a request. Their verified,
// lower-cased email address is their identity and their namespace in the API.
type Caller struct {
	Email string
	// IssuedAt is when the caller's token was issued (its iat); zero when
	// it named none. A deletion of the account refuses
	// the tokens issued before it (Tombstone).
	IssuedAt time.Time
}

// NewCaller returns the caller for the claims of a verified ID token. It
// refuses an address that is missing, malformed or not verified by the
// identity provider, because an unverified address could belong to anyone.
func NewCaller(email string, emailVerified bool) (Caller, error) {
	if !emailVerified {
		return Caller{}, Errorf(EUNAUTHORIZED, "The email address of this account is not verified.")
	}
	normalized, err := NormalizeEmail(email)
	if err != nil {
		return Caller{}, Errorf(EUNAUTHORIZED, "The token carries no valid email address.")
	}
	return Caller{Email: normalized}, nil
}
