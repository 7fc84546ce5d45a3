// Package dynamodb is Parley's store on one DynamoDB table: contacts,
// conversations, idempotency markers and reports under a pk/sk key design, in
// which every method is a constant number of requests, each write is one
// conditional request or one transaction, and nothing ever scans.
//
//	item                 pk                  sk
//	contact              USER#<owner>        CONTACT#<email>
//	message              CONV#<a>#<b>        MSG#<id>            (a < b)
//	idempotency marker   CONV#<a>#<b>        CLIENT#<sender>#<clientId>
//	report               REPORT#<reported>   REPORT#<reporter>#<hash of the text>
//	open/closed report   REPORTS#OPEN        REPORT#<id>         (and REPORTS#CLOSED)
//	account              USER#<email>        ACCOUNT             (send budget, suspension)
//
// Every part of a key is escaped ('#' and '%'), so keys never collide (keys.go),
// and the realtime items of realtime.go: receipts and connections.
package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

var _ core.Store = (*Store)(nil)

// API is the part of the DynamoDB client the store uses; *dynamodb.Client
// implements it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Store is a core.Store on one DynamoDB table, safe for concurrent use.
type Store struct {
	client   API
	table    *string
	capacity types.ReturnConsumedCapacity
	record   func(op string, units float64)
	retry    conflictRetry
	hints    bucketHint
}

// Option configures a Store.
type Option func(*Store)

// WithCapacityRecorder asks DynamoDB for the capacity every request consumes
// and reports it to record, with op the name of the store method that made
// the request. Without it the store does not ask.
func WithCapacityRecorder(record func(op string, units float64)) Option {
	return func(s *Store) {
		s.record = record
		s.capacity = types.ReturnConsumedCapacityTotal
	}
}

// New returns a store on the table tableName, which CreateTable made or
// Terraform declares.
func New(client API, tableName string, opts ...Option) *Store {
	s := &Store{client: client, table: aws.String(tableName), capacity: types.ReturnConsumedCapacityNone, retry: defaultConflictRetry}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

func (s *Store) recordCapacity(op string, consumed ...*types.ConsumedCapacity) {
	if s.record == nil {
		return
	}
	units := 0.0
	for _, c := range consumed {
		if c != nil && c.CapacityUnits != nil {
			units += *c.CapacityUnits
		}
	}
	s.record(op, units)
}

func (s *Store) recordTransaction(op string, consumed []types.ConsumedCapacity) {
	if s.record == nil {
		return
	}
	pointers := make([]*types.ConsumedCapacity, len(consumed))
	for i := range consumed {
		pointers[i] = &consumed[i]
	}
	s.recordCapacity(op, pointers...)
}

// Expression values used by several methods.
var (
	valueTrue  = &types.AttributeValueMemberBOOL{Value: true}
	valueFalse = &types.AttributeValueMemberBOOL{Value: false}
	valueOne   = &types.AttributeValueMemberN{Value: "1"}
)

func stringValue(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func boolValue(b bool) types.AttributeValue {
	if b {
		return valueTrue
	}
	return valueFalse
}

func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: stringValue(pk), attrSK: stringValue(sk)}
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
		"#unread": attrUnread,
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

func unmarshalContact(item map[string]types.AttributeValue) (core.Contact, error) {
	var it contactItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return core.Contact{}, fmt.Errorf("unmarshal contact: %w", err)
	}
	return it.toDomain()
}

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
	contacts := []core.Contact{}
	err := s.query(ctx, "Contacts", s.prefixQuery(pk, contactPrefix), 0, func(item map[string]types.AttributeValue) error {
		c, err := unmarshalContact(item)
		contacts = append(contacts, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("contacts of %s: %w", owner, err)
	}
	return contacts, nil
}

// prefixQuery is a strongly consistent Query of the items of partition pk
// whose sort key starts with prefix, oldest key first.
func (s *Store) prefixQuery(pk, prefix string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringValue(pk), ":prefix": stringValue(prefix)},
		ConsistentRead:            aws.Bool(true),
		ReturnConsumedCapacity:    s.capacity,
	}
}

