package dynamodb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	reports, err := queryAll(ctx, s, "OpenReports", in, limit, unmarshalReport)
	if err != nil {
		return nil, fmt.Errorf("open reports after %q: %w", after, err)
	}
	return reports, nil
}

// unmarshalReport reads a report item, or an entry among the open or closed
// reports.
var unmarshalReport = unmarshalItem[reportItem, core.Report]

// indexEntry reads the entry of the report with id among the reports under pk.
func (s *Store) indexEntry(ctx context.Context, pk, id string) (*reportItem, error) {
	got, err := s.getItem(ctx, "Report", itemKey(pk, key(reportPrefix, id)))
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", id, err)
	}
	if got == nil {
		return nil, nil
	}
	var it reportItem
	if err := attributevalue.UnmarshalMap(got, &it); err != nil {
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
	err = s.transact(ctx, "CloseReport", in)
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
		return core.Errorf(core.ENOTFOUND, "There is no open report %s.", id)
	case err != nil:
		return translate("close report "+id, err)
	}
	return nil
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
			// Its entry among the open reports (OpenReports).
			{Put: &types.Put{TableName: s.table, Item: openIndex}},
		},
		ReturnConsumedCapacity: s.capacity,
	}
	err = s.transact(ctx, "ReportContact", in)
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
		return core.Contact{}, fmt.Errorf("report contact %s: %w", r.Reported, core.ErrNotAContact(r.Reported))
	case errors.As(err, &canceled) && reasonCode(canceled, 1) == reasonConditionalCheck:
		// This report is kept already: a retry. Answer as the first time.
	case err != nil:
		return core.Contact{}, translate(fmt.Sprintf("report contact %s: put report %s", r.Reported, r.ID), err)
	}

	got, err := s.getItem(ctx, "ReportContact", itemKey(pk, sk))
	if err != nil {
		return core.Contact{}, fmt.Errorf("report contact %s: read back: %w", r.Reported, err)
	}
	if got == nil {
		return core.Contact{}, fmt.Errorf("report contact %s: contact vanished after the report", r.Reported)
	}
	contact, err := unmarshalContact(got)
	if err != nil {
		return core.Contact{}, fmt.Errorf("report contact %s: %w", r.Reported, err)
	}
	return contact, nil
}

// Reports implements core.ModerationStore with one Query per 1 MB of reports,
// and one more per report without stored evidence to read it.
func (s *Store) Reports(ctx context.Context, reported string) ([]core.Report, error) {
	reports, err := queryAll(ctx, s, "Reports", s.prefixQuery(reportPartitionKey(reported), reportPrefix), 0, unmarshalReport)
	if err != nil {
		return nil, fmt.Errorf("reports about %s: %w", reported, err)
	}
	return s.withEvidence(ctx, reports)
}

