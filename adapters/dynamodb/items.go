package dynamodb

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/parley-chat/parley/core"
)

// Key prefixes of the single table. Every key is built by key (keys.go), which
// escapes its parts, so no email or ID can make two keys collide.
const (
	userPrefix    = "USER#"
	contactPrefix = "CONTACT#"
	convPrefix    = "CONV#"
	messagePrefix = "MSG#"
	clientPrefix  = "CLIENT#"
	reportPrefix  = "REPORT#"
)

// Attribute names shared by the expressions and the item structs' tags.
const (
	attrPK           = "pk"
	attrSK           = "sk"
	attrID           = "id"
	attrOwner        = "owner"
	attrEmail        = "email"
	attrName         = "name"
	attrBlocked      = "blocked"
	attrReport       = "report"
	attrRequest      = "request"
	attrCreatedAt    = "createdAt"
	attrLastActivity = "lastActivity"
	attrLastMessage  = "lastMessage"
	attrUnread       = "unread"
	attrVersion      = "version"
	attrMarks        = "marks"
)

func contactKey(owner, email string) (pk, sk string) {
	return key(userPrefix, owner), key(contactPrefix, email)
}

// conversationKey names the conversation of a and b, whichever of them asks.
func conversationKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return key(convPrefix, a, b)
}

func messageSortKey(id string) string { return key(messagePrefix, id) }

func clientSortKey(sender, clientID string) string {
	return key(clientPrefix, sender, clientID)
}

func reportPartitionKey(reported string) string { return key(reportPrefix, reported) }

// reportSortKey names a report by its reporter and a hash of its text, so a
// retried report writes the same item: a report is stored once.
func reportSortKey(reporter, text string) string {
	sum := sha256.Sum256([]byte(text))
	return key(reportPrefix, reporter, hex.EncodeToString(sum[:16]))
}

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction, so stored
// times also sort as strings.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse %s %q: %w", field, s, err)
	}
	return t.UTC(), nil
}

// contactItem is a core.Contact as stored: pk USER#<owner>, sk CONTACT#<email>.
type contactItem struct {
	PK           string           `dynamodbav:"pk"`
	SK           string           `dynamodbav:"sk"`
	ID           string           `dynamodbav:"id"`
	Owner        string           `dynamodbav:"owner"`
	Email        string           `dynamodbav:"email"`
	Name         string           `dynamodbav:"name"`
	Blocked      bool             `dynamodbav:"blocked"`
	Report       string           `dynamodbav:"report,omitempty"`
	Request      bool             `dynamodbav:"request"`
	CreatedAt    string           `dynamodbav:"createdAt"`
	LastActivity string           `dynamodbav:"lastActivity"`
	LastMessage  *embeddedMessage `dynamodbav:"lastMessage,omitempty"`
	Unread       int              `dynamodbav:"unread"`
}

func (it contactItem) toDomain() (core.Contact, error) {
	createdAt, err := parseTime(attrCreatedAt, it.CreatedAt)
	if err != nil {
		return core.Contact{}, err
	}
	lastActivity, err := parseTime(attrLastActivity, it.LastActivity)
	if err != nil {
		return core.Contact{}, err
	}
	var lastMessage *core.Message
	if it.LastMessage != nil {
		m, err := it.LastMessage.toDomain()
		if err != nil {
			return core.Contact{}, fmt.Errorf("%s: %w", attrLastMessage, err)
		}
		lastMessage = &m
	}
	return core.Contact{
		ID:           it.ID,
		Owner:        it.Owner,
		Email:        it.Email,
		Name:         it.Name,
		Blocked:      it.Blocked,
		Report:       it.Report,
		Request:      it.Request,
		CreatedAt:    createdAt,
		LastActivity: lastActivity,
		LastMessage:  lastMessage,
		Unread:       it.Unread,
	}, nil
}

// messageItem is a core.Message as stored. The message itself has pk
// CONV#<a>#<b> and sk MSG#<id>; its idempotency marker is a copy with sk
// CLIENT#<sender>#<clientId> in the same partition, so a retried send gets the
// stored message back from the failed condition alone.
type messageItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	ID        string `dynamodbav:"id"`
	Sender    string `dynamodbav:"sender"`
	Recipient string `dynamodbav:"recipient"`
	Text      string `dynamodbav:"text"`
	Date      string `dynamodbav:"date"`
	ClientID  string `dynamodbav:"clientId,omitempty"`
	// ExpiresAt (Unix seconds) is set on idempotency markers only: DynamoDB's
	// TTL deletes them after core.ClientIDWindow; messages never expire.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
}

