package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// AddMessage implements core.MessageStore in one TransactWriteItems that
// checks and writes, in this order: the idempotency marker (when m has a
// ClientID), the sender's contact (must exist, not blocked), the recipient's
// contact (not blocked; one more unread), the message, the conversation's
// receipts item, whose version every message moves so that an ack counting
// unread messages cannot miss one, and which keeps the conversation's newest
// ID so that its messages commit in ID order, and, with a charge, the
// sender's account item, which takes the send (budget.go). Why a transaction
// was cancelled is read from its reasons, and a retry's stored message from
// the marker's old image, so no path reads again. A second transaction only
// when a guess was wrong: a stranger's first message (the first one finds the
// recipient without a contact, the second stores request as it), or a bucket
// whose case this process guessed wrong (another instance spent from it).
func (s *Store) AddMessage(ctx context.Context, m, preview core.Message, request core.Contact, charge *core.Charge) (core.SentMessage, error) {
	send, err := s.newSendTransaction(m, preview, request, charge)
	if err != nil {
		return core.SentMessage{}, err
	}
	for range 6 {
		sent, again, err := s.sendOnce(ctx, send)
		if err != nil || !again {
			return sent, err
		}
	}
	return core.SentMessage{}, fmt.Errorf("add message %s: recipient contact or send budget keeps changing: %w", m.ID, errConflict)
}

// sendTransaction is the write of one message, ready to send.
type sendTransaction struct {
	message core.Message
	request core.Contact
	// asRequest writes request as the recipient's contact, which must not
	// exist, rather than update the recipient's contact, which must.
	asRequest bool
	// charge, when set, is taken in the case refilling names (budget.go).
	charge    *core.Charge
	refilling bool
	marker    map[string]types.AttributeValue
	item      map[string]types.AttributeValue
	preview   types.AttributeValue
	// previewMessage is the preview the service handed in.
	previewMessage core.Message
}

func (s *Store) newSendTransaction(m, preview core.Message, request core.Contact, charge *core.Charge) (*sendTransaction, error) {
	message := newMessageItem(m)
	item, err := attributevalue.MarshalMap(message)
	if err != nil {
		return nil, fmt.Errorf("add message %s: marshal: %w", m.ID, err)
	}
	previewAV, err := attributevalue.Marshal(newEmbeddedMessage(preview))
	if err != nil {
		return nil, fmt.Errorf("add message %s: marshal preview: %w", m.ID, err)
	}
	send := &sendTransaction{message: m, request: request, item: item, preview: previewAV, previewMessage: preview, charge: charge}
	if charge != nil {
		send.refilling = s.guessRefilling(*charge)
	}
	if m.ClientID != "" {
		if send.marker, err = attributevalue.MarshalMap(message.clientMarker(m.Date)); err != nil {
			return nil, fmt.Errorf("add message %s: marshal marker: %w", m.ID, err)
		}
	}
	send.request.LastActivity = m.Date
	return send, nil
}

// sendOnce sends the transaction once. When a guess of send's was wrong (the
// recipient's contact, the bucket's case) it corrects send and returns again
// true, no error, for the caller to send it again.
func (s *Store) sendOnce(ctx context.Context, send *sendTransaction) (sent core.SentMessage, again bool, err error) {
	items, at := s.sendItems(send)
	in := &dynamodb.TransactWriteItemsInput{TransactItems: items}
	var stored *core.Message
	err = s.retry.do(ctx, func() (err error) {
		stored, err = storedByMarker(s.transactOnce(ctx, "AddMessage", in), at.marker)
		return err
	})
	switch {
	case stored != nil && err == nil:
		return core.SentMessage{Message: *stored}, false, nil
	case err == nil:
		if send.charge != nil {
			s.charged(*send.charge, send.refilling)
		}
		return send.sent(), false, nil
	}
	again, err = s.refused(send, err, at)
	return core.SentMessage{}, again, err
}