// withEvidence reads the evidence of each report that has none stored: the
// latest messages of its conversation before the report (core.Report), and
// puts the reports in the order they were filed.
func (s *Store) withEvidence(ctx context.Context, reports []core.Report) ([]core.Report, error) {
	for i, r := range reports {
		if len(r.Evidence) > 0 {
			continue
		}
		evidence, err := s.Messages(ctx, r.EvidenceQuery())
		if err != nil {
			return nil, fmt.Errorf("evidence of report %s: %w", r.ID, err)
		}
		reports[i].Evidence = evidence.Messages
	}
	slices.SortFunc(reports, func(a, b core.Report) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return reports, nil
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
	// ExpiresAt (Unix seconds) is set on the reports of a deleted account.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
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
	if it.ExpiresAt != 0 {
		r.Expires = time.Unix(it.ExpiresAt, 0).UTC()
	}
	return r, nil
}

// Suspension implements core.SendBudget with one strongly consistent GetItem.
func (s *Store) Suspension(ctx context.Context, email string) (core.Suspension, error) {
	got, err := s.getItem(ctx, "Suspension", accountKey(email), attrSuspended, attrSuspendedReason, attrSuspendedAt)
	if err != nil {
		return core.Suspension{}, fmt.Errorf("suspension of %s: %w", email, err)
	}
	var it accountItem
	if err := attributevalue.UnmarshalMap(got, &it); err != nil {
		return core.Suspension{}, fmt.Errorf("suspension of %s: unmarshal: %w", email, err)
	}
	if !it.Suspended {
		return core.Suspension{}, core.Errorf(core.ENOTFOUND, "%s is not suspended.", email)
	}
	date, err := parseTime(attrSuspendedAt, it.SuspendedAt)
	if err != nil {
		return core.Suspension{}, fmt.Errorf("suspension of %s: %w", email, err)
	}
	return core.Suspension{Email: email, Reason: it.SuspendedReason, Date: date}, nil
}

// Suspend implements core.Suspensions with one UpdateItem of the account
// item, which keeps its bucket.
func (s *Store) Suspend(ctx context.Context, suspension core.Suspension) error {
	_, err := s.updateItem(ctx, "Suspend", &dynamodb.UpdateItemInput{
		Key:              accountKey(suspension.Email),
		UpdateExpression: aws.String("SET #suspended = :true, #reason = :reason, #at = :at"),
		ExpressionAttributeNames: map[string]string{
			"#suspended": attrSuspended, "#reason": attrSuspendedReason, "#at": attrSuspendedAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":true": valueTrue, ":reason": stringValue(suspension.Reason), ":at": stringValue(formatTime(suspension.Date)),
		},
	})
	if err != nil {
		return translate("suspend "+suspension.Email, err)
	}
	return nil
}

// Reinstate implements core.Suspensions with one conditional UpdateItem.
func (s *Store) Reinstate(ctx context.Context, email string) error {
	_, err := s.updateItem(ctx, "Reinstate", &dynamodb.UpdateItemInput{
		Key:                 accountKey(email),
		UpdateExpression:    aws.String("REMOVE #suspended, #reason, #at"),
		ConditionExpression: aws.String("attribute_exists(#suspended)"),
		ExpressionAttributeNames: map[string]string{
			"#suspended": attrSuspended, "#reason": attrSuspendedReason, "#at": attrSuspendedAt,
		},
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return core.Errorf(core.ENOTFOUND, "%s is not suspended.", email)
	case err != nil:
		return translate("reinstate "+email, err)
	}
	return nil
}

// keepEvidence keeps inside every report of u's conversation filed after
// message u.ID its evidence as it is now, before u erases that message
// (core.MessageEraser): one Query of the reports each member filed about
// the other (nearly always empty), and for each report that has not kept its
// evidence yet, the Query of its evidence and an UpdateItem of the report
// and of its entry among the open or closed reports.
func (s *Store) keepEvidence(ctx context.Context, u core.Unsend) error {
	for _, reported := range []string{u.Sender, u.Recipient} {
		in := s.prefixQuery(reportPartitionKey(reported), key(reportPrefix, otherOf(u, reported))+"#")
		reports, err := queryAll(ctx, s, "DeleteMessage", in, 0, unmarshalReport)
		if err != nil {
			return fmt.Errorf("reports about %s: %w", reported, err)
		}
		for _, r := range reports {
			if len(r.Evidence) > 0 || !r.HoldsAsEvidence(u.ID) {
				continue
			}
			if err := s.retainReport(ctx, r, time.Time{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// retainReport keeps r's evidence in r's item and its entry among the open
// or closed reports, read now unless it is kept already, and, when expires is
// set, lets all three expire then: one UpdateItem of each (one fails its
// condition: the report is open or closed).
func (s *Store) retainReport(ctx context.Context, r core.Report, expires time.Time) error {
	set, values := []string{}, map[string]types.AttributeValue{}
	if len(r.Evidence) == 0 {
		page, err := s.Messages(ctx, r.EvidenceQuery())
		if err != nil {
			return fmt.Errorf("evidence of report %s: %w", r.ID, err)
		}
		evidence := make([]embeddedMessage, 0, len(page.Messages))
		for _, m := range page.Messages {
			evidence = append(evidence, newEmbeddedMessage(m))
		}
		if values[":evidence"], err = attributevalue.Marshal(evidence); err != nil {
			return fmt.Errorf("marshal evidence of report %s: %w", r.ID, err)
		}
		set = append(set, "#evidence = :evidence")
	}
	if !expires.IsZero() {
		values[":expires"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}
		set = append(set, "#expiresAt = :expires")
	}
	if len(set) == 0 {
		return nil
	}
	names := map[string]string{"#pk": attrPK}
	for _, clause := range set {
		name := strings.Fields(clause)[0]
		names[name] = map[string]string{"#evidence": attrEvidence, "#expiresAt": TTLAttribute}[name]
	}
	keys := []map[string]types.AttributeValue{
		itemKey(reportPartitionKey(r.Reported), reportSortKey(r.Reporter, r.Text)),
		itemKey(openReportsKey, key(reportPrefix, r.ID)),
		itemKey(closedReportsKey, key(reportPrefix, r.ID)),
	}
	for _, k := range keys {
		_, err := s.updateItem(ctx, "RetainReport", &dynamodb.UpdateItemInput{
			Key:                       k,
			UpdateExpression:          aws.String("SET " + strings.Join(set, ", ")),
			ConditionExpression:       aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		})
		var failed *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &failed) {
			return translate("keep evidence of report "+r.ID, err)
		}
	}
	return nil
}
