// Package exportdoc renders a person's export (core.ExportWriter) as one JSON
// document, streamed: it holds one message at a time, whatever the size of
// the account. Its schema is README.md's ("Your data: export").
package exportdoc

import (
	"bufio"
	"encoding/json"
	"io"
	"time"

	"github.com/parley-chat/parley/core"
)

var _ core.ExportWriter = (*Writer)(nil)

// sections are the arrays of the document after "account", in order.
var sections = []string{"contacts", "conversations", "reports", "channels", "devices"}

// Writer writes the document to its writer. Not safe for concurrent use.
type Writer struct {
	w *bufio.Writer
	// section is the index in sections of the array open now; -1 before.
	section int
	// first is whether the open array has no element yet.
	first bool
	// inner is whether a conversation's messages (or a channel's posts) are
	// open, firstInner whether they have none yet.
	inner      bool
	firstInner bool
	err        error
}

// New returns a writer of the document to w.
func New(w io.Writer) core.ExportWriter {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), section: -1}
}

func (x *Writer) write(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *Writer) value(v any) {
	if x.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		x.err = err
		return
	}
	_, x.err = x.w.Write(b)
}

// enter closes what is open and opens sections[i], writing every array
// between them empty.
func (x *Writer) enter(name string) {
	target := 0
	for i, s := range sections {
		if s == name {
			target = i
		}
	}
	if x.section == target {
		return
	}
	x.endInner()
	for x.section < target {
		if x.section >= 0 {
			x.write("]")
		}
		x.section++
		x.write(`,"` + sections[x.section] + `":[`)
		x.first = true
	}
}

// element starts the next element of the open array.
func (x *Writer) element() {
	if !x.first {
		x.write(",")
	}
	x.first = false
}

// beginInner starts an element of the open array whose own array (its
// messages or posts) stays open after head, the element's other fields.
func (x *Writer) beginInner(head, array string) {
	x.endInner()
	x.element()
	x.write(head)
	x.write(`,"` + array + `":[`)
	x.inner, x.firstInner = true, true
}

// innerElement starts the next element of the open inner array.
func (x *Writer) innerElement() {
	if !x.firstInner {
		x.write(",")
	}
	x.firstInner = false
}

func (x *Writer) endInner() {
	if x.inner {
		x.write("]}")
		x.inner = false
	}
}

type account struct {
	Email      string      `json:"email"`
	SendBudget sendBudget  `json:"sendBudget"`
	Suspension *suspension `json:"suspension"`
}

type sendBudget struct {
	// FullAt is when the send bucket is full again; null: it is full.
	FullAt *string `json:"fullAt"`
}

type suspension struct {
	Reason string `json:"reason"`
	Date   string `json:"date"`
}

// Account implements core.ExportWriter: the document's start.
func (x *Writer) Account(a core.AccountState) error {
	doc := account{Email: a.Email}
	if !a.SendBucketFullAt.IsZero() {
		at := formatTime(a.SendBucketFullAt)
		doc.SendBudget.FullAt = &at
	}
	if a.Suspension != nil {
		doc.Suspension = &suspension{Reason: a.Suspension.Reason, Date: formatTime(a.Suspension.Date)}
	}
	x.write(`{"format":"parley-export/1","account":`)
	x.value(doc)
	return x.err
}

type contact struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Blocked      bool   `json:"blocked"`
	Report       string `json:"report,omitempty"`
	Request      bool   `json:"request"`
	Deleted      bool   `json:"deleted,omitempty"`
	CreatedAt    string `json:"createdAt"`
	LastActivity string `json:"lastActivity"`
	Unread       int    `json:"unread"`
}

// Contact implements core.ExportWriter.
func (x *Writer) Contact(c core.Contact) error {
	x.enter("contacts")
	x.element()
	x.value(contact{ID: c.ID, Email: c.Email, Name: c.Name, Blocked: c.Blocked, Report: c.Report, Request: c.Request, Deleted: c.Deleted,
		CreatedAt: formatTime(c.CreatedAt), LastActivity: formatTime(c.LastActivity), Unread: c.Unread})
	return x.err
}

// Conversation implements core.ExportWriter.
func (x *Writer) Conversation(with string) error {
	x.enter("conversations")
	head, err := json.Marshal(with)
	if err != nil {
		return err
	}
	x.beginInner(`{"with":`+string(head), "messages")
	return x.err
}

type message struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	Date      string `json:"date"`
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	ClientID  string `json:"clientId,omitempty"`
	Status    string `json:"status,omitempty"`
	Deleted   bool   `json:"deleted,omitempty"`
}

// Message implements core.ExportWriter: a message of the conversation begun last.
func (x *Writer) Message(m core.Message) error {
	x.innerElement()
	x.value(message{ID: m.ID, Message: m.Text, Date: formatTime(m.Date), Sender: m.Sender, Recipient: m.Recipient,
		ClientID: m.ClientID, Status: string(m.Status), Deleted: m.Deleted})
	return x.err
}

type report struct {
	ID         string `json:"id"`
	Reported   string `json:"reported"`
	Text       string `json:"text"`
	Date       string `json:"date"`
	Resolution string `json:"resolution,omitempty"`
}

// Report implements core.ExportWriter: a report the person filed.
func (x *Writer) Report(r core.Report) error {
	x.enter("reports")
	x.element()
	x.value(report{ID: r.ID, Reported: r.Reported, Text: r.Text, Date: formatTime(r.Date), Resolution: string(r.Resolution)})
	return x.err
}

type channel struct {
	Channel   string `json:"channel"`
	Title     string `json:"title"`
	CreatedAt string `json:"createdAt"`
	Role      string `json:"role"`
}

// Channel implements core.ExportWriter: a channel the person owns.
func (x *Writer) Channel(c core.Channel) error {
	x.enter("channels")
	head, err := json.Marshal(channel{Channel: c.ID, Title: c.Title, CreatedAt: formatTime(c.CreatedAt), Role: "owner"})
	if err != nil {
		return err
	}
	// The object without its closing brace: its posts follow.
	x.beginInner(string(head[:len(head)-1]), "posts")
	return x.err
}

type post struct {
	ID         string `json:"id"`
	Author     string `json:"author"`
	AuthorName string `json:"authorName"`
	Message    string `json:"message"`
	Date       string `json:"date"`
	ClientID   string `json:"clientId,omitempty"`
}

// Post implements core.ExportWriter: a post of the channel begun last.
func (x *Writer) Post(p core.Post) error {
	x.innerElement()
	x.value(post{ID: p.ID, Author: p.Author, AuthorName: p.AuthorName, Message: p.Text, Date: formatTime(p.Date), ClientID: p.ClientID})
	return x.err
}

type device struct {
	Endpoint string `json:"endpoint"`
	Created  string `json:"created"`
}

// Device implements core.ExportWriter.
func (x *Writer) Device(d core.Device) error {
	x.enter("devices")
	x.element()
	x.value(device{Endpoint: d.Endpoint, Created: formatTime(d.Created)})
	return x.err
}

// Close implements core.ExportWriter: the arrays not written yet, empty, and
// the document's end.
func (x *Writer) Close() error {
	x.enter(sections[len(sections)-1])
	x.write("]}")
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