// Contact implements core.ContactStore with one strongly consistent GetItem.
func (s *Store) Contact(ctx context.Context, owner, email string) (core.Contact, error) {
	pk, sk := contactKey(owner, email)
	got, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:              s.table,
		Key:                    itemKey(pk, sk),
		ConsistentRead:         aws.Bool(true),
		ReturnConsumedCapacity: s.capacity,
	})
	if err != nil {
		return core.Contact{}, translate("contact "+email, err)
	}
	s.recordCapacity("Contact", got.ConsumedCapacity)
	if got.Item == nil {
		return core.Contact{}, core.ErrNotAContact(email)
	}
	return unmarshalContact(got.Item)
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
		out, err = s.client.UpdateItem(ctx, in)
		return err
	})
	if err != nil {
		return core.Contact{}, err
	}
	s.recordCapacity(op, out.ConsumedCapacity)
	return unmarshalContact(out.Attributes)
}

// transactWrite sends in as a new transaction. The SDK fills in a
// ClientRequestToken, reused by its own retries of that request so a commit
// whose answer was lost is not applied twice, and writes it into the input it
// was given; each call here sends a copy, so a retry after a cancelled
// attempt is a new transaction with a fresh token, never a replay of the
// cancelled one.
func (s *Store) transactWrite(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	attempt := *in
	attempt.ClientRequestToken = nil
	return s.client.TransactWriteItems(ctx, &attempt)
}

// transactWriteRetrying sends in as new transactions until one does not lose
// to a concurrent write (conflictRetry).
func (s *Store) transactWriteRetrying(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	var out *dynamodb.TransactWriteItemsOutput
	err := s.retry.do(ctx, func() (err error) {
		out, err = s.transactWrite(ctx, in)
		return err
	})
	return out, err
}

// ReportContact implements core.ContactStore in two requests: one
// transaction sets the report on the contact, which must exist, and puts the
// report where no report of that reporter with that text is (a retry finds
// it and writes nothing); a strongly consistent GetItem then reads the
// contact back, because a transaction returns no items. A retry after a lost
// answer or a failed read therefore stores nothing twice.
func (s *Store) ReportContact(ctx context.Context, r core.Report) (core.Contact, error) {
	pk, sk := contactKey(r.Reporter, r.Reported)
	report, err := attributevalue.MarshalMap(newReportItem(r))
	if err != nil {
		return core.Contact{}, fmt.Errorf("report contact %s: marshal report %s: %w", r.Reported, r.ID, err)
	}
	openIndex, err := attributevalue.MarshalMap(newReportItem(r).indexed(openReportsKey))
	if err != nil {
		return core.Contact{}, fmt.Errorf("report contact %s: marshal open report %s: %w", r.Reported, r.ID, err)
	}
	in := &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{
				TableName:                 s.table,
				Key:                       itemKey(pk, sk),
				UpdateExpression:          aws.String("SET #report = :report"),
				ConditionExpression:       aws.String("attribute_exists(#pk)"),
				ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#report": attrReport},
				ExpressionAttributeValues: map[string]types.AttributeValue{":report": stringValue(r.Text)},
			}},
			{Put: &types.Put{
				TableName:                s.table,
				Item:                     report,
				ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
				ExpressionAttributeNames: map[string]string{"#pk": attrPK},
			}},
			// Its entry among the open reports (moderation.go).
			{Put: &types.Put{TableName: s.table, Item: openIndex}},
		},
		ReturnConsumedCapacity: s.capacity,
	}
	out, err := s.transactWriteRetrying(ctx, in)
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
		return core.Contact{}, fmt.Errorf("report contact %s: %w", r.Reported, core.ErrNotAContact(r.Reported))
	case errors.As(err, &canceled) && reasonCode(canceled, 1) == reasonConditionalCheck:
		// This report is kept already: a retry. Answer as the first time.
	case err != nil:
		return core.Contact{}, translate(fmt.Sprintf("report contact %s: put report %s", r.Reported, r.ID), err)
	default:
		s.recordTransaction("ReportContact", out.ConsumedCapacity)
	}

	got, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:              s.table,
		Key:                    itemKey(pk, sk),
		ConsistentRead:         aws.Bool(true),
		ReturnConsumedCapacity: s.capacity,
	})
	if err != nil {
		return core.Contact{}, translate("report contact "+r.Reported+": read back", err)
	}
	s.recordCapacity("ReportContact", got.ConsumedCapacity)
	if got.Item == nil {
		return core.Contact{}, fmt.Errorf("report contact %s: contact vanished after the report", r.Reported)
	}
	contact, err := unmarshalContact(got.Item)
	if err != nil {
		return core.Contact{}, fmt.Errorf("report contact %s: %w", r.Reported, err)
	}
	return contact, nil
}

