package dynamodb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	out, err := s.client.Query(ctx, in)
	if err != nil {
		return nil, "", translate("contacts of "+owner, err)
	}
	s.recordCapacity("ContactsPage", out.ConsumedCapacity)
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

// withEvidence reads the evidence of each report that has none stored: the
// latest messages of its conversation before the report (core.Report), and
// puts the reports in the order they were filed.
func (s *Store) withEvidence(ctx context.Context, reports []core.Report) ([]core.Report, error) {
	for i, r := range reports {
		if len(r.Evidence) > 0 {
			continue
		}
		evidence, err := s.Messages(ctx, core.MessageQuery{Reader: r.Reporter, With: r.Reported, Before: r.ID, Limit: core.ReportEvidenceLength})
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
