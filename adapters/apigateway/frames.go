package apigateway

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/parley-chat/parley/core"
)

// The frames of the realtime contract: what the server pushes to a
// connection (EncodeEvent) and what a connection sends (clientFrame).

type messageFrame struct {
	Type    string          `json:"type"`
	Message messageResponse `json:"message"`
}

type receiptFrame struct {
	Type      string `json:"type"`
	With      string `json:"with"`
	Delivered string `json:"delivered"`
	Read      string `json:"read"`
}

type contactFrame struct {
	Type    string          `json:"type"`
	Contact contactResponse `json:"contact"`
}

type typingFrame struct {
	Type string `json:"type"`
	From string `json:"from"`
}

type typeOnlyFrame struct {
	Type string `json:"type"`
}

// closingFrame tells a connection the server is closing it, with the close
// code and reason it closes it with (API Gateway's DELETE cannot set them).
type closingFrame struct {
	Type   string `json:"type"`
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

type errorFrame struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfter is, in seconds, when the refused frame may be sent again.
	RetryAfter int64 `json:"retryAfter,omitempty"`
}

// EncodeEvent renders e as the JSON text frame that viewer's connections
// receive: a message carries "them" and, for its sender, "status" as viewer
// sees them.
func EncodeEvent(viewer string, e core.Event) ([]byte, error) {
	var frame any
	switch e := e.(type) {
	case core.MessageEvent:
		frame = messageFrame{Type: "message", Message: toMessageResponse(e.Message, core.Caller{Email: viewer})}
	case core.ReceiptEvent:
		frame = receiptFrame{Type: "receipt", With: e.With, Delivered: e.Watermarks.Delivered, Read: e.Watermarks.Read}
	case core.ContactEvent:
		frame = contactFrame{Type: "contact", Contact: toContactResponse(e.Contact)}
	case core.TypingEvent:
		frame = typingFrame{Type: "typing", From: e.From}
	case core.PongEvent:
		frame = typeOnlyFrame{Type: "pong"}
	case core.ClosingEvent:
		frame = closingFrame{Type: "closing", Code: e.Code, Reason: e.Reason}
	case core.RefusalEvent:
		refusal := errorFrame{Type: "error", Code: core.ErrorCode(e.Err), Message: core.ErrorMessage(e.Err)}
		if wait := core.RetryAfter(e.Err); wait > 0 && refusal.Code != core.EINTERNAL {
			refusal.RetryAfter, _ = strconv.ParseInt(RetryAfterSeconds(wait), 10, 64)
		}
		frame = refusal
	default:
		return nil, fmt.Errorf("encode event: unknown event %T", e)
	}
	return json.Marshal(frame)
}

// clientFrame is any frame a connection sends; Action says which.
type clientFrame struct {
	Action string `json:"action" validate:"required,oneof=typing ack ping visibility"`
	// To is the member a typing frame is for.
	To string `json:"to" validate:"required_if=Action typing"`
	// With, UpTo and Read are an ack's, as POST /ack's recipientNamespace,
	// upTo and read.
	With string `json:"with" validate:"required_if=Action ack"`
	UpTo string `json:"upTo" validate:"required_if=Action ack"`
	Read bool   `json:"read"`
	// Visible is a visibility frame's: whether the tab is visible and
	// focused.
	Visible *bool `json:"visible" validate:"required_if=Action visibility"`
}
