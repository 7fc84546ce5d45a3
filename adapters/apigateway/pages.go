package apigateway

import (
	"context"
	"encoding/base64"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// NextCursorHeader carries the cursor of the following page of get-contacts;
// absent on the last page. The body stays a plain array, so a client that
// does not page reads it as before.
const NextCursorHeader = "X-Next-Cursor"

// withHeaders is a response body with headers of its own.
type withHeaders struct {
	body    any
	headers map[string]string
}

// getContacts serves GET /get-contacts?limit=&cursor=: one page of the
// caller's contacts, most recent activity first within the page.
func (h *Handler) getContacts(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	query := req.QueryStringParameters
	var in core.GetContactsInput
	limit, err := core.ParsePageLimit(query["limit"], core.MaxContactPage)
	if err != nil {
		return 0, nil, err
	}
	in.Limit = limit
	if raw := query["cursor"]; raw != "" {
		// The cursor is the next page's After, base64 in the query; what
		// After may be is core's rule.
		after, err := base64.RawURLEncoding.DecodeString(raw)
		if err != nil || len(after) == 0 {
			return 0, nil, core.ErrNotAContactsCursor()
		}
		in.After = string(after)
	}
	page, err := h.service.GetContactsPage(ctx, caller, in)
	if err != nil {
		return 0, nil, err
	}
	body := toContactResponses(page.Contacts)
	if page.Next == "" {
		return http.StatusOK, body, nil
	}
	return http.StatusOK, withHeaders{body: body, headers: map[string]string{NextCursorHeader: base64.RawURLEncoding.EncodeToString([]byte(page.Next))}}, nil
}