func newMessageItem(m core.Message) messageItem {
	return messageItem{
		PK:        conversationKey(m.Sender, m.Recipient),
		SK:        messageSortKey(m.ID),
		ID:        m.ID,
		Sender:    m.Sender,
		Recipient: m.Recipient,
		Text:      m.Text,
		Date:      formatTime(m.Date),
		ClientID:  m.ClientID,
	}
}

// clientMarker returns the idempotency marker of the message item sent at
// date, which expires core.ClientIDWindow after it.
func (it messageItem) clientMarker(date time.Time) messageItem {
	it.SK = clientSortKey(it.Sender, it.ClientID)
	it.ExpiresAt = date.Add(core.ClientIDWindow).Unix()
	return it
}

func (it messageItem) toDomain() (core.Message, error) {
	date, err := parseTime("date", it.Date)
	if err != nil {
		return core.Message{}, err
	}
	return core.Message{
		ID:        it.ID,
		Sender:    it.Sender,
		Recipient: it.Recipient,
		Text:      it.Text,
		Date:      date,
		ClientID:  it.ClientID,
	}, nil
}

// reportItem is a core.Report as stored: pk REPORT#<reported>, sk
// REPORT#<reporter>#<hash of the text>. Its evidence is read from the
// conversation when the report is read (core.Report); items written before
// that kept it as a list of maps inside the item.
type reportItem struct {
	PK       string            `dynamodbav:"pk"`
	SK       string            `dynamodbav:"sk"`
	ID       string            `dynamodbav:"id"`
	Reporter string            `dynamodbav:"reporter"`
	Reported string            `dynamodbav:"reported"`
	Text     string            `dynamodbav:"text"`
	Date     string            `dynamodbav:"date"`
	Evidence []embeddedMessage `dynamodbav:"evidence,omitempty"`
	// Resolution and Closed are set when an operator closes the report.
	Resolution string `dynamodbav:"resolution,omitempty"`
	Closed     string `dynamodbav:"closedAt,omitempty"`
	// ReportSK is, in an entry of the open or closed reports, the sort key of
	// the report item it stands for.
	ReportSK string `dynamodbav:"reportSk,omitempty"`
}

// embeddedMessage is a message kept inside another item: a report's evidence,
// a contact's last message.
type embeddedMessage struct {
	ID        string `dynamodbav:"id"`
	Sender    string `dynamodbav:"sender"`
	Recipient string `dynamodbav:"recipient"`
	Text      string `dynamodbav:"text"`
	Date      string `dynamodbav:"date"`
	ClientID  string `dynamodbav:"clientId,omitempty"`
}

func newReportItem(r core.Report) reportItem {
	return reportItem{
		PK:       reportPartitionKey(r.Reported),
		SK:       reportSortKey(r.Reporter, r.Text),
		ID:       r.ID,
		Reporter: r.Reporter,
		Reported: r.Reported,
		Text:     r.Text,
		Date:     formatTime(r.Date),
	}
}

func (it reportItem) toDomain() (core.Report, error) {
	date, err := parseTime("date", it.Date)
	if err != nil {
		return core.Report{}, err
	}
	evidence := make([]core.Message, 0, len(it.Evidence))
	for _, e := range it.Evidence {
		m, err := e.toDomain()
		if err != nil {
			return core.Report{}, fmt.Errorf("evidence %s: %w", e.ID, err)
		}
		evidence = append(evidence, m)
	}
	r := core.Report{
		ID:         it.ID,
		Reporter:   it.Reporter,
		Reported:   it.Reported,
		Text:       it.Text,
		Date:       date,
		Evidence:   evidence,
		Resolution: core.Resolution(it.Resolution),
	}
	if it.Closed != "" {
		if r.Closed, err = parseTime("closedAt", it.Closed); err != nil {
			return core.Report{}, err
		}
	}
	return r, nil
}

func newEmbeddedMessage(m core.Message) embeddedMessage {
	return embeddedMessage{ID: m.ID, Sender: m.Sender, Recipient: m.Recipient, Text: m.Text, Date: formatTime(m.Date), ClientID: m.ClientID}
}

func (e embeddedMessage) toDomain() (core.Message, error) {
	return messageItem{ID: e.ID, Sender: e.Sender, Recipient: e.Recipient, Text: e.Text, Date: e.Date, ClientID: e.ClientID}.toDomain()
}
