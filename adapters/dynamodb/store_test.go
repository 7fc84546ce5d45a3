package dynamodb_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/parley-chat/parley/adapters/apigateway"
	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

// TestStoreContract runs the store contract, race tests included, on a fresh
// table of DynamoDB Local.
func TestStoreContract(t *testing.T) {
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), nil)
	store := dynamostore.New(client, dynamodbtest.MustTable(t, client))
	storetest.Run(t, func(*testing.T) core.Store { return store })
}

// TestCostContract runs the contract of what operations cost, each case on a
// client of its own whose requests and items read it counts.
func TestCostContract(t *testing.T) {
	endpoint := dynamodbtest.Endpoint(t)
	table := dynamodbtest.MustTable(t, dynamodbtest.NewClient(endpoint, nil))
	storetest.RunCosts(t, func(*testing.T) (core.Store, storetest.Meter) {
		counter := dynamodbtest.NewRequestCounter(nil)
		return dynamostore.New(dynamodbtest.NewClient(endpoint, counter), table), counter
	})
}

// TestRequestsPerRoute counts the DynamoDB requests each route makes through
// the service, on every path, and the capacity the recorder hears of: each is
// the designed constant, whatever the data.
func TestRequestsPerRoute(t *testing.T) {
	counter := dynamodbtest.NewRequestCounter(nil)
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), counter)
	table := dynamodbtest.MustTable(t, client)
	var mu sync.Mutex
	capacity := map[string]float64{}
	store := dynamostore.New(client, table, dynamostore.WithCapacityRecorder(func(op string, units float64) {
		mu.Lock()
		defer mu.Unlock()
		capacity[op] += units
	}))
	ctx := context.Background()

	addContact := func(_ *testing.T, f *storetest.Fixture, p people) error {
		_, _, err := f.Service.AddContact(ctx, p.alice, core.AddContactInput{Email: p.bob.Email, Name: "Bob"})
		return err
	}
	addMessage := func(_ *testing.T, f *storetest.Fixture, p people) error {
		_, _, err := f.Service.AddMessage(ctx, p.alice, core.AddMessageInput{Recipient: p.bob.Email, Text: "hi", ClientID: "c1"})
		return err
	}
	contacts := func(t *testing.T, f *storetest.Fixture, p people) { f.MustAddContact(t, p.alice.Email, p.bob.Email) }
	chatting := func(t *testing.T, f *storetest.Fixture, p people) {
		contacts(t, f, p)
		f.MustAddContact(t, p.bob.Email, p.alice.Email)
		for i := range core.ReportEvidenceLength + 5 {
			lastSentOfFixture.Store(f, f.MustSend(t, p.bob.Email, p.alice.Email, fmt.Sprintf("message %d", i)).ID)
		}
	}
	nothing := func(*testing.T, *storetest.Fixture, people) {}
	bothContacts := func(t *testing.T, f *storetest.Fixture, p people) {
		contacts(t, f, p)
		f.MustAddContact(t, p.bob.Email, p.alice.Email)
	}
	// aliceGone gives alice a connection that answers gone to every push.
	aliceGone := func(t *testing.T, f *storetest.Fixture, p people) {
		f.Pusher.MarkGone(f.MustConnect(t, p.alice.Email).ID)
		f.Advance(core.ConnectGrace)
	}
	aliceConnected := func(t *testing.T, f *storetest.Fixture, p people) {
		c, err := f.Service.Connect(ctx, p.alice, "alice-"+f.NewID())
		require.NoError(t, err)
		connectionOfFixture.Store(f, c.ID)
	}
	aliceConnection := func(f *storetest.Fixture) string {
		id, _ := connectionOfFixture.Load(f)
		return id.(string)
	}
	ackNewest := func(read bool) func(*testing.T, *storetest.Fixture, people) error {
		return func(t *testing.T, f *storetest.Fixture, p people) error {
			newest, _ := lastSentOfFixture.Load(f)
			_, err := f.Service.Ack(ctx, p.alice, core.AckInput{With: p.bob.Email, UpTo: newest.(string), Read: read}, "")
			return err
		}
	}
	channelOf := func(f *storetest.Fixture) string { return f.ChannelID("live") }
	aliceChannel := func(t *testing.T, f *storetest.Fixture, p people) {
		f.MustCreateChannel(t, p.alice.Email, channelOf(f))
	}
	bobPublishes := func(t *testing.T, f *storetest.Fixture, p people) {
		aliceChannel(t, f, p)
		_, err := f.Service.AddPublisher(ctx, p.alice, core.AddPublisherInput{Channel: channelOf(f), Email: p.bob.Email, Name: "Bob"})
		require.NoError(t, err)
	}
	createChannel := func(_ *testing.T, f *storetest.Fixture, p people) error {
		_, err := f.Service.CreateChannel(ctx, p.alice, core.CreateChannelInput{Channel: channelOf(f), Title: "Live"})
		return err
	}
	addPublisher := func(caller func(people) core.Caller) func(*testing.T, *storetest.Fixture, people) error {
		return func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.AddPublisher(ctx, caller(p), core.AddPublisherInput{Channel: channelOf(f), Email: p.bob.Email, Name: "Bob"})
			return err
		}
	}
	bobPosts := func(_ *testing.T, f *storetest.Fixture, p people) error {
		_, _, err := f.Service.PostToChannel(ctx, p.bob, core.PostInput{Channel: channelOf(f), Text: "gg", ClientID: "p1"})
		return err
	}
	deleteNewestPost := func(_ *testing.T, f *storetest.Fixture, p people) error {
		posts, err := f.Store.Posts(ctx, core.PostQuery{Channel: channelOf(f), Limit: 1})
		if err != nil || len(posts) == 0 {
			return fmt.Errorf("no post to delete: %w", err)
		}
		counter.Reset()
		return f.Service.DeletePost(ctx, p.alice, channelOf(f), posts[0].ID)
	}
	alice := func(p people) core.Caller { return p.alice }
	bob := func(p people) core.Caller { return p.bob }
	posted := func(t *testing.T, f *storetest.Fixture, p people) {
		bobPublishes(t, f, p)
		require.NoError(t, bobPosts(t, f, p))
	}
	actionsByRoute := map[string][]string{}

	for _, tc := range []struct {
		name     string
		setup    func(*testing.T, *storetest.Fixture, people)
		act      func(*testing.T, *storetest.Fixture, people) error
		wantCode string
		want     map[string]int
		wantOps  []string // store methods that must report consumed capacity
	}{
		{"AddContact/New", nothing, addContact, "", map[string]int{"UpdateItem": 1, "Query": 1}, []string{"CreateContact"}},
		{"AddContact/GoneConnection", aliceGone, addContact, "", map[string]int{"UpdateItem": 1, "Query": 1, "BatchWriteItem": 1}, []string{"Connections", "RemoveConnection"}},
		{"AddContact/Existing", contacts, addContact, "", map[string]int{"UpdateItem": 1}, nil},
		{"AddContact/AcceptRequest", func(t *testing.T, f *storetest.Fixture, p people) {
			f.MustAddContact(t, p.bob.Email, p.alice.Email)
			f.MustSend(t, p.bob.Email, p.alice.Email, "hi")
		}, addContact, "", map[string]int{"UpdateItem": 1, "Query": 1}, []string{"CreateContact"}},
		{"GetContacts/FirstPage", chatting, func(t *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.GetContactsPage(ctx, p.alice, core.GetContactsInput{})
			return err
		}, "", map[string]int{"Query": 1}, []string{"ContactsPage"}},
		{"GetContacts/NextPage", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			f.MustAddContact(t, p.alice.Email, f.Email("carol"))
		}, func(t *testing.T, f *storetest.Fixture, p people) error {
			page, err := f.Service.GetContactsPage(ctx, p.alice, core.GetContactsInput{Limit: 1, After: p.bob.Email})
			require.NoError(t, err)
			require.Len(t, page.Contacts, 1)
			assert.Empty(t, page.Next, "the last page says so")
			return err
		}, "", map[string]int{"Query": 1}, []string{"ContactsPage"}},
		{"BlockContact/Contact", contacts, blockBob, "", map[string]int{"UpdateItem": 1, "Query": 1}, []string{"BlockContact"}},
		{"BlockContact/GoneConnection", aliceGone, blockBob, "", map[string]int{"UpdateItem": 1, "Query": 1, "BatchWriteItem": 1}, nil},
		{"BlockContact/Stranger", nothing, blockBob, "", map[string]int{"UpdateItem": 1, "Query": 1}, []string{"BlockContact"}},
		{"UnblockContact/Blocked", func(t *testing.T, f *storetest.Fixture, p people) {
			require.NoError(t, blockBob(t, f, p))
		}, unblockBob, "", map[string]int{"UpdateItem": 1, "Query": 1}, []string{"UnblockContact"}},
		{"UnblockContact/GoneConnection", func(t *testing.T, f *storetest.Fixture, p people) {
			require.NoError(t, blockBob(t, f, p))
			aliceGone(t, f, p)
		}, unblockBob, "", map[string]int{"UpdateItem": 1, "Query": 1, "BatchWriteItem": 1}, nil},
		{"UnblockContact/Stranger", nothing, unblockBob, core.ENOTFOUND, map[string]int{"UpdateItem": 1}, nil},
		{"ReportContact/WithEvidence", chatting, reportBob, "", map[string]int{"TransactWriteItems": 1, "GetItem": 2},
			[]string{"ReportContact"}},
		{"ReportContact/Retry", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			require.NoError(t, reportBob(t, f, p))
		}, reportBob, "", map[string]int{"TransactWriteItems": 1, "GetItem": 2}, []string{"ReportContact"}},
		{"ReportContact/Stranger", nothing, reportBob, core.ENOTFOUND, map[string]int{"TransactWriteItems": 1, "GetItem": 1}, nil},
		// A send is one transaction (the budget's spend is one of its items)
		// and the members' connection Queries, issued beside it, not after.
		{"AddMessage/ToAContact", bothContacts, addMessage, "", map[string]int{"TransactWriteItems": 1, "Query": 2}, []string{"AddMessage"}},
		{"AddMessage/ToAStranger", contacts, addMessage, "", map[string]int{"TransactWriteItems": 2, "Query": 2}, []string{"AddMessage"}},
		{"AddMessage/GoneConnection", func(t *testing.T, f *storetest.Fixture, p people) {
			bothContacts(t, f, p)
			aliceGone(t, f, p)
		}, addMessage, "", map[string]int{"TransactWriteItems": 1, "Query": 2, "BatchWriteItem": 1}, nil},
		// A retried clientId: the cancelled transaction returns the stored
		// message and spends nothing; the lookups beside it go unused.
		{"AddMessage/Retry", func(t *testing.T, f *storetest.Fixture, p people) {
			contacts(t, f, p)
			require.NoError(t, addMessage(t, f, p))
		}, addMessage, "", map[string]int{"TransactWriteItems": 1, "Query": 2}, nil},
		// A refused send took nothing in its transaction, and is charged
		// after it, as an accepted one would have been.
		{"AddMessage/Blocked", func(t *testing.T, f *storetest.Fixture, p people) {
			contacts(t, f, p)
			_, err := f.Service.BlockContact(ctx, p.bob, p.alice.Email)
			require.NoError(t, err)
		}, addMessage, core.EBLOCKED, map[string]int{"UpdateItem": 1, "TransactWriteItems": 1, "Query": 2}, []string{"Spend"}},
		{"AddMessage/NotAContact", nothing, addMessage, core.ENOTFOUND, map[string]int{"UpdateItem": 1, "TransactWriteItems": 1, "Query": 2}, nil},
		{"GetMessages/Newest", chatting, func(t *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.GetMessages(ctx, p.alice, core.GetMessagesInput{With: p.bob.Email})
			return err
		}, "", map[string]int{"Query": 1}, []string{"Messages"}},
		{"GetMessages/ByContactID", chatting, func(t *testing.T, f *storetest.Fixture, p people) error {
			contacts, _, err := f.Store.ContactsPage(ctx, p.alice.Email, "", 1)
			require.NoError(t, err)
			require.Len(t, contacts, 1)
			counter.Reset()
			_, err = f.Service.GetMessages(ctx, p.alice, core.GetMessagesInput{With: contacts[0].ID})
			return err
		}, "", map[string]int{"Query": 2}, []string{"ContactByID", "Messages"}},
		{"GetMessages/Before", chatting, func(t *testing.T, f *storetest.Fixture, p people) error {
			page, err := f.Service.GetMessages(ctx, p.alice, core.GetMessagesInput{With: p.bob.Email, Limit: 5})
			require.NoError(t, err)
			_, err = f.Service.GetMessages(ctx, p.alice, core.GetMessagesInput{With: p.bob.Email, Limit: 5, Before: page[0].ID})
			return err
		}, "", map[string]int{"Query": 2}, []string{"Messages"}},
		{"GetMessages/BeforeWithYourOwn", chatting, func(t *testing.T, f *storetest.Fixture, p people) error {
			page, err := f.Service.GetMessages(ctx, p.bob, core.GetMessagesInput{With: p.alice.Email, Limit: 5})
			require.NoError(t, err)
			_, err = f.Service.GetMessages(ctx, p.bob, core.GetMessagesInput{With: p.alice.Email, Limit: 5, Before: page[0].ID})
			return err
		}, "", map[string]int{"Query": 2, "GetItem": 1}, []string{"Messages", "Receipts"}},
		{"GetMessages/AfterToTheNewest", chatting, func(t *testing.T, f *storetest.Fixture, p people) error {
			page, err := f.Service.GetMessages(ctx, p.bob, core.GetMessagesInput{With: p.alice.Email, Limit: 5})
			require.NoError(t, err)
			_, err = f.Service.GetMessages(ctx, p.bob, core.GetMessagesInput{With: p.alice.Email, After: page[0].ID})
			return err
		}, "", map[string]int{"Query": 2}, []string{"Messages"}},
		{"Ack/Delivered", chatting, ackNewest(false), "", map[string]int{"GetItem": 2, "UpdateItem": 2, "Query": 1}, []string{"Receipts", "Spend", "Ack"}},
		{"Ack/Read", chatting, ackNewest(true), "", map[string]int{"GetItem": 2, "UpdateItem": 1, "Query": 3, "TransactWriteItems": 1}, []string{"Receipts", "Spend", "Ack", "Contact"}},
		{"Ack/Behind", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			require.NoError(t, ackNewest(true)(t, f, p))
		}, ackNewest(true), "", map[string]int{"GetItem": 1, "UpdateItem": 1}, []string{"Receipts", "Spend"}},
		{"Ack/GoneConnection", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			aliceGone(t, f, p)
		}, ackNewest(true), "", map[string]int{"GetItem": 2, "UpdateItem": 1, "Query": 3, "TransactWriteItems": 1, "BatchWriteItem": 1}, nil},
		{"Ack/UnknownMessage", chatting, func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.Ack(ctx, p.alice, core.AckInput{With: p.bob.Email, UpTo: "0"}, "")
			return err
		}, core.ENOTFOUND, map[string]int{"GetItem": 2, "UpdateItem": 1}, nil},
		{"WsConnect", nothing, func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.Connect(ctx, p.alice, "connect-"+f.NewID())
			return err
		}, "", map[string]int{"GetItem": 2, "Query": 1, "TransactWriteItems": 1}, []string{"Tombstone", "Suspension", "AddConnection"}},
		// The connection past the cap deletes the oldest's two items in
		// the same transaction, then tells it and closes it (pushes only).
		{"WsConnect/PastTheCap", func(t *testing.T, f *storetest.Fixture, p people) {
			for range core.DefaultMaxConnections {
				f.MustConnect(t, p.alice.Email)
				f.Advance(time.Millisecond)
			}
		}, func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.Connect(ctx, p.alice, "connect-"+f.NewID())
			return err
		}, "", map[string]int{"GetItem": 2, "Query": 1, "TransactWriteItems": 1}, []string{"AddConnection"}},
		{"WsDisconnect", aliceConnected, func(_ *testing.T, f *storetest.Fixture, p people) error {
			return f.Service.Disconnect(ctx, aliceConnection(f))
		}, "", map[string]int{"GetItem": 1, "BatchWriteItem": 1}, []string{"Connection", "RemoveConnection"}},
		{"WsDefault/Ping", aliceConnected, func(_ *testing.T, f *storetest.Fixture, p people) error {
			caller, c, err := f.Service.ConnectionCaller(ctx, aliceConnection(f))
			if err != nil {
				return err
			}
			_, err = f.Service.Ping(ctx, caller, c)
			return err
		}, "", map[string]int{"GetItem": 1, "UpdateItem": 1}, []string{"Connection", "Spend"}},
		{"WsDefault/Typing", func(t *testing.T, f *storetest.Fixture, p people) {
			bothContacts(t, f, p)
			aliceConnected(t, f, p)
		}, func(_ *testing.T, f *storetest.Fixture, p people) error {
			caller, c, err := f.Service.ConnectionCaller(ctx, aliceConnection(f))
			if err != nil {
				return err
			}
			_, err = f.Service.Typing(ctx, caller, c, p.bob.Email)
			return err
		}, "", map[string]int{"UpdateItem": 1, "GetItem": 3, "Query": 1}, []string{"Spend", "Connection", "Contact"}},
		{"WsDefault/AckGoneConnection", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			aliceConnected(t, f, p)
			aliceGone(t, f, p)
		}, func(t *testing.T, f *storetest.Fixture, p people) error {
			caller, c, err := f.Service.ConnectionCaller(ctx, aliceConnection(f))
			if err != nil {
				return err
			}
			newest, _ := lastSentOfFixture.Load(f)
			_, err = f.Service.Ack(ctx, caller, core.AckInput{With: p.bob.Email, UpTo: newest.(string), Read: true}, c.ID)
			return err
		}, "", map[string]int{"GetItem": 3, "UpdateItem": 1, "Query": 3, "TransactWriteItems": 1, "BatchWriteItem": 1}, nil},
		{"PushKey", nothing, func(*testing.T, *storetest.Fixture, people) error { return nil }, "", map[string]int{}, nil},
		{"AddPushSubscription/New", nothing, subscribeAlice, "", map[string]int{"UpdateItem": 1}, []string{"AddPushSubscription"}},
		{"AddPushSubscription/Again", func(t *testing.T, f *storetest.Fixture, p people) {
			require.NoError(t, subscribeAlice(t, f, p))
		}, subscribeAlice, "", map[string]int{"UpdateItem": 1}, []string{"AddPushSubscription"}},
		{"RemovePushSubscription", func(t *testing.T, f *storetest.Fixture, p people) {
			require.NoError(t, subscribeAlice(t, f, p))
		}, func(_ *testing.T, f *storetest.Fixture, p people) error {
			return f.Service.RemovePushSubscription(ctx, p.alice, "https://push.example.com/"+f.Email("alice"))
		}, "", map[string]int{"BatchWriteItem": 1}, nil},
		{"WsDefault/Visibility", aliceConnected, func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, c, err := f.Service.ConnectionCaller(ctx, aliceConnection(f))
			if err != nil {
				return err
			}
			return f.Service.SetVisibility(ctx, c, true)
		}, "", map[string]int{"GetItem": 1, "UpdateItem": 2}, []string{"Connection", "Spend", "SetConnectionVisible"}},
		{"CreateChannel/New", nothing, createChannel, "", map[string]int{"UpdateItem": 1, "TransactWriteItems": 1}, []string{"Spend", "CreateChannel"}},
		{"CreateChannel/Taken", aliceChannel, createChannel, core.ECONFLICT, map[string]int{"UpdateItem": 1, "TransactWriteItems": 1}, nil},
		{"AddPublisher/New", aliceChannel, addPublisher(alice), "", map[string]int{"GetItem": 2, "UpdateItem": 2}, []string{"Spend", "Channel", "PutPublisher"}},
		{"AddPublisher/NotOwner", aliceChannel, addPublisher(bob), core.EFORBIDDEN, map[string]int{"GetItem": 1, "UpdateItem": 1}, nil},
		// A post's spend and its publisher check are items of its
		// transaction; the publisher's name is read once per instance.
		{"PostToChannel/ByPublisher", bobPublishes, bobPosts, "", map[string]int{"GetItem": 1, "TransactWriteItems": 1}, []string{"Publisher", "AddPost"}},
		{"PostToChannel/Again", posted, func(t *testing.T, f *storetest.Fixture, p people) error {
			_, _, err := f.Service.PostToChannel(ctx, p.bob, core.PostInput{Channel: channelOf(f), Text: "again"})
			return err
		}, "", map[string]int{"TransactWriteItems": 1}, []string{"AddPost"}},
		{"PostToChannel/Retry", posted, bobPosts, "", map[string]int{"TransactWriteItems": 1}, nil},
		{"PostToChannel/NotAPublisher", aliceChannel, bobPosts, core.EFORBIDDEN, map[string]int{"GetItem": 2}, nil},
		{"DeletePost/ByOwner", posted, deleteNewestPost, "", map[string]int{"GetItem": 2, "TransactWriteItems": 1}, []string{"Suspension", "Channel", "DeletePost"}},
		{"DeletePost/Gone", posted, func(t *testing.T, f *storetest.Fixture, p people) error {
			return f.Service.DeletePost(ctx, p.alice, channelOf(f), "0")
		}, core.ENOTFOUND, map[string]int{"GetItem": 2, "TransactWriteItems": 1}, nil},
		// An unsend: four GetItems at once, the Queries of the reports of
		// the conversation and of both members' connections, one
		// transaction; a report it may be evidence of keeps it first.
		{"DeleteMessage/Newest", chatting, unsendNewest, "", map[string]int{"GetItem": 4, "Query": 4, "TransactWriteItems": 1}, []string{"DeleteMessage"}},
		{"DeleteMessage/Reported", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			require.NoError(t, reportBob(t, f, p))
		}, unsendNewest, "", map[string]int{"GetItem": 4, "Query": 5, "UpdateItem": 3, "TransactWriteItems": 1}, []string{"DeleteMessage"}},
		{"DeleteMessage/Again", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			require.NoError(t, unsendNewest(t, f, p))
		}, unsendNewest, "", map[string]int{"GetItem": 4, "Query": 2}, nil},
		{"DeleteMessage/GoneConnection", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			bobGone(t, f, p)
		}, unsendNewest, "", map[string]int{"GetItem": 4, "Query": 4, "TransactWriteItems": 1, "BatchWriteItem": 1}, nil},
		// The handler's check of a token against a deletion (every route
		// but those that check it in their own write): one GetItem.
		{"GetContacts/AuthorizedFirst", nothing, func(_ *testing.T, f *storetest.Fixture, p people) error {
			return f.Service.Authorize(ctx, p.alice)
		}, "", map[string]int{"GetItem": 1}, []string{"Tombstone"}},
		// A deletion of an account with one conversation and one report
		// about its contact: the tombstone read and written, its connection
		// found and forgotten, its notification devices, the reports about it, its contacts (twice: the
		// second round finds none), the report it filed kept (its evidence
		// and expiry), the other contact marked, the conversation's keys
		// (three prefixes) and their deletion, its contact, budget, and the
		// tombstone finished; and the index of its channels (none).
		{"DeleteAccount/Chatting", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			require.NoError(t, reportBob(t, f, p))
			aliceConnected(t, f, p)
		}, func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.DeleteAccount(ctx, p.alice, p.alice.Email)
			return err
		}, "", map[string]int{"GetItem": 1, "Query": 11, "UpdateItem": 7, "BatchWriteItem": 4}, []string{"Tombstone", "BeginDeletion", "EraseAccount", "FinishDeletion"}},
		// The same, owning a channel with one post: the channel marked
		// deleted, the keys of its posts, markers and publishers (three
		// prefixes) and the deletion of the post and of the owner-publisher,
		// and the index entry.
		{"DeleteAccount/OwningAChannel", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			require.NoError(t, reportBob(t, f, p))
			aliceConnected(t, f, p)
			channel := f.ChannelID("owned")
			f.MustCreateChannel(t, p.alice.Email, channel)
			f.MustPost(t, p.alice.Email, channel, "kick-off")
		}, func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.DeleteAccount(ctx, p.alice, p.alice.Email)
			return err
		}, "", map[string]int{"GetItem": 1, "Query": 11 + 3, "UpdateItem": 7 + 1, "BatchWriteItem": 4 + 3}, []string{"OwnedChannels", "EraseChannel"}},
		// An export: the account item, the contacts, a Query per thousand
		// messages of each conversation (its receipts in the same Query),
		// the reports about a contact the person reported (and their
		// evidence, which the export leaves out), the index of its channels
		// (none), its notification devices.
		{"Export/Chatting", func(t *testing.T, f *storetest.Fixture, p people) {
			chatting(t, f, p)
			require.NoError(t, reportBob(t, f, p))
		}, func(_ *testing.T, f *storetest.Fixture, p people) error {
			archive := &storetest.RecordingArchive{}
			service := core.NewService(store, f.Now, f.StampID, core.WithExports(archive.Exports()))
			_, err := service.Export(ctx, p.alice)
			return err
		}, "", map[string]int{"GetItem": 1, "Query": 6}, []string{"AccountState", "Contacts", "Messages", "Reports"}},
		{"DeleteAccount/WrongConfirm", chatting, func(_ *testing.T, f *storetest.Fixture, p people) error {
			_, err := f.Service.DeleteAccount(ctx, p.alice, p.bob.Email)
			return err
		}, core.EINVALID, map[string]int{}, nil},
		{"DeleteMessage/NotTheSender", chatting, func(_ *testing.T, f *storetest.Fixture, p people) error {
			newest, _ := lastSentOfFixture.Load(f)
			_, err := f.Service.DeleteMessage(ctx, p.alice, core.DeleteMessageInput{With: p.bob.Email, ID: newest.(string)})
			return err
		}, core.ENOTFOUND, map[string]int{"GetItem": 4, "Query": 2}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
			// Metered as every entry point is (lambdas.BudgetOptions).
			f.Service = core.NewService(store, f.Now, f.StampID, core.WithPusher(f.Pusher), core.WithSendBudget(store, core.DefaultSendLimit()))
			p := people{alice: f.Caller(t, f.Email("alice")), bob: f.Caller(t, f.Email("bob"))}
			tc.setup(t, f, p)
			counter.Reset()
			mu.Lock()
			clear(capacity)
			mu.Unlock()

			err := tc.act(t, f, p)
			assert.Equal(t, tc.wantCode, core.ErrorCode(err), "%v", err)
			assert.Equal(t, tc.want, counter.Counts())
			route := routeOfCase(tc.name)
			actionsByRoute[route] = append(actionsByRoute[route], counter.Actions()...)
			mu.Lock()
			defer mu.Unlock()
			for _, op := range tc.wantOps {
				assert.Positive(t, capacity[op], "capacity consumed by %s", op)
			}
		})
	}

	// Every route but those that check a token against a deletion in their
	// own write calls the handler's Authorize first (GetContacts/AuthorizedFirst).
	for _, route := range apigateway.Routes {
		if !route.ChecksTokenItself {
			actionsByRoute[route.Name] = append(actionsByRoute[route.Name], "dynamodb:GetItem")
		}
	}
	// Least privilege, proven both ways: each route's role in Terraform
	// allows exactly the DynamoDB actions that route was seen to call.
	granted := terraformDynamoDBActions(t)
	assert.ElementsMatch(t, slices.Collect(maps.Keys(granted)), slices.Collect(maps.Keys(actionsByRoute)),
		"every function of Terraform is exercised above, and every case names one")
	for route, called := range actionsByRoute {
		assert.ElementsMatch(t, granted[route], slices.Compact(slices.Sorted(slices.Values(called))), "IAM actions of %s", route)
	}
}

