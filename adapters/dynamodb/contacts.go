package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// ContactsPage implements core.ContactDirectory with one Query of the owner's
// partition from after, in key order. It asks for one contact more than
// limit, so next is "" exactly when no contact follows; a page cut short by
// DynamoDB's 1 MB answer limit ends where DynamoDB stopped.
func (s *Store) ContactsPage(ctx context.Context, owner, after string, limit int) ([]core.Contact, string, error) {
	pk, _ := contactKey(owner, "")
	in := s.prefixQuery(pk, contactPrefix)
	in.Limit = aws.Int32(int32(limit + 1))
	if after != "" {
		_, sk := contactKey(owner, after)
		in.ExclusiveStartKey = itemKey(pk, sk)
	}
	out, err := s.queryPage(ctx, "ContactsPage", in)
	if err != nil {
		return nil, "", fmt.Errorf("contacts of %s: %w", owner, err)
	}
	page := make([]core.Contact, 0, min(limit, len(out.Items)))
	for _, item := range out.Items[:min(limit, len(out.Items))] {
		c, err := unmarshalContact(item)
		if err != nil {
			return nil, "", fmt.Errorf("contacts of %s: %w", owner, err)
		}
		page = append(page, c)
	}
	next := ""
	if len(page) > 0 && (len(out.Items) > limit || len(out.LastEvaluatedKey) > 0) {
		next = page[len(page)-1].Email
	}
	return page, next, nil
}

// errFound stops a query once the item it looks for is read.
var errFound = errors.New("found")

// ContactByID implements core.ContactDirectory with a Query of the owner's
// contacts filtered on the ID: one request per 1 MB of contacts (some two
// thousand), stopping at the page that holds it. Only ChatScape's client
// names a contact by ID.
func (s *Store) ContactByID(ctx context.Context, owner, id string) (core.Contact, error) {
	pk, _ := contactKey(owner, "")
	in := s.prefixQuery(pk, contactPrefix)
	in.FilterExpression = aws.String("#id = :id")
	in.ExpressionAttributeNames["#id"] = attrID
	in.ExpressionAttributeValues[":id"] = stringValue(id)
	var found core.Contact
	err := s.query(ctx, "ContactByID", in, 0, func(item map[string]types.AttributeValue) error {
		c, err := unmarshalContact(item)
		if err != nil {
			return err
		}
		found = c
		return errFound
	})
	switch {
	case errors.Is(err, errFound):
		return found, nil
	case err != nil:
		return core.Contact{}, fmt.Errorf("contact %s of %s: %w", id, owner, err)
	}
	return core.Contact{}, core.ErrNoContactWithID(id)
}

// contactUpdate is an update of one contact item: the SET clauses and the
// condition as written in the methods, with every placeholder they may use.
// DynamoDB refuses names and values an expression does not use, so only the
// used ones are sent.
type contactUpdate struct {
	set, condition string
	contact        core.Contact
	// lastMessage is the contact's LastMessage, marshalled, when the update sets it.
	lastMessage types.AttributeValue
}

var placeholder = regexp.MustCompile(`[#:][A-Za-z]+`)

// expression returns the attribute names and values the update uses.
func (u contactUpdate) expression() (names map[string]string, values map[string]types.AttributeValue) {
	c := u.contact
	allNames := map[string]string{
		"#pk": attrPK, "#id": attrID, "#owner": attrOwner, "#email": attrEmail, "#name": attrName,
		"#blocked": attrBlocked, "#report": attrReport, "#request": attrRequest,
		"#createdAt": attrCreatedAt, "#lastActivity": attrLastActivity, "#lastMessage": attrLastMessage,
		"#unread": attrUnread, "#deleted": attrDeleted,
	}
	allValues := map[string]types.AttributeValue{
		":id": stringValue(c.ID), ":owner": stringValue(c.Owner), ":email": stringValue(c.Email),
		":name": stringValue(c.Name), ":blocked": boolValue(c.Blocked), ":report": stringValue(c.Report),
		":request": boolValue(c.Request), ":createdAt": stringValue(formatTime(c.CreatedAt)),
		":lastActivity": stringValue(formatTime(c.LastActivity)), ":true": valueTrue, ":false": valueFalse,
		":one": valueOne,
	}
	if u.lastMessage != nil {
		allValues[":lastMessage"] = u.lastMessage
	}
	names, values = map[string]string{}, map[string]types.AttributeValue{}
	for _, p := range placeholder.FindAllString(u.set+" "+u.condition, -1) {
		if name, ok := allNames[p]; ok {
			names[p] = name
		} else if value, ok := allValues[p]; ok {
			values[p] = value
		}
	}
	if len(values) == 0 {
		values = nil
	}
	return names, values
}

