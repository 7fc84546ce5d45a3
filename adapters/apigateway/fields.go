package apigateway

import (
	"errors"

	"github.com/parley-chat/parley/core"
)

// contractFields maps the names core gives the inputs of its use cases to the
// names the REST contract gives the fields that carry them; core's own words
// that the contract shares (email, name, report, upTo, limit, before, after,
// cursor) are not listed. This is the one place the two vocabularies meet.
var contractFields = map[string]string{
	"recipient": "recipientNamespace",
	"with":      "recipientNamespace",
	"text":      "message",
	"clientID":  "clientId",
}

// publicMessage is the caller-safe message of err in the contract's words:
// an invalid field is named as the request named it.
func publicMessage(err error, fields map[string]string) string {
	var e *core.Error
	if errors.As(err, &e) && e.Field != "" && e.Reason != "" {
		if name, ok := fields[e.Field]; ok {
			return name + ": " + e.Reason
		}
	}
	return core.ErrorMessage(err)
}
