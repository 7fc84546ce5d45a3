package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

var _ core.ModerationBackend = (*Store)(nil)

// The open reports are one partition, REPORTS#OPEN, with one entry per report
// sorted by its ID (time order), written in the same transaction as the report;
// closing a report moves its entry to REPORTS#CLOSED. Operators list them with
// a Query, never a Scan. Reports are rare, so one partition takes them all.
const (
	openReportsKey   = "REPORTS#OPEN"
	closedReportsKey = "REPORTS#CLOSED"
)

// indexed is it as its entry in the open or closed reports, pk.
func (it reportItem) indexed(pk string) reportItem {
	it.ReportSK, it.PK, it.SK = it.SK, pk, key(reportPrefix, it.ID)
	return it
}

// OpenReports implements core.ReportQueue with one Query of the open reports.
func (s *Store) OpenReports(ctx context.Context, after string, limit int) ([]core.Report, error) {
	in := &dynamodb.QueryInput{
		TableName:                 s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk > :after"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringValue(openReportsKey), ":after": stringValue(key(reportPrefix, after))},
		ConsistentRead:            aws.Bool(true),
		ReturnConsumedCapacity:    s.capacity,
	}
	reports := []core.Report{}
	err := s.query(ctx, "OpenReports", in, limit, func(item map[string]types.AttributeValue) error {
		r, err := unmarshalReport(item)
		reports = append(reports, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open reports after %q: %w", after, err)
	}
	return reports, nil
}

func unmarshalReport(item map[string]types.AttributeValue) (core.Report, error) {
	var it reportItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return core.Report{}, fmt.Errorf("unmarshal report: %w", err)
	}
	return it.toDomain()
}

// indexEntry reads the entry of the report with id among the reports under pk.
func (s *Store) indexEntry(ctx context.Context, pk, id string) (*reportItem, error) {
	got, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:              s.table,
		Key:                    itemKey(pk, key(reportPrefix, id)),
		ConsistentRead:         aws.Bool(true),
		ReturnConsumedCapacity: s.capacity,
	})
	if err != nil {
		return nil, translate("report "+id, err)
	}
	s.recordCapacity("Report", got.ConsumedCapacity)
	if got.Item == nil {
		return nil, nil
	}
	var it reportItem
	if err := attributevalue.UnmarshalMap(got.Item, &it); err != nil {
		return nil, fmt.Errorf("unmarshal report %s: %w", id, err)
	}
	return &it, nil
}

// Report implements core.ReportQueue with a GetItem of its open entry, one
// more of its closed entry when it is not open, and the Query of its evidence.
func (s *Store) Report(ctx context.Context, id string) (core.Report, error) {
	it, err := s.indexEntry(ctx, openReportsKey, id)
	if err == nil && it == nil {
		it, err = s.indexEntry(ctx, closedReportsKey, id)
	}
	switch {
	case err != nil:
		return core.Report{}, err
	case it == nil:
		return core.Report{}, core.Errorf(core.ENOTFOUND, "There is no report %s.", id)
	}
	r, err := it.toDomain()
	if err != nil {
		return core.Report{}, err
	}
	reports, err := s.withEvidence(ctx, []core.Report{r})
	if err != nil {
		return core.Report{}, err
	}
	return reports[0], nil
}

// CloseReport implements core.ReportQueue: a GetItem of its open entry, then
// one transaction that deletes that entry (which must still be there), puts
// its closed entry and sets the resolution on the report itself.
func (s *Store) CloseReport(ctx context.Context, id string, resolution core.Resolution, date time.Time) error {
	it, err := s.indexEntry(ctx, openReportsKey, id)
	switch {
	case err != nil:
		return err
	case it == nil:
		return core.Errorf(core.ENOTFOUND, "There is no open report %s.", id)
	}
	it.Resolution, it.Closed = string(resolution), formatTime(date)
	closed, err := attributevalue.MarshalMap(it.indexed(closedReportsKey))
	if err != nil {
		return fmt.Errorf("close report %s: marshal: %w", id, err)
	}
	in := &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{
			{Delete: &types.Delete{
				TableName:                s.table,
				Key:                      itemKey(openReportsKey, key(reportPrefix, id)),
				ConditionExpression:      aws.String("attribute_exists(#pk)"),
				ExpressionAttributeNames: map[string]string{"#pk": attrPK},
			}},
			{Put: &types.Put{TableName: s.table, Item: closed}},
			{Update: &types.Update{
				TableName:                 s.table,
				Key:                       itemKey(reportPartitionKey(it.Reported), it.ReportSK),
				UpdateExpression:          aws.String("SET #resolution = :resolution, #closed = :closed"),
				ConditionExpression:       aws.String("attribute_exists(#pk)"),
				ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#resolution": "resolution", "#closed": "closedAt"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":resolution": stringValue(it.Resolution), ":closed": stringValue(it.Closed)},
			}},
		},
		ReturnConsumedCapacity: s.capacity,
	}
	out, err := s.transactWriteRetrying(ctx, in)
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
		return core.Errorf(core.ENOTFOUND, "There is no open report %s.", id)
	case err != nil:
		return translate("close report "+id, err)
	}
	s.recordTransaction("CloseReport", out.ConsumedCapacity)
	return nil
}