// updateItemInput is u as one UpdateItem on its contact's item that returns
// the contact as written, and the old item when u's condition fails.
func (s *Store) updateItemInput(u contactUpdate) *dynamodb.UpdateItemInput {
	pk, sk := contactKey(u.contact.Owner, u.contact.Email)
	names, values := u.expression()
	in := &dynamodb.UpdateItemInput{
		TableName:                 s.table,
		Key:                       itemKey(pk, sk),
		UpdateExpression:          aws.String(u.set),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
		ReturnConsumedCapacity:    s.capacity,
	}
	if u.condition != "" {
		in.ConditionExpression = aws.String(u.condition)
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	return in
}

// keepReport is the SET clause that stores c's report where the stored
// contact has none; a contact is rarely created with a report.
func keepReport(c core.Contact) string {
	if c.Report == "" {
		return ""
	}
	return ", #report = if_not_exists(#report, :report)"
}

// unmarshalContact reads a contact item.
var unmarshalContact = unmarshalItem[contactItem, core.Contact]

// CreateContact implements core.ContactStore in one conditional UpdateItem:
// it writes when the owner has no such contact or only a request, and
// otherwise returns the existing contact from the failed condition.
func (s *Store) CreateContact(ctx context.Context, c core.Contact) (core.Contact, bool, error) {
	stored, err := s.updateContact(ctx, "CreateContact", s.updateItemInput(contactUpdate{
		set: "SET #id = if_not_exists(#id, :id), #owner = :owner, #email = :email, #name = :name, " +
			"#blocked = if_not_exists(#blocked, :blocked), #request = :request, " +
			"#createdAt = if_not_exists(#createdAt, :createdAt), #lastActivity = if_not_exists(#lastActivity, :lastActivity)" +
			keepReport(c),
		condition: "attribute_not_exists(#pk) OR #request = :true",
		contact:   c,
	}))
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		existing, err := unmarshalContact(failed.Item)
		if err != nil {
			return core.Contact{}, false, fmt.Errorf("create contact %s: existing: %w", c.Email, err)
		}
		return existing, false, nil
	case err != nil:
		return core.Contact{}, false, translate("create contact "+c.Email, err)
	}
	return stored, true, nil
}

// Contacts implements core.ContactStore with one Query of the owner's
// partition (more only past 1 MB, some two thousand contacts).
func (s *Store) Contacts(ctx context.Context, owner string) ([]core.Contact, error) {
	pk, _ := contactKey(owner, "")
	contacts, err := queryAll(ctx, s, "Contacts", s.prefixQuery(pk, contactPrefix), 0, unmarshalContact)
	if err != nil {
		return nil, fmt.Errorf("contacts of %s: %w", owner, err)
	}
	return contacts, nil
}

// Contact implements core.ContactStore with one strongly consistent GetItem.
func (s *Store) Contact(ctx context.Context, owner, email string) (core.Contact, error) {
	pk, sk := contactKey(owner, email)
	got, err := s.getItem(ctx, "Contact", itemKey(pk, sk))
	if err != nil {
		return core.Contact{}, fmt.Errorf("contact %s: %w", email, err)
	}
	if got == nil {
		return core.Contact{}, core.ErrNotAContact(email)
	}
	return unmarshalContact(got)
}

// BlockContact implements core.ContactStore in one UpdateItem that sets the
// block and writes c's fields only where the owner has no such contact yet.
func (s *Store) BlockContact(ctx context.Context, c core.Contact) (core.Contact, error) {
	blocked, err := s.updateContact(ctx, "BlockContact", s.updateItemInput(contactUpdate{
		set: "SET #id = if_not_exists(#id, :id), #owner = :owner, #email = :email, #name = if_not_exists(#name, :name), " +
			"#blocked = :true, #request = if_not_exists(#request, :request), " +
			"#createdAt = if_not_exists(#createdAt, :createdAt), #lastActivity = if_not_exists(#lastActivity, :lastActivity)" +
			keepReport(c),
		contact: c,
	}))
	if err != nil {
		return core.Contact{}, translate("block contact "+c.Email, err)
	}
	return blocked, nil
}

// UnblockContact implements core.ContactStore in one conditional UpdateItem.
func (s *Store) UnblockContact(ctx context.Context, owner, email string) (core.Contact, error) {
	unblocked, err := s.updateContact(ctx, "UnblockContact", s.updateItemInput(contactUpdate{
		set:       "SET #blocked = :false",
		condition: "attribute_exists(#pk)",
		contact:   core.Contact{Owner: owner, Email: email},
	}))
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return core.Contact{}, fmt.Errorf("unblock contact %s: %w", email, core.ErrNotAContact(email))
	case err != nil:
		return core.Contact{}, translate("unblock contact "+email, err)
	}
	return unblocked, nil
}

// updateContact runs one UpdateItem on a contact item and returns the contact
// as the update left it. A failed condition comes back as the SDK's
// *types.ConditionalCheckFailedException, carrying the old item when asked.
func (s *Store) updateContact(ctx context.Context, op string, in *dynamodb.UpdateItemInput) (core.Contact, error) {
	var out *dynamodb.UpdateItemOutput
	err := s.retry.do(ctx, func() (err error) {
		out, err = s.updateItem(ctx, op, in)
		return err
	})
	if err != nil {
		return core.Contact{}, err
	}
	return unmarshalContact(out.Attributes)
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
	Deleted      bool             `dynamodbav:"deleted,omitempty"`
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
		Deleted:      it.Deleted,
	}, nil
}