// sendPositions are the places of a send's items in its transaction, where
// its cancellation reasons say which condition failed; marker and charge are
// -1 when the message has no ClientID, no charge.
type sendPositions struct{ marker, sender, recipient, recipientAccount, message, order, charge int }

// sendItems are the items of send's transaction, in the order AddMessage
// describes, and their places.
func (s *Store) sendItems(send *sendTransaction) ([]types.TransactWriteItem, sendPositions) {
	var items []types.TransactWriteItem
	at := sendPositions{marker: -1, charge: -1, recipientAccount: -1}
	if send.marker != nil {
		at.marker = len(items)
		items = append(items, s.markerPut(send))
	}
	at.sender = len(items)
	items = append(items, s.senderUpdate(send))
	at.recipient = len(items)
	items = append(items, s.recipientUpdate(send))
	if send.asRequest {
		// A request is a contact the recipient never had: it must not be
		// made for an account whose deletion is under way (account.go),
		// which would outlive it.
		at.recipientAccount = len(items)
		items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                s.table,
			Key:                      accountKey(send.message.Recipient),
			ConditionExpression:      aws.String("attribute_not_exists(#deleting)"),
			ExpressionAttributeNames: map[string]string{"#deleting": attrDeleting},
		}})
	}
	at.message = len(items)
	items = append(items, types.TransactWriteItem{Put: &types.Put{
		TableName:                s.table,
		Item:                     send.item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}})
	at.order = len(items)
	items = append(items, s.conversationOrder(send.message))
	if send.charge != nil {
		at.charge = len(items)
		items = append(items, types.TransactWriteItem{Update: s.chargeUpdate(*send.charge, send.refilling)})
	}
	return items, at
}

// Attributes of the conversation's receipts item that keep its newest
// message.
const (
	attrNewest     = "newest"
	attrNewestDate = "newestDate"
)

// conversationOrder is the receipts item's update by which m moves the
// conversation's version (bumpReceiptsVersion), and also keeps m as its
// newest message, on the condition that m's ID sorts after the newest one.
// Every message of a conversation writes this item, so its transactions
// commit in ID order: a reader catching up after the newest message it has
// cannot miss one that was named earlier and committed later.
func (s *Store) conversationOrder(m core.Message) types.TransactWriteItem {
	item := s.bumpReceiptsVersion(m.Sender, m.Recipient)
	orderAfterNewest(item.Update, m.ID, m.Date)
	return item
}

// orderAfterNewest makes update also keep id and date as its item's newest,
// on the condition (beside its own) that id sorts after the newest one; the
// item as it was comes back when that fails (newestOf reads it).
func orderAfterNewest(update *types.Update, id string, date time.Time) {
	const set = "SET #newest = :newest, #newestDate = :newestDate"
	if expression := *update.UpdateExpression; strings.Contains(expression, "SET ") {
		// An expression holds one SET clause at most: join it.
		update.UpdateExpression = aws.String(strings.Replace(expression, "SET ", set+", ", 1))
	} else {
		update.UpdateExpression = aws.String(expression + " " + set)
	}
	condition := "(attribute_not_exists(#newest) OR #newest < :newest)"
	if update.ConditionExpression != nil {
		condition = "(" + *update.ConditionExpression + ") AND " + condition
	}
	update.ConditionExpression = aws.String(condition)
	update.ExpressionAttributeNames["#newest"], update.ExpressionAttributeNames["#newestDate"] = attrNewest, attrNewestDate
	update.ExpressionAttributeValues[":newest"], update.ExpressionAttributeValues[":newestDate"] = stringValue(id), stringValue(formatTime(date))
	update.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
}

// newestOf reads the date of the newest write from an item as it was.
func newestOf(old map[string]types.AttributeValue) (time.Time, error) {
	var newest struct {
		Date string `dynamodbav:"newestDate"`
	}
	if err := attributevalue.UnmarshalMap(old, &newest); err != nil {
		return time.Time{}, fmt.Errorf("unmarshal newest: %w", err)
	}
	return parseTime(attrNewestDate, newest.Date)
}

