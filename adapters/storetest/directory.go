package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// testDirectory is the contract of pages of contacts, of contacts named by
// ID, and of reports kept once.
func testDirectory(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ContactsPageByKeyUntilTheLast", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice := f.Email("alice")
		var want []string
		for i := range 7 {
			f.Advance(time.Second)
			want = append(want, f.MustAddContact(t, alice, f.Email(fmt.Sprintf("c%d", i))).Email)
		}
		slices.Sort(want)
		var got []string
		after, pages := "", 0
		for range 10 {
			page, next, err := f.Store.ContactsPage(ctx, alice, after, 3)
			require.NoError(t, err)
			pages++
			for _, c := range page {
				assert.Equal(t, alice, c.Owner)
				got = append(got, c.Email)
			}
			if next == "" {
				break
			}
			after = next
		}
		assert.Equal(t, want, got, "every contact once, in key order")
		assert.Equal(t, 3, pages, "3 + 3 + 1: no empty page at the end")

		page, next, err := f.Store.ContactsPage(ctx, f.Email("nobody"), "", 3)
		require.NoError(t, err)
		assert.NotNil(t, page)
		assert.Empty(t, page)
		assert.Empty(t, next)
	})

	t.Run("GetContactsPageSortsEachPageByActivityAndValidates", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		f.MustAddContact(t, alice, bob)
		f.Advance(time.Second)
		f.MustAddContact(t, alice, carol)
		caller := f.Caller(t, alice)
		page, err := f.Service.GetContactsPage(ctx, caller, core.GetContactsInput{})
		require.NoError(t, err)
		require.Len(t, page.Contacts, 2)
		assert.Equal(t, []string{carol, bob}, []string{page.Contacts[0].Email, page.Contacts[1].Email})
		assert.Empty(t, page.Next)

		first, err := f.Service.GetContactsPage(ctx, caller, core.GetContactsInput{Limit: 1})
		require.NoError(t, err)
		require.Len(t, first.Contacts, 1)
		require.NotEmpty(t, first.Next)
		second, err := f.Service.GetContactsPage(ctx, caller, core.GetContactsInput{Limit: 1, After: first.Next})
		require.NoError(t, err)
		require.Len(t, second.Contacts, 1)
		assert.NotEqual(t, first.Contacts[0].Email, second.Contacts[0].Email)

		for _, in := range []core.GetContactsInput{{Limit: -1}, {Limit: core.MaxContactPage + 1}, {After: "not a cursor"}} {
			_, err := f.Service.GetContactsPage(ctx, caller, in)
			assert.Equal(t, core.EINVALID, core.ErrorCode(err), "%+v", in)
		}
	})

	t.Run("RecipientNamespaceMayBeTheIDOfACallersContact", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		toBob := f.MustAddContact(t, alice, bob)
		toAlice := f.MustAddContact(t, carol, alice)
		sent := f.MustSend(t, alice, bob, "hello bob")

		found, err := f.Store.ContactByID(ctx, alice, toBob.ID)
		require.NoError(t, err)
		assert.Equal(t, toBob.ID, found.ID)
		assert.Equal(t, bob, found.Email)
		messages, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: toBob.ID})
		require.NoError(t, err)
		assert.Equal(t, []core.Message{sent}, withoutStatus(messages))

		_, err = f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: toAlice.ID})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "another person's contact ID is nobody's to the caller")
		_, err = f.Store.ContactByID(ctx, alice, f.NewID())
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
	})

	t.Run("RetriedReportIsKeptOnce", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, bob, alice)
		before := f.MustSend(t, bob, alice, "before the report")
		for range 3 {
			contact, err := f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "sends spam")
			require.NoError(t, err)
			assert.Equal(t, "sends spam", contact.Report)
			f.Advance(time.Second)
		}
		f.MustSend(t, bob, alice, "after the report")
		reports, err := f.Store.Reports(ctx, bob)
		require.NoError(t, err)
		require.Len(t, reports, 1, "a retried report is stored once")
		assert.Equal(t, []core.Message{before}, reports[0].Evidence, "evidence ends at the report")

		_, err = f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "and threats")
		require.NoError(t, err)
		reports, err = f.Store.Reports(ctx, bob)
		require.NoError(t, err)
		require.Len(t, reports, 2, "another report is another report")
		assert.Equal(t, []string{"sends spam", "and threats"}, []string{reports[0].Text, reports[1].Text}, "oldest first")
	})
}