// routeOfCase is the function a TestRequestsPerRoute case exercises: its
// name's first part in kebab case ("AddMessage/Retry" is add-message). The
// parity check below fails for a case whose route Terraform does not know.
func routeOfCase(name string) string {
	var route strings.Builder
	for i, r := range strings.Split(name, "/")[0] {
		if unicode.IsUpper(r) {
			if i > 0 {
				route.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		route.WriteRune(r)
	}
	return route.String()
}

// connectionOfFixture and lastSentOfFixture keep the connection each case's
// setup made for alice and the ID of the last message it sent.
var connectionOfFixture, lastSentOfFixture sync.Map

// terraformDynamoDBActions reads the dynamodb_actions of every route in
// local.functions of terraform/locals.tf.
func terraformDynamoDBActions(t *testing.T) map[string][]string {
	t.Helper()
	actions := map[string][]string{}
	for route, function := range terraformLocal(t, "locals.tf", "functions").AsValueMap() {
		actions[route] = []string{} // push-key calls nothing on DynamoDB
		for _, action := range function.GetAttr("dynamodb_actions").AsValueSlice() {
			actions[route] = append(actions[route], action.AsString())
		}
	}
	return actions
}

// terraformLocal evaluates the literal local name of terraform/<file>.
func terraformLocal(t *testing.T, file, name string) cty.Value {
	t.Helper()
	path := filepath.Join("..", "..", "terraform", file)
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	parsed, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	for _, block := range parsed.Body.(*hclsyntax.Body).Blocks {
		attr, ok := block.Body.Attributes[name]
		if block.Type != "locals" || !ok {
			continue
		}
		value, diags := attr.Expr.Value(nil)
		require.False(t, diags.HasErrors(), "%s is a literal: %s", name, diags.Error())
		return value
	}
	t.Fatalf("no local.%s in %s", name, path)
	return cty.NilVal
}

// terraformStrings returns the list of strings local.<name> of terraform/<file> is.
func terraformStrings(t *testing.T, file, name string) []string {
	t.Helper()
	var out []string
	for _, v := range terraformLocal(t, file, name).AsValueSlice() {
		out = append(out, v.AsString())
	}
	return out
}

// newCountedStore returns a store on a table of its own on DynamoDB Local,
// and the counter of its requests.
func newCountedStore(t *testing.T) (*dynamostore.Store, *dynamodbtest.RequestCounter) {
	t.Helper()
	counter := dynamodbtest.NewRequestCounter(nil)
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), counter)
	return dynamostore.New(client, dynamodbtest.MustTable(t, client)), counter
}

