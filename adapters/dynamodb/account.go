package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

var _ core.AccountStore = (*Store)(nil)

// A deletion's tombstone sits on the account item (budget.go), the item a
// send already spends from: deleting (Unix nanoseconds) while it is under
// way, deletedAt (Unix nanoseconds) once it finished, when the
// item also gets expiresAt, so DynamoDB's TTL deletes it once every token
// issued before has expired.
const (
	attrDeleting  = "deleting"
	attrDeletedAt = "deletedAt"
)

// tombstoneItem is the tombstone's attributes of the account item.
type tombstoneItem struct {
	Deleting  *int64 `dynamodbav:"deleting"`
	DeletedAt *int64 `dynamodbav:"deletedAt"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

func (it tombstoneItem) toDomain() core.Tombstone {
	var t core.Tombstone
	if it.Deleting != nil {
		t.Started = time.Unix(0, *it.Deleting).UTC()
	} else if it.DeletedAt != nil {
		t.Started = time.Unix(0, *it.DeletedAt).UTC()
		t.Finished = t.Started
	}
	return t
}

// Tombstone implements core.AccountStore with one GetItem of the account item.
func (s *Store) Tombstone(ctx context.Context, email string) (core.Tombstone, error) {
	got, err := s.getItem(ctx, "Tombstone", accountKey(email), attrDeleting, attrDeletedAt, TTLAttribute)
	if err != nil {
		return core.Tombstone{}, fmt.Errorf("tombstone of %s: %w", email, err)
	}
	var it tombstoneItem
	if err := attributevalue.UnmarshalMap(got, &it); err != nil {
		return core.Tombstone{}, fmt.Errorf("unmarshal tombstone of %s: %w", email, err)
	}
	if it.ExpiresAt != 0 && it.Deleting == nil && time.Now().Unix() >= it.ExpiresAt {
		// Expired, and TTL has not deleted it yet: every token it refused has expired too.
		return core.Tombstone{}, nil
	}
	return it.toDomain(), nil
}

// BeginDeletion implements core.AccountStore with one UpdateItem that keeps a
// deletion under way as it is.
func (s *Store) BeginDeletion(ctx context.Context, email string, at time.Time) (core.Tombstone, error) {
	out, err := s.updateItem(ctx, "BeginDeletion", &dynamodb.UpdateItemInput{
		Key:                       accountKey(email),
		UpdateExpression:          aws.String("SET #deleting = if_not_exists(#deleting, :at) REMOVE #expiresAt"),
		ExpressionAttributeNames:  map[string]string{"#deleting": attrDeleting, "#expiresAt": TTLAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": nanosValue(at)},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		return core.Tombstone{}, translate("begin deleting "+email, err)
	}
	var it tombstoneItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return core.Tombstone{}, fmt.Errorf("unmarshal tombstone of %s: %w", email, err)
	}
	return it.toDomain(), nil
}

// FinishDeletion implements core.AccountStore with one UpdateItem: the account
// item keeps only its tombstone, which expires at expires.
func (s *Store) FinishDeletion(ctx context.Context, email string, at, expires time.Time) error {
	_, err := s.updateItem(ctx, "FinishDeletion", &dynamodb.UpdateItemInput{
		Key:                      accountKey(email),
		UpdateExpression:         aws.String("SET #deletedAt = :at, #expiresAt = :expires REMOVE #deleting, #fullAt, #suspended, #reason, #suspendedAt"),
		ExpressionAttributeNames: map[string]string{"#deletedAt": attrDeletedAt, "#expiresAt": TTLAttribute, "#deleting": attrDeleting, "#fullAt": attrFullAt, "#suspended": attrSuspended, "#reason": attrSuspendedReason, "#suspendedAt": attrSuspendedAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at":      nanosValue(at),
			":expires": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		},
	})
	if err != nil {
		return translate("finish deleting "+email, err)
	}
	return nil
}

// eraseRounds bounds how often EraseAccount lists the account's contacts
// again: a send that committed before the other member's contact was marked
// may have made a request after the list was read; the next round erases it.
const eraseRounds = 4

// EraseAccount implements core.AccountStore: one Query of the reports about
// the account, each keeping its evidence and expiring (reports.go's
// keepEvidenceOf, one UpdateItem of each of its three items); then, in rounds
// until the account has no contact left, one Query of a page of its contacts
// and for each contact: the Query of the reports it filed about them (only
// when it did), one UpdateItem marking the other member's contact deleted,
// the Queries of the keys of their conversation and a BatchWriteItem per 25
// of its items, and one BatchWriteItem of its own contacts; one UpdateItem of
// its account item last. Every write is idempotent: run again, it finishes.
func (s *Store) EraseAccount(ctx context.Context, e core.AccountErasure) (core.ErasureReport, error) {
	var report core.ErasureReport
	about, err := queryAll(ctx, s, "EraseAccount", s.prefixQuery(reportPartitionKey(e.Email), reportPrefix), 0, unmarshalReport)
	if err != nil {
		return report, fmt.Errorf("reports about %s: %w", e.Email, err)
	}
	for _, r := range about {
		if err := s.retainReport(ctx, r, e.ReportsExpire); err != nil {
			return report, err
		}
		report.Reports++
	}
	for range eraseRounds {
		contacts, err := s.Contacts(ctx, e.Email)
		if err != nil {
			return report, fmt.Errorf("contacts of %s: %w", e.Email, err)
		}
		if len(contacts) == 0 {
			break
		}
		for _, c := range contacts {
			if err := s.eraseConversation(ctx, e, c, &report); err != nil {
				return report, err
			}
		}
	}
	_, err = s.updateItem(ctx, "EraseAccount", &dynamodb.UpdateItemInput{
		Key:                      accountKey(e.Email),
		UpdateExpression:         aws.String("REMOVE #fullAt, #suspended, #reason, #suspendedAt"),
		ExpressionAttributeNames: map[string]string{"#fullAt": attrFullAt, "#suspended": attrSuspended, "#reason": attrSuspendedReason, "#suspendedAt": attrSuspendedAt},
	})
	if err != nil {
		return report, translate("erase the budget of "+e.Email, err)
	}
	return report, nil
}

// eraseConversation erases e.Email's contact c and their conversation, after
// marking the other member's contact for e.Email deleted, so that no send
// from them can store a message behind the erasure, and after the reports of
// the conversation kept their evidence.
func (s *Store) eraseConversation(ctx context.Context, e core.AccountErasure, c core.Contact, report *core.ErasureReport) error {
	if c.Report != "" {
		filed, err := queryAll(ctx, s, "EraseAccount", s.prefixQuery(reportPartitionKey(c.Email), key(reportPrefix, e.Email)+"#"), 0, unmarshalReport)
		if err != nil {
			return fmt.Errorf("reports of %s about %s: %w", e.Email, c.Email, err)
		}
		for _, r := range filed {
			if err := s.retainReport(ctx, r, e.ReportsExpire); err != nil {
				return err
			}
			report.Reports++
		}
	}
	pk, sk := contactKey(c.Email, e.Email)
	_, err := s.updateItem(ctx, "EraseAccount", &dynamodb.UpdateItemInput{
		Key:                       itemKey(pk, sk),
		UpdateExpression:          aws.String("SET #deleted = :true, #unread = :zero REMOVE #lastMessage"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#deleted": attrDeleted, "#unread": attrUnread, "#lastMessage": attrLastMessage},
		ExpressionAttributeValues: map[string]types.AttributeValue{":true": valueTrue, ":zero": &types.AttributeValueMemberN{Value: "0"}},
	})
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return translate("mark "+c.Email+"'s contact deleted", err)
	}
	deleted, err := s.deletePartitionRange(ctx, conversationKey(e.Email, c.Email), messagePrefix, receiptsSortKey, clientPrefix)
	if err != nil {
		return fmt.Errorf("erase the conversation with %s: %w", c.Email, err)
	}
	if deleted.first > 0 {
		report.Conversations++
		report.Messages += deleted.first
	}
	ownPK, ownSK := contactKey(e.Email, c.Email)
	if err := s.batchWrite(ctx, "EraseAccount", []types.WriteRequest{{DeleteRequest: &types.DeleteRequest{Key: itemKey(ownPK, ownSK)}}}); err != nil {
		return fmt.Errorf("erase the contact %s: %w", c.Email, err)
	}
	report.Contacts++
	return nil
}

// deletedItems counts what deletePartitionRange deleted: the items of its
// first prefix (the messages, the posts).
type deletedItems struct{ first int }

// deletePartitionRange deletes every item of partition pk whose sort key
// starts with one of prefixes (the messages, the receipts item, the
// idempotency markers), reading only keys, a BatchWriteItem per 25.
func (s *Store) deletePartitionRange(ctx context.Context, pk string, prefixes ...string) (deletedItems, error) {
	var counted deletedItems
	for i, prefix := range prefixes {
		in := s.prefixQuery(pk, prefix)
		in.ProjectionExpression = aws.String("#pk, #sk")
		var batch []types.WriteRequest
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			err := s.batchWrite(ctx, "EraseAccount", batch)
			batch = nil
			return err
		}
		err := s.query(ctx, "EraseAccount", in, 0, func(item map[string]types.AttributeValue) error {
			if i == 0 {
				counted.first++
			}
			batch = append(batch, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]}}})
			if len(batch) == maxBatchWrite {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return counted, err
		}
	}
	return counted, nil
}

// maxBatchWrite is the most requests one BatchWriteItem takes.
const maxBatchWrite = 25

// AccountState implements core.AccountStates with one GetItem of the account
// item.
func (s *Store) AccountState(ctx context.Context, email string) (core.AccountState, error) {
	got, err := s.getItem(ctx, "AccountState", accountKey(email))
	if err != nil {
		return core.AccountState{}, fmt.Errorf("account of %s: %w", email, err)
	}
	var it accountItem
	if err := attributevalue.UnmarshalMap(got, &it); err != nil {
		return core.AccountState{}, fmt.Errorf("unmarshal account of %s: %w", email, err)
	}
	state := core.AccountState{Email: email}
	if it.FullAt != nil {
		state.SendBucketFullAt = time.Unix(0, *it.FullAt).UTC()
	}
	if it.Suspended {
		suspension := core.Suspension{Email: email, Reason: it.SuspendedReason}
		if it.SuspendedAt != "" {
			if suspension.Date, err = parseTime(attrSuspendedAt, it.SuspendedAt); err != nil {
				return core.AccountState{}, err
			}
		}
		state.Suspension = &suspension
	}
	return state, nil
}