// Reports implements core.ModerationStore with one Query per 1 MB of reports,
// and one more per report without stored evidence to read it.
func (s *Store) Reports(ctx context.Context, reported string) ([]core.Report, error) {
	reports := []core.Report{}
	err := s.query(ctx, "Reports", s.prefixQuery(reportPartitionKey(reported), reportPrefix), 0, func(item map[string]types.AttributeValue) error {
		var it reportItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return fmt.Errorf("unmarshal report: %w", err)
		}
		r, err := it.toDomain()
		reports = append(reports, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reports about %s: %w", reported, err)
	}
	return s.withEvidence(ctx, reports)
}

// AddMessage implements core.MessageStore in one TransactWriteItems that
// checks and writes, in this order: the idempotency marker (when m has a
// ClientID), the sender's contact (must exist, not blocked), the recipient's
// contact (not blocked; one more unread), the message, and the conversation's
// receipts item, whose version every message moves so that an ack counting
// unread messages cannot miss one. Why a transaction was cancelled is read
// from its reasons, and a retry's stored message from the marker's old image,
// so no path reads again. Only a stranger's first message takes a second
// transaction: the first one finds the recipient without a contact, the
// second stores request as it.
func (s *Store) AddMessage(ctx context.Context, m, preview core.Message, request core.Contact) (core.SentMessage, error) {
	send, err := s.newSendTransaction(m, preview, request)
	if err != nil {
		return core.SentMessage{}, err
	}
	for range 3 {
		sent, retryAsRequest, err := s.sendOnce(ctx, send)
		if err != nil || sent.Created || sent.Message.ID != "" {
			return sent, err
		}
		// The recipient's contact appeared or vanished between attempts.
		send.asRequest = retryAsRequest
	}
	return core.SentMessage{}, fmt.Errorf("add message %s: recipient contact keeps changing: %w", m.ID, errConflict)
}

// sendTransaction is the write of one message, ready to send.
type sendTransaction struct {
	message core.Message
	request core.Contact
	// asRequest writes request as the recipient's contact, which must not
	// exist, rather than update the recipient's contact, which must.
	asRequest bool
	marker    map[string]types.AttributeValue
	item      map[string]types.AttributeValue
	preview   types.AttributeValue
	// previewMessage is the preview the service handed in.
	previewMessage core.Message
}

func (s *Store) newSendTransaction(m, preview core.Message, request core.Contact) (*sendTransaction, error) {
	message := newMessageItem(m)
	item, err := attributevalue.MarshalMap(message)
	if err != nil {
		return nil, fmt.Errorf("add message %s: marshal: %w", m.ID, err)
	}
	previewAV, err := attributevalue.Marshal(newEmbeddedMessage(preview))
	if err != nil {
		return nil, fmt.Errorf("add message %s: marshal preview: %w", m.ID, err)
	}
	send := &sendTransaction{message: m, request: request, item: item, preview: previewAV, previewMessage: preview}
	if m.ClientID != "" {
		if send.marker, err = attributevalue.MarshalMap(message.clientMarker(m.Date)); err != nil {
			return nil, fmt.Errorf("add message %s: marshal marker: %w", m.ID, err)
		}
	}
	send.request.LastActivity = m.Date
	return send, nil
}

// sendOnce sends the transaction once. When the recipient's contact was not
// as send.asRequest expected it returns an empty result, no error, and
// whether to try again as a request.
func (s *Store) sendOnce(ctx context.Context, send *sendTransaction) (core.SentMessage, bool, error) {
	m := send.message
	date := stringValue(formatTime(m.Date))
	senderPK, senderSK := contactKey(m.Sender, m.Recipient)
	recipient := contactUpdate{
		set: "SET #id = if_not_exists(#id, :id), #owner = :owner, #email = :email, #name = if_not_exists(#name, :name), " +
			"#blocked = if_not_exists(#blocked, :false), #request = if_not_exists(#request, :request), " +
			"#createdAt = if_not_exists(#createdAt, :createdAt), #lastActivity = :lastActivity, #lastMessage = :lastMessage " +
			"ADD #unread :one",
		condition:   "attribute_exists(#pk) AND #blocked <> :true",
		contact:     send.request,
		lastMessage: send.preview,
	}
	if send.asRequest {
		recipient.condition = "attribute_not_exists(#pk)"
	}
	recipientNames, recipientValues := recipient.expression()
	recipientPK, recipientSK := contactKey(m.Recipient, m.Sender)

	var items []types.TransactWriteItem
	markerAt := -1
	if send.marker != nil {
		markerAt = len(items)
		// An expired marker that TTL has not deleted yet (it may take days)
		// counts as gone, as it would in the memory store.
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName:                           s.table,
			Item:                                send.marker,
			ConditionExpression:                 aws.String("attribute_not_exists(#pk) OR #expiresAt <= :now"),
			ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#expiresAt": TTLAttribute},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(m.Date.Unix(), 10)}},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	senderAt := len(items)
	items = append(items, types.TransactWriteItem{Update: &types.Update{
		TableName:                           s.table,
		Key:                                 itemKey(senderPK, senderSK),
		UpdateExpression:                    aws.String("SET #lastActivity = :date, #lastMessage = :preview"),
		ConditionExpression:                 aws.String("attribute_exists(#pk) AND #blocked <> :true"),
		ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#blocked": attrBlocked, "#lastActivity": attrLastActivity, "#lastMessage": attrLastMessage},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":true": valueTrue, ":date": date, ":preview": send.preview},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}})
	recipientAt := len(items)
	items = append(items, types.TransactWriteItem{Update: &types.Update{
		TableName:                           s.table,
		Key:                                 itemKey(recipientPK, recipientSK),
		UpdateExpression:                    aws.String(recipient.set),
		ConditionExpression:                 aws.String(recipient.condition),
		ExpressionAttributeNames:            recipientNames,
		ExpressionAttributeValues:           recipientValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}})
	messageAt := len(items)
	items = append(items, types.TransactWriteItem{Put: &types.Put{
		TableName:                s.table,
		Item:                     send.item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}}, s.bumpReceiptsVersion(m.Sender, m.Recipient))
	in := &dynamodb.TransactWriteItemsInput{TransactItems: items, ReturnConsumedCapacity: s.capacity}

	var out *dynamodb.TransactWriteItemsOutput
	var stored *core.Message
	err := s.retry.do(ctx, func() (err error) {
		out, err = s.transactWrite(ctx, in)
		var canceled *types.TransactionCanceledException
		if markerAt >= 0 && errors.As(err, &canceled) && reasonCode(canceled, markerAt) == reasonConditionalCheck {
			// A send with this ClientID is stored: answer with it, even if a
			// block came later, as a retry of an accepted send.
			var it messageItem
			if err := attributevalue.UnmarshalMap(canceled.CancellationReasons[markerAt].Item, &it); err != nil {
				return fmt.Errorf("unmarshal stored message: %w", err)
			}
			sent, err := it.toDomain()
			stored = &sent
			return err
		}
		return err
	})
	var canceled *types.TransactionCanceledException
	switch {
	case stored != nil && err == nil:
		return core.SentMessage{Message: *stored}, false, nil
	case err == nil:
		s.recordTransaction("AddMessage", out.ConsumedCapacity)
		sent := core.SentMessage{Message: m, Created: true}
		if send.asRequest {
			request := send.request
			preview := send.previewMessage
			request.LastMessage, request.Unread = &preview, 1
			sent.Request = &request
		}
		return sent, false, nil
	case isConflict(err) || !errors.As(err, &canceled):
		return core.SentMessage{}, false, translate("add message "+m.ID, err)
	case reasonCode(canceled, senderAt) == reasonConditionalCheck:
		if canceled.CancellationReasons[senderAt].Item == nil {
			return core.SentMessage{}, false, fmt.Errorf("add message %s: %w", m.ID, core.ErrNotAContact(m.Recipient))
		}
		return core.SentMessage{}, false, fmt.Errorf("add message %s: %w", m.ID,
			core.ErrYouBlocked(m.Recipient))
	case reasonCode(canceled, recipientAt) == reasonConditionalCheck:
		old := canceled.CancellationReasons[recipientAt].Item
		if old == nil || send.asRequest {
			blocked, ok := old[attrBlocked].(*types.AttributeValueMemberBOOL)
			if old != nil && ok && blocked.Value {
				break
			}
			return core.SentMessage{}, old == nil, nil
		}
	case reasonCode(canceled, messageAt) == reasonConditionalCheck:
		return core.SentMessage{}, false, fmt.Errorf("add message %s: message ID taken: %w", m.ID, errConflict)
	default:
		return core.SentMessage{}, false, translate("add message "+m.ID, err)
	}
	return core.SentMessage{}, false, fmt.Errorf("add message %s: %w", m.ID,
		core.ErrBlockedByRecipient(m.Recipient))
}

// Messages implements core.MessageStore with one Query, reversed into
// ascending order when it read newest first. The conversation's receipts
// item sorts right after its messages, so the newest page, and a catch-up page
// that reaches the newest message, read the other member's watermarks in the
// same Query; an older page that holds a message of the reader's reads them
// with one GetItem more. BETWEEN is inclusive, so a page from before or after
// asks for one item more and drops that message itself. More than one Query
// only when the page passes 1 MB (a hundred messages near the size limit).
func (s *Store) Messages(ctx context.Context, q core.MessageQuery) (core.MessagePage, error) {
	in := &dynamodb.QueryInput{
		TableName:                 s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :low AND :high"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringValue(conversationKey(q.Reader, q.With))},
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
		ReturnConsumedCapacity:    s.capacity,
	}
	low, high, want := messagePrefix, receiptsSortKey, q.Limit+1
	switch {
	case q.Before != "":
		high = messageSortKey(q.Before)
	case q.After != "":
		low, want = messageSortKey(q.After), q.Limit+2
		in.ScanIndexForward = aws.Bool(true)
	}
	in.ExpressionAttributeValues[":low"], in.ExpressionAttributeValues[":high"] = stringValue(low), stringValue(high)

	page := core.MessagePage{Messages: make([]core.Message, 0, want)}
	var receipts *receiptsItem
	err := s.query(ctx, "Messages", in, want, func(item map[string]types.AttributeValue) error {
		if sk, _ := item[attrSK].(*types.AttributeValueMemberS); sk != nil && sk.Value == receiptsSortKey {
			receipts = &receiptsItem{}
			return attributevalue.UnmarshalMap(item, receipts)
		}
		var it messageItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return fmt.Errorf("unmarshal message: %w", err)
		}
		if it.ID == q.Before || it.ID == q.After {
			return nil
		}
		m, err := it.toDomain()
		page.Messages = append(page.Messages, m)
		return err
	})
	if err != nil {
		return core.MessagePage{}, fmt.Errorf("messages before %q after %q: %w", q.Before, q.After, err)
	}
	if len(page.Messages) > q.Limit {
		page.Messages = page.Messages[:q.Limit]
	}
	if q.After == "" {
		slices.Reverse(page.Messages)
	}
	if receipts == nil && slices.ContainsFunc(page.Messages, func(m core.Message) bool { return m.Sender == q.Reader }) {
		if receipts, err = s.receipts(ctx, q.Reader, q.With); err != nil {
			return core.MessagePage{}, err
		}
	}
	if receipts != nil {
		page.WithWatermarks = receipts.watermarks(q.With)
	}
	return page, nil
}

// query runs in and its following pages, handing each item to each, until
// want items (0: all) have been read.
func (s *Store) query(ctx context.Context, op string, in *dynamodb.QueryInput, want int, each func(map[string]types.AttributeValue) error) error {
	read := 0
	for {
		if want > 0 {
			in.Limit = aws.Int32(int32(want - read))
		}
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return translate("query", err)
		}
		s.recordCapacity(op, out.ConsumedCapacity)
		for _, item := range out.Items {
			if err := each(item); err != nil {
				return err
			}
		}
		read += len(out.Items)
		if len(out.LastEvaluatedKey) == 0 || (want > 0 && read >= want) {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
