package apigateway

import (
	"strconv"
	"time"
)

// RetryAfterSeconds is wait as the value of a Retry-After header: whole
// seconds, rounded up so a client never comes back too early, at least one.
func RetryAfterSeconds(wait time.Duration) string {
	return strconv.FormatInt(max(1, int64((wait+time.Second-1)/time.Second)), 10)
}