// outOfOrder is the error of a message whose ID does not sort after the
// newest of its conversation, read from the receipts item as it was.
func outOfOrder(m core.Message, old map[string]types.AttributeValue) error {
	date, err := newestOf(old)
	if err != nil {
		return fmt.Errorf("add message %s: %w", m.ID, err)
	}
	return fmt.Errorf("add message %s: %w", m.ID, &core.OutOfOrderError{Newest: date})
}

// markerPut puts the idempotency marker of send's ClientID where there is
// none. An expired marker that TTL has not deleted yet (it may take days)
// counts as gone, as it would in the memory store.
func (s *Store) markerPut(send *sendTransaction) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                           s.table,
		Item:                                send.marker,
		ConditionExpression:                 aws.String("attribute_not_exists(#pk) OR #expiresAt <= :now"),
		ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#expiresAt": TTLAttribute},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(send.message.Date.Unix(), 10)}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

// senderUpdate moves the sender's contact, which must exist and not be
// blocked, to the message.
func (s *Store) senderUpdate(send *sendTransaction) types.TransactWriteItem {
	m := send.message
	pk, sk := contactKey(m.Sender, m.Recipient)
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           s.table,
		Key:                                 itemKey(pk, sk),
		UpdateExpression:                    aws.String("SET #lastActivity = :date, #lastMessage = :preview"),
		ConditionExpression:                 aws.String("attribute_exists(#pk) AND #blocked <> :true AND attribute_not_exists(#deleted)"),
		ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#blocked": attrBlocked, "#deleted": attrDeleted, "#lastActivity": attrLastActivity, "#lastMessage": attrLastMessage},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":true": valueTrue, ":date": stringValue(formatTime(m.Date)), ":preview": send.preview},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

// recipientUpdate moves the recipient's contact to the message with one more
// unread: an existing contact that has not blocked the sender, or, as a
// request, a contact that does not exist yet.
func (s *Store) recipientUpdate(send *sendTransaction) types.TransactWriteItem {
	m := send.message
	recipient := contactUpdate{
		set: "SET #id = if_not_exists(#id, :id), #owner = :owner, #email = :email, #name = if_not_exists(#name, :name), " +
			"#blocked = if_not_exists(#blocked, :false), #request = if_not_exists(#request, :request), " +
			"#createdAt = if_not_exists(#createdAt, :createdAt), #lastActivity = :lastActivity, #lastMessage = :lastMessage " +
			"ADD #unread :one REMOVE #deleted",
		condition:   "attribute_exists(#pk) AND #blocked <> :true",
		contact:     send.request,
		lastMessage: send.preview,
	}
	if send.asRequest {
		recipient.condition = "attribute_not_exists(#pk)"
	}
	names, values := recipient.expression()
	pk, sk := contactKey(m.Recipient, m.Sender)
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           s.table,
		Key:                                 itemKey(pk, sk),
		UpdateExpression:                    aws.String(recipient.set),
		ConditionExpression:                 aws.String(recipient.condition),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

// storedByMarker returns the message a cancelled send found stored under its
// ClientID (the marker at its place, -1 for none), with no error: a retry of
// an accepted send is answered with it, even if a block came later. Any other
// err comes back as it is.
func storedByMarker(err error, marker int) (*core.Message, error) {
	var canceled *types.TransactionCanceledException
	if marker < 0 || !errors.As(err, &canceled) || reasonCode(canceled, marker) != reasonConditionalCheck {
		return nil, err
	}
	sent, err := unmarshalItem[messageItem, core.Message](canceled.CancellationReasons[marker].Item)
	return &sent, err
}

// sent is the answer to send once its transaction committed.
func (send *sendTransaction) sent() core.SentMessage {
	sent := core.SentMessage{Message: send.message, Created: true}
	if send.asRequest {
		request := send.request
		preview := send.previewMessage
		request.LastMessage, request.Unread = &preview, 1
		sent.Request = &request
	}
	return sent
}

// refused turns the failure of send's transaction into the domain's error,
// read from the cancellation reasons at their places, in AddMessage's order
// but for the charge, which comes first: a sender over budget is told so
// before anything else, as Spend would have. A guess of send's that was wrong
// (the recipient's contact, the bucket's case) is no error: it is corrected
// and again is true.
func (s *Store) refused(send *sendTransaction, err error, at sendPositions) (again bool, _ error) {
	m := send.message
	var canceled *types.TransactionCanceledException
	if isConflict(err) || !errors.As(err, &canceled) {
		return false, translate("add message "+m.ID, err)
	}
	failed := func(i int) bool { return i >= 0 && reasonCode(canceled, i) == reasonConditionalCheck }
	switch {
	case failed(at.charge):
		refilling, err := s.chargeRefused(*send.charge, canceled.CancellationReasons[at.charge].Item)
		if err != nil {
			return false, fmt.Errorf("add message %s: send budget: %w", m.ID, err)
		}
		send.refilling = refilling
		return true, nil
	case failed(at.sender):
		old := canceled.CancellationReasons[at.sender].Item
		if old == nil {
			return false, fmt.Errorf("add message %s: %w", m.ID, core.ErrNotAContact(m.Recipient))
		}
		if _, deleted := old[attrDeleted]; deleted {
			return false, fmt.Errorf("add message %s: %w", m.ID, core.ErrRecipientDeleted(m.Recipient))
		}
		return false, fmt.Errorf("add message %s: %w", m.ID, core.ErrYouBlocked(m.Recipient))
	case failed(at.recipient):
		old := canceled.CancellationReasons[at.recipient].Item
		blocked, _ := old[attrBlocked].(*types.AttributeValueMemberBOOL)
		if old != nil && (!send.asRequest || blocked != nil && blocked.Value) {
			return false, fmt.Errorf("add message %s: %w", m.ID, core.ErrBlockedByRecipient(m.Recipient))
		}
		// The recipient's contact appeared or vanished since the guess.
		send.asRequest = old == nil
		return true, nil
	case failed(at.recipientAccount):
		return false, fmt.Errorf("add message %s: %w", m.ID, core.ErrRecipientDeleted(m.Recipient))
	case failed(at.message):
		return false, fmt.Errorf("add message %s: message ID taken: %w", m.ID, errConflict)
	case failed(at.order):
		return false, outOfOrder(m, canceled.CancellationReasons[at.order].Item)
	default:
		return false, translate("add message "+m.ID, err)
	}
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

// messageItem is a core.Message as stored: its fields (flattened into the
// item) and its key. The message itself has pk CONV#<a>#<b> and sk MSG#<id>;
// its idempotency marker is a copy with sk CLIENT#<sender>#<clientId> in the
// same partition, so a retried send gets the stored message back from the
// failed condition alone.
type messageItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	embeddedMessage
	// ExpiresAt (Unix seconds) is set on idempotency markers only: DynamoDB's
	// TTL deletes them after core.ClientIDWindow; messages never expire.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
}

func newMessageItem(m core.Message) messageItem {
	return messageItem{
		PK:              conversationKey(m.Sender, m.Recipient),
		SK:              messageSortKey(m.ID),
		embeddedMessage: newEmbeddedMessage(m),
	}
}

// clientMarker returns the idempotency marker of the message item sent at
// date, which expires core.ClientIDWindow after it.
func (it messageItem) clientMarker(date time.Time) messageItem {
	it.SK = clientSortKey(it.Sender, it.ClientID)
	it.ExpiresAt = date.Add(core.ClientIDWindow).Unix()
	return it
}

// embeddedMessage is the fields of a message: those of its own item, and a
// message kept inside another item (a report's evidence, a contact's last
// message).
type embeddedMessage struct {
	ID        string `dynamodbav:"id"`
	Sender    string `dynamodbav:"sender"`
	Recipient string `dynamodbav:"recipient"`
	Text      string `dynamodbav:"text"`
	Date      string `dynamodbav:"date"`
	ClientID  string `dynamodbav:"clientId,omitempty"`
	Deleted   bool   `dynamodbav:"deleted,omitempty"`
}

func newEmbeddedMessage(m core.Message) embeddedMessage {
	return embeddedMessage{ID: m.ID, Sender: m.Sender, Recipient: m.Recipient, Text: m.Text, Date: formatTime(m.Date), ClientID: m.ClientID, Deleted: m.Deleted}
}

func (e embeddedMessage) toDomain() (core.Message, error) {
	date, err := parseTime("date", e.Date)
	if err != nil {
		return core.Message{}, err
	}
	return core.Message{ID: e.ID, Sender: e.Sender, Recipient: e.Recipient, Text: e.Text, Date: date, ClientID: e.ClientID, Deleted: e.Deleted}, nil
}

// unsendAttempts bounds how often an unsend starts over after a message or an
// ack changed the conversation while it read.
const unsendAttempts = 8

// DeleteMessage implements core.MessageEraser: four GetItems at once (the
// message, the conversation's receipts item, both members' contacts), the
// reports of the conversation kept with their evidence (keepEvidence), then
// one transaction that erases the message and its idempotency marker,
// corrects the contacts that change, and moves the receipts version on the
// condition that it is still the one read, so that no message or ack slips
// between the reads and the write; when one did, it starts over.
func (s *Store) DeleteMessage(ctx context.Context, u core.Unsend) (core.UnsentMessage, error) {
	withMarker := true
	for range unsendAttempts {
		unsent, retry, err := s.deleteMessageOnce(ctx, u, &withMarker)
		if !retry {
			return unsent, err
		}
	}
	return core.UnsentMessage{}, fmt.Errorf("delete message %s: %w", u.ID, errConflict)
}

// unsendReads is what an unsend reads before it writes.
type unsendReads struct {
	message  *messageItem
	receipts *receiptsItem
	contacts map[string]*core.Contact
}

func (s *Store) readForUnsend(ctx context.Context, u core.Unsend) (unsendReads, error) {
	reads := unsendReads{contacts: map[string]*core.Contact{}}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	wg.Go(func() {
		got, err := s.getItem(ctx, "DeleteMessage", itemKey(conversationKey(u.Sender, u.Recipient), messageSortKey(u.ID)))
		if err != nil || got == nil {
			errs[0] = err
			return
		}
		reads.message = &messageItem{}
		errs[0] = attributevalue.UnmarshalMap(got, reads.message)
	})
	wg.Go(func() { reads.receipts, errs[1] = s.receipts(ctx, u.Sender, u.Recipient) })
	var mu sync.Mutex
	for i, owner := range []string{u.Sender, u.Recipient} {
		wg.Go(func() {
			c, err := s.Contact(ctx, owner, otherOf(u, owner))
			if core.ErrorCode(err) == core.ENOTFOUND {
				return
			}
			errs[2+i] = err
			mu.Lock()
			reads.contacts[owner] = &c
			mu.Unlock()
		})
	}
	wg.Wait()
	return reads, errors.Join(errs...)
}

func otherOf(u core.Unsend, member string) string {
	if member == u.Sender {
		return u.Recipient
	}
	return u.Sender
}

func (s *Store) deleteMessageOnce(ctx context.Context, u core.Unsend, withMarker *bool) (core.UnsentMessage, bool, error) {
	reads, err := s.readForUnsend(ctx, u)
	if err != nil {
		return core.UnsentMessage{}, false, fmt.Errorf("delete message %s: %w", u.ID, err)
	}
	if reads.message == nil || reads.message.Sender != u.Sender {
		return core.UnsentMessage{}, false, core.ErrNoMessage(u.ID)
	}
	stored, err := reads.message.toDomain()
	if err != nil {
		return core.UnsentMessage{}, false, err
	}
	if stored.Deleted {
		return core.UnsentMessage{Message: stored}, false, nil
	}
	if err := s.keepEvidence(ctx, u); err != nil {
		return core.UnsentMessage{}, false, fmt.Errorf("delete message %s: %w", u.ID, err)
	}
	erased := stored.Erased()
	unsent := core.UnsentMessage{Message: erased, Erased: true}
	items := []types.TransactWriteItem{s.eraseMessage(u, messageSortKey(u.ID)), s.receiptsMoved(u, reads.receipts)}
	for _, owner := range []string{u.Sender, u.Recipient} {
		c := reads.contacts[owner]
		if c == nil {
			continue
		}
		var read string
		if reads.receipts != nil {
			read = reads.receipts.watermarks(owner).Read
		}
		if changed, ok := core.UnsentFromContact(*c, erased, read); ok {
			update, err := s.unsentContactUpdate(changed)
			if err != nil {
				return core.UnsentMessage{}, false, err
			}
			items = append(items, update)
			unsent.Contacts = append(unsent.Contacts, changed)
		}
	}
	marker := -1
	if stored.ClientID != "" && *withMarker {
		marker = len(items)
		items = append(items, s.eraseMessage(u, clientSortKey(u.Sender, stored.ClientID)))
	}
	err = s.transactOnce(ctx, "DeleteMessage", &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	switch {
	case err == nil:
		return unsent, false, nil
	case errors.As(err, &canceled) && marker >= 0 && reasonCode(canceled, marker) == reasonConditionalCheck:
		// The marker expired, or names a later message with the same clientId.
		*withMarker = false
		return core.UnsentMessage{}, true, nil
	case isConflict(err), errors.As(err, &canceled) && hasReason(canceled, reasonConditionalCheck):
		return core.UnsentMessage{}, true, nil
	default:
		return core.UnsentMessage{}, false, translate("delete message "+u.ID, err)
	}
}

// eraseMessage erases the text of the item at sk of u's conversation, a
// message or its idempotency marker, on the condition that it is u's.
func (s *Store) eraseMessage(u core.Unsend, sk string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 s.table,
		Key:                       itemKey(conversationKey(u.Sender, u.Recipient), sk),
		UpdateExpression:          aws.String("SET #text = :empty, #deleted = :true"),
		ConditionExpression:       aws.String("#id = :id AND #sender = :sender"),
		ExpressionAttributeNames:  map[string]string{"#text": attrText, "#deleted": attrDeleted, "#id": attrID, "#sender": "sender"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":empty": stringValue(""), ":true": valueTrue, ":id": stringValue(u.ID), ":sender": stringValue(u.Sender)},
	}}
}

// receiptsMoved moves the receipts version of u's conversation on the
// condition that it is still seen's (nil: there is no receipts item yet).
func (s *Store) receiptsMoved(u core.Unsend, seen *receiptsItem) types.TransactWriteItem {
	item := s.bumpReceiptsVersion(u.Sender, u.Recipient)
	if seen == nil {
		item.Update.ConditionExpression = aws.String("attribute_not_exists(#version)")
	} else {
		item.Update.ConditionExpression = aws.String("#version = :version")
		item.Update.ExpressionAttributeValues[":version"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(seen.Version, 10)}
	}
	return item
}

// unsentContactUpdate writes c's LastMessage and Unread as an unsend left
// them, on a contact that still exists.
func (s *Store) unsentContactUpdate(c core.Contact) (types.TransactWriteItem, error) {
	u := contactUpdate{set: "SET #unread = :unread", condition: "attribute_exists(#pk)", contact: c}
	if c.LastMessage != nil {
		lastMessage, err := attributevalue.Marshal(newEmbeddedMessage(*c.LastMessage))
		if err != nil {
			return types.TransactWriteItem{}, fmt.Errorf("marshal last message: %w", err)
		}
		u.set, u.lastMessage = u.set+", #lastMessage = :lastMessage", lastMessage
	}
	names, values := u.expression()
	if values == nil {
		values = map[string]types.AttributeValue{}
	}
	values[":unread"] = &types.AttributeValueMemberN{Value: strconv.Itoa(c.Unread)}
	pk, sk := contactKey(c.Owner, c.Email)
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 s.table,
		Key:                       itemKey(pk, sk),
		UpdateExpression:          aws.String(u.set),
		ConditionExpression:       aws.String(u.condition),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}}, nil
}
