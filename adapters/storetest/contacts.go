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
// Long by design: a contract suite is a list of independent subtests, each read alone.
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
		f.MustAddEachOther(t, alice, bob)
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

func testContacts(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("EmptyListIsEmptyNotNil", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		contacts, err := f.Service.GetContacts(ctx, f.Caller(t, f.Email("alice")))
		require.NoError(t, err)
		assert.NotNil(t, contacts)
		assert.Empty(t, contacts)
	})

	t.Run("AddTwiceReturnsTheExistingContact", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Caller(t, f.Email("alice")), f.Email("bob")
		first, created, err := f.Service.AddContact(ctx, alice, core.AddContactInput{Email: bob, Name: "Bob"})
		require.NoError(t, err)
		assert.True(t, created)
		again, created, err := f.Service.AddContact(ctx, alice, core.AddContactInput{Email: bob, Name: "Robert"})
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, again)
		contacts, err := f.Service.GetContacts(ctx, alice)
		require.NoError(t, err)
		assert.Len(t, contacts, 1)
	})

	t.Run("EmailsAreCaseInsensitive", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		first, _, err := f.Service.AddContact(ctx, f.Caller(t, alice), core.AddContactInput{Email: bob, Name: "Bob"})
		require.NoError(t, err)
		shouting, created, err := f.Service.AddContact(ctx, f.Caller(t, upper(alice)), core.AddContactInput{Email: "  " + upper(bob), Name: "Bob"})
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first.ID, shouting.ID)
		assert.Equal(t, bob, shouting.Email)
	})

	t.Run("ListHoldsOnlyTheOwnersContactsMostRecentActivityFirst", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, carol, dave := f.Email("alice"), f.Email("bob"), f.Email("carol"), f.Email("dave")
		f.MustAddContact(t, alice, bob)
		f.Advance(time.Second)
		f.MustAddContact(t, alice, carol)
		f.Advance(time.Second)
		f.MustAddContact(t, dave, bob)
		f.MustSend(t, alice, bob, "bob is now the most recent")

		contacts, err := f.Service.GetContacts(ctx, f.Caller(t, alice))
		require.NoError(t, err)
		require.Len(t, contacts, 2)
		assert.Equal(t, []string{bob, carol}, []string{contacts[0].Email, contacts[1].Email})
		for _, c := range contacts {
			assert.Equal(t, alice, c.Owner)
		}
	})

	t.Run("RoundTripKeepsEveryField", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		added := f.MustAddContact(t, alice, bob)
		contacts, err := f.Store.Contacts(ctx, alice)
		require.NoError(t, err)
		require.Len(t, contacts, 1)
		assert.Equal(t, added, contacts[0])
		assert.Equal(t, f.Now(), contacts[0].CreatedAt)
	})
}

// testBlocking is the contract of blocking and unblocking a contact, and of what a block stops.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testBlocking(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("BlockingAStrangerAddsThemBlocked", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Caller(t, f.Email("alice")), f.Email("bob")
		blocked, err := f.Service.BlockContact(ctx, alice, bob)
		require.NoError(t, err)
		assert.True(t, blocked.Blocked)
		assert.Equal(t, bob, blocked.Email)
		contacts, err := f.Service.GetContacts(ctx, alice)
		require.NoError(t, err)
		require.Len(t, contacts, 1)
		assert.True(t, contacts[0].Blocked)
	})

	t.Run("BlockKeepsTheContactsNameAndUnblockLiftsIt", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		added := f.MustAddContact(t, alice, bob)
		blocked, err := f.Service.BlockContact(ctx, f.Caller(t, alice), bob)
		require.NoError(t, err)
		assert.Equal(t, added.ID, blocked.ID)
		assert.Equal(t, added.Name, blocked.Name)
		assert.True(t, blocked.Blocked)
		unblocked, err := f.Service.UnblockContact(ctx, f.Caller(t, alice), bob)
		require.NoError(t, err)
		assert.False(t, unblocked.Blocked)
		assert.Equal(t, added.Name, unblocked.Name)
	})

	t.Run("ErrNotFoundUnblockingAStranger", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		_, err := f.Service.UnblockContact(ctx, f.Caller(t, f.Email("alice")), f.Email("bob"))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
	})

	for _, tc := range []struct {
		name    string
		blocker string
	}{
		{"ErrBlockedBySender", "alice"},
		{"ErrBlockedByRecipient", "bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewFixture(t, newStore)
			alice, bob := f.Email("alice"), f.Email("bob")
			f.MustAddEachOther(t, alice, bob)
			other := map[string]string{"alice": bob, "bob": alice}[tc.blocker]
			_, err := f.Service.BlockContact(ctx, f.Caller(t, f.Email(tc.blocker)), other)
			require.NoError(t, err)

			_, _, err = f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hello?"})
			assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
			_, _, err = f.Service.AddMessage(ctx, f.Caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "hello?"})
			assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
			assert.Empty(t, f.MustConversation(t, alice, bob))

			_, err = f.Service.UnblockContact(ctx, f.Caller(t, f.Email(tc.blocker)), other)
			require.NoError(t, err)
			f.MustSend(t, alice, bob, "unblocked")
		})
	}

	t.Run("RetryAfterABlockGetsTheAcceptedMessage", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		in := core.AddMessageInput{Recipient: bob, Text: "sent before the block", ClientID: "retry-1"}
		sent, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		require.True(t, created)
		_, err = f.Service.BlockContact(ctx, f.Caller(t, bob), alice)
		require.NoError(t, err)
		_, err = f.Service.BlockContact(ctx, f.Caller(t, alice), bob)
		require.NoError(t, err)

		again, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, sent, again)

		_, _, err = f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "new", ClientID: "retry-2"})
		assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
	})

	t.Run("ErrBlockedByRecipientWhoNeverAddedTheSender", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		_, err := f.Service.BlockContact(ctx, f.Caller(t, bob), alice)
		require.NoError(t, err)
		_, _, err = f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi"})
		assert.Equal(t, core.EBLOCKED, core.ErrorCode(err))
		assert.Empty(t, f.MustConversation(t, alice, bob))
	})
}
