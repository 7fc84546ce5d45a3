package apigateway

import (
	"time"

	"github.com/parley-chat/parley/core"
)

// The request and response bodies of the ChatScape REST contract. Only this
// package knows their JSON shape; the domain types carry no tags.

type addContactRequest struct {
	Email string `json:"email" validate:"required"`
	Name  string `json:"name" validate:"required"`
}

type emailRequest struct {
	Email string `json:"email" validate:"required"`
}

type reportContactRequest struct {
	Email  string `json:"email" validate:"required"`
	Report string `json:"report" validate:"required"`
}

type addMessageRequest struct {
	RecipientNamespace string `json:"recipientNamespace" validate:"required"`
	Message            string `json:"message" validate:"required"`
	ClientID           string `json:"clientId"`
}

type contactResponse struct {
	ID           string           `json:"id"`
	Email        string           `json:"email"`
	Name         string           `json:"name"`
	Avatar       string           `json:"avatar"`
	Blocked      bool             `json:"blocked"`
	Report       string           `json:"report,omitempty"`
	Request      bool             `json:"request"`
	LastActivity string           `json:"lastActivity"`
	LastMessage  *messageResponse `json:"lastMessage,omitempty"`
	Unread       int              `json:"unread"`
	// Deleted is set on a contact whose account was deleted.
	Deleted bool `json:"deleted,omitempty"`
}

type messageResponse struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	Date      string `json:"date"`
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	Them      bool   `json:"them"`
	ClientID  string `json:"clientId,omitempty"`
	// Status is set on the caller's own messages only.
	Status string `json:"status,omitempty"`
	// Deleted is set on a message its sender unsent; Message is then "".
	Deleted bool `json:"deleted,omitempty"`
}

type deleteMessageRequest struct {
	RecipientNamespace string `json:"recipientNamespace" validate:"required"`
	ID                 string `json:"id" validate:"required"`
}

type ackRequest struct {
	RecipientNamespace string `json:"recipientNamespace" validate:"required"`
	UpTo               string `json:"upTo" validate:"required"`
	Read               bool   `json:"read"`
}

type watermarksResponse struct {
	Delivered string `json:"delivered"`
	Read      string `json:"read"`
}

type errorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func toContactResponse(c core.Contact) contactResponse {
	return contactResponse{
		ID:           c.ID,
		Email:        c.Email,
		Name:         c.Name,
		Avatar:       c.Avatar(),
		Blocked:      c.Blocked,
		Report:       c.Report,
		Request:      c.Request,
		LastActivity: formatTime(c.LastActivity),
		LastMessage:  toLastMessageResponse(c),
		Unread:       c.Unread,
		Deleted:      c.Deleted,
	}
}

// toLastMessageResponse is the contact's last message as its owner sees it.
func toLastMessageResponse(c core.Contact) *messageResponse {
	if c.LastMessage == nil {
		return nil
	}
	m := toMessageResponse(*c.LastMessage, core.Caller{Email: c.Owner})
	return &m
}

func toContactResponses(contacts []core.Contact) []contactResponse {
	out := make([]contactResponse, 0, len(contacts))
	for _, c := range contacts {
		out = append(out, toContactResponse(c))
	}
	return out
}

func toMessageResponse(m core.Message, caller core.Caller) messageResponse {
	response := messageResponse{
		ID:        m.ID,
		Message:   m.Text,
		Date:      formatTime(m.Date),
		Sender:    m.Sender,
		Recipient: m.Recipient,
		Them:      m.SentTo(caller.Email),
		ClientID:  m.ClientID,
		Deleted:   m.Deleted,
	}
	if m.Sender == caller.Email {
		response.Status = string(m.Status)
	}
	return response
}

func toMessageResponses(messages []core.Message, caller core.Caller) []messageResponse {
	out := make([]messageResponse, 0, len(messages))
	for _, m := range messages {
		out = append(out, toMessageResponse(m, caller))
	}
	return out
}

func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