// people are the two members of a conversation in TestRequestsPerRoute.
type people struct{ alice, bob core.Caller }

// unsendNewest unsends the newest message bob sent alice.
func unsendNewest(_ *testing.T, f *storetest.Fixture, p people) error {
	newest, _ := lastSentOfFixture.Load(f)
	_, err := f.Service.DeleteMessage(context.Background(), p.bob, core.DeleteMessageInput{With: p.alice.Email, ID: newest.(string)})
	return err
}

// bobGone gives bob a connection that answers gone to every push.
func bobGone(t *testing.T, f *storetest.Fixture, p people) {
	f.Pusher.MarkGone(f.MustConnect(t, p.bob.Email).ID)
	f.Advance(core.ConnectGrace)
}

// subscribeAlice stores a subscription of alice's device.
func subscribeAlice(t *testing.T, f *storetest.Fixture, p people) error {
	in := f.NewSubscriptionInput(t)
	in.Endpoint = "https://push.example.com/" + p.alice.Email
	_, err := f.Service.AddPushSubscription(context.Background(), p.alice, in)
	return err
}

func blockBob(_ *testing.T, f *storetest.Fixture, p people) error {
	_, err := f.Service.BlockContact(context.Background(), p.alice, p.bob.Email)
	return err
}

func unblockBob(_ *testing.T, f *storetest.Fixture, p people) error {
	_, err := f.Service.UnblockContact(context.Background(), p.alice, p.bob.Email)
	return err
}

