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
// with the receipts item (receipts.go), connections (realtime.go) and channels
// (channels.go). Every part of a key is escaped ('#' and '%'), so keys never
// collide (keys.go). Each feature's methods are in the file of its name, and
// every request goes through the helpers of requests.go.
package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	// publisherNames is channels.go's.
	publisherNames publisherNames
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
