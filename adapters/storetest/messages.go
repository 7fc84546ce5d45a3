package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// testClientIDWindow: a clientId makes retries idempotent for
// core.ClientIDWindow, then it is forgotten, the same in every store.
func testClientIDWindow(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("RetryWithinTheWindowStoresOneAfterItAnother", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		send := func() (core.Message, bool) {
			t.Helper()
			m, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi", ClientID: "k1"})
			require.NoError(t, err)
			return m, created
		}
		first, created := send()
		require.True(t, created)
		f.Advance(core.ClientIDWindow - time.Second)
		again, created := send()
		assert.False(t, created, "a retry just inside the window")
		assert.Equal(t, first, again)
		f.Advance(time.Second)
		later, created := send()
		assert.True(t, created, "the clientId is forgotten once the window has passed")
		assert.NotEqual(t, first.ID, later.ID)
		retry, created := send()
		assert.False(t, created, "and protects the new message from then on")
		assert.Equal(t, later, retry)
		assert.Len(t, f.MustConversation(t, alice, bob), 2)
	})
}

// testMessages is the contract of storing and reading messages.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testMessages(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ErrNotFoundMessagingANonContact", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		_, _, err := f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi"})
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		assert.Empty(t, f.MustConversation(t, alice, bob))
	})

	t.Run("BothMembersReadTheSameConversation", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		sent := f.MustSend(t, alice, bob, "line one\n\tline two")
		assert.Equal(t, f.Now(), sent.Date)

		for _, reader := range []string{alice, bob} {
			messages, err := f.Service.GetMessages(ctx, f.Caller(t, reader), core.GetMessagesInput{With: map[string]string{alice: bob, bob: alice}[reader]})
			require.NoError(t, err)
			assert.Equal(t, []core.Message{sent}, withoutStatus(messages))
		}
		assert.Empty(t, f.MustConversation(t, alice, f.Email("carol")))
	})

	t.Run("FirstMessageFromAStrangerArrivesAsARequest", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		f.Advance(time.Minute)
		sent := f.MustSend(t, alice, bob, "hi bob")

		contacts, err := f.Service.GetContacts(ctx, f.Caller(t, bob))
		require.NoError(t, err)
		require.Len(t, contacts, 1)
		request := contacts[0]
		assert.True(t, request.Request)
		assert.Equal(t, alice, request.Email)
		assert.Equal(t, sent.Date, request.LastActivity)

		accepted, created, err := f.Service.AddContact(ctx, f.Caller(t, bob), core.AddContactInput{Email: alice, Name: "Alice"})
		require.NoError(t, err)
		assert.True(t, created)
		assert.False(t, accepted.Request)
		assert.Equal(t, request.ID, accepted.ID)
		assert.Equal(t, "Alice", accepted.Name)
		f.MustSend(t, bob, alice, "hi alice")
	})

	t.Run("SendingRecordsActivityOnBothContacts", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, bob, alice)
		f.Advance(time.Hour)
		long := strings.Repeat("ß", core.MaxPreviewRunes+10)
		sent := f.MustSend(t, alice, bob, long)
		for _, owner := range []string{alice, bob} {
			contacts, err := f.Store.Contacts(ctx, owner)
			require.NoError(t, err)
			require.Len(t, contacts, 1)
			assert.Equal(t, sent.Date, contacts[0].LastActivity, owner)
			assert.False(t, contacts[0].Request)
			require.NotNil(t, contacts[0].LastMessage, owner)
			assert.Equal(t, sent.Preview(), *contacts[0].LastMessage, owner)
			assert.Equal(t, strings.Repeat("ß", core.MaxPreviewRunes), contacts[0].LastMessage.Text)
		}
	})

	t.Run("SameClientIDStoresOneMessage", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		in := core.AddMessageInput{Recipient: bob, Text: "once", ClientID: "client-1"}
		first, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		assert.True(t, created)
		f.Advance(time.Second)
		again, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), in)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, again)
		assert.Equal(t, withoutStatus([]core.Message{first}), f.MustConversation(t, alice, bob))
	})

	t.Run("SameClientIDFromTheOtherMemberIsAnotherMessage", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		f.MustAddContact(t, bob, alice)
		for _, sender := range []string{alice, bob} {
			recipient := map[string]string{alice: bob, bob: alice}[sender]
			_, created, err := f.Service.AddMessage(ctx, f.Caller(t, sender), core.AddMessageInput{Recipient: recipient, Text: "hi", ClientID: "same"})
			require.NoError(t, err)
			assert.True(t, created)
		}
		assert.Len(t, f.MustConversation(t, alice, bob), 2)
	})
}

// testPagination is the contract of paging a conversation before and after a message.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testPagination(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	const pageSize = 5

	sendN := func(t *testing.T, f *Fixture, n int) (alice, bob string, sent []core.Message) {
		alice, bob = f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		for i := range n {
			f.Advance(time.Millisecond)
			sent = append(sent, f.MustSend(t, alice, bob, fmt.Sprintf("message %d", i)))
		}
		return alice, bob, sent
	}
	pageAll := func(t *testing.T, f *Fixture, alice, bob string) (pages [][]core.Message) {
		before := ""
		for range 100 {
			page, err := f.Service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice, Before: before, Limit: pageSize})
			require.NoError(t, err)
			if len(page) == 0 {
				return pages
			}
			pages = append(pages, page)
			before = page[0].ID
		}
		t.Fatal("pagination did not end")
		return nil
	}

	for _, tc := range []struct {
		name      string
		sent      int
		wantPages []int
	}{
		{"EmptyConversation", 0, nil},
		{"FewerThanAPage", 3, []int{3}},
		{"ExactMultipleOfThePage", 2 * pageSize, []int{pageSize, pageSize}},
		{"PartialLastPage", 2*pageSize + 1, []int{pageSize, pageSize, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewFixture(t, newStore)
			alice, bob, sent := sendN(t, f, tc.sent)
			pages := pageAll(t, f, alice, bob)
			var sizes []int
			var all []core.Message
			for i := len(pages) - 1; i >= 0; i-- {
				all = append(all, pages[i]...)
			}
			for _, p := range pages {
				sizes = append(sizes, len(p))
			}
			assert.Equal(t, tc.wantPages, sizes)
			assert.Equal(t, sent, all, "paging newest-first returns every message once, each page in date order")
		})
	}

	t.Run("BeforeTheOldestIsEmpty", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := sendN(t, f, 3)
		page, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob, Before: sent[0].ID})
		require.NoError(t, err)
		assert.NotNil(t, page)
		assert.Empty(t, page)
	})

	t.Run("BeforeAnUnknownIDPagesFromWhereItWouldSort", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := sendN(t, f, 3)
		page, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob, Before: sent[2].ID + "0"})
		require.NoError(t, err)
		assert.Equal(t, sent, withoutStatus(page))
	})

	t.Run("DefaultPageIsTheNewestFifty", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob, sent := sendN(t, f, core.DefaultMessagePage+2)
		page, err := f.Service.GetMessages(ctx, f.Caller(t, alice), core.GetMessagesInput{With: bob})
		require.NoError(t, err)
		assert.Equal(t, sent[2:], withoutStatus(page))
	})
}