func reportBob(_ *testing.T, f *storetest.Fixture, p people) error {
	_, err := f.Service.ReportContact(context.Background(), p.alice, p.bob.Email, "spam")
	return err
}

// TestStoreBeyondTheContract checks what DynamoDB itself could break: pages
// larger than the 1 MB a Query returns at most.
func TestStoreBeyondTheContract(t *testing.T) {
	store, counter := newCountedStore(t)
	newStore := func(*testing.T) core.Store { return store }
	ctx := context.Background()

	t.Run("PageLargerThanOneQueryAnswer", func(t *testing.T) {
		f := storetest.NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		// 4000 four-byte characters: 16 KB a message, 1.1 MB for the page.
		text := strings.Repeat("\U0001F600", core.MaxMessageRunes)
		const count = 70
		sent := make([]core.Message, 0, count)
		for range count {
			sent = append(sent, f.MustSend(t, alice, bob, text))
		}
		counter.Reset()
		page, err := f.Service.GetMessages(ctx, f.Caller(t, bob), core.GetMessagesInput{With: alice, Limit: core.MaxMessagePage})
		require.NoError(t, err)
		assert.Equal(t, sent, page)
		assert.Equal(t, 2, counter.Counts()["Query"], "one Query per MB: %v", counter.Actions())
	})
}
