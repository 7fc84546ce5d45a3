package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type snapshotJSON struct {
	Channel  string `json:"channel"`
	Title    string `json:"title"`
	Updated  string `json:"updated"`
	Seq      int64  `json:"seq"`
	Previous string `json:"previous"`
	Posts    []struct {
		ID      string `json:"id"`
		Author  string `json:"author"`
		Message string `json:"message"`
		Date    string `json:"date"`
	} `json:"posts"`
	Deleted bool `json:"deleted"`
}

// poll GETs a channel's snapshot as a viewer does, with If-None-Match when
// etag is set, and decodes it when the answer is 200.
func (s *localServer) poll(t *testing.T, channel, etag string) (int, string, http.Header, snapshotJSON) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/feeds/"+channel+".json", nil)
	require.NoError(t, err)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := s.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var snapshot snapshotJSON
	if res.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(res.Body).Decode(&snapshot))
	}
	return res.StatusCode, res.Header.Get("ETag"), res.Header, snapshot
}

func TestDeletingTheOwnersAccountEndsTheFeed(t *testing.T) {
	server := startServer(t, Config{})
	host := server.signIn(t, "host@example.com")
	caster := server.signIn(t, "caster@example.com")
	server.mustJSON(t, http.MethodPost, "/create-channel", host, map[string]string{"channel": "grand-finals", "title": "Grand Finals", "name": "Host"}, http.StatusCreated, nil)
	server.mustJSON(t, http.MethodPost, "/add-publisher", host, map[string]string{"channel": "grand-finals", "email": "caster@example.com", "name": "Caster"}, http.StatusOK, nil)
	server.mustJSON(t, http.MethodPost, "/post-to-channel", caster, map[string]string{"channel": "grand-finals", "message": "Game one begins"}, http.StatusCreated, nil)
	_, _, _, before := server.poll(t, "grand-finals", "")
	require.Len(t, before.Posts, 1)

	server.mustJSON(t, http.MethodPost, "/delete-account", host, map[string]string{"confirm": "host@example.com"}, http.StatusOK, nil)

	status, _, _, after := server.poll(t, "grand-finals", "")
	require.Equal(t, http.StatusOK, status)
	assert.True(t, after.Deleted, "the snapshot says the channel is gone")
	assert.Empty(t, after.Posts)
	assert.Empty(t, after.Title)
	assert.Greater(t, after.Seq, before.Seq)
	server.mustJSON(t, http.MethodPost, "/post-to-channel", caster, map[string]string{"channel": "grand-finals", "message": "anyone?"}, http.StatusNotFound, nil)
}

func TestLocalServerFeedEndToEnd(t *testing.T) {
	server := startServer(t, Config{})
	host := server.signIn(t, "host@example.com")
	caster := server.signIn(t, "caster@example.com")
	stranger := server.signIn(t, "stranger@example.com")

	status, _, _, _ := server.poll(t, "grand-finals", "")
	assert.Equal(t, http.StatusNotFound, status, "no channel yet")

	var channel struct{ Channel, Title, Owner, Feed string }
	server.mustJSON(t, http.MethodPost, "/create-channel", host, map[string]string{"channel": "grand-finals", "title": "Grand Finals", "name": "Host"}, http.StatusCreated, &channel)
	assert.Equal(t, "/feeds/grand-finals.json", channel.Feed)
	server.mustJSON(t, http.MethodPost, "/create-channel", stranger, map[string]string{"channel": "grand-finals", "title": "Mine"}, http.StatusConflict, nil)
	server.mustJSON(t, http.MethodPost, "/create-channel", host, map[string]string{"channel": "Bad Name!", "title": "x"}, http.StatusBadRequest, nil)

	// A new channel has an empty snapshot at once.
	status, etag, header, snapshot := server.poll(t, "grand-finals", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "Grand Finals", snapshot.Title)
	assert.Empty(t, snapshot.Posts)
	assert.NotEmpty(t, etag)
	assert.Equal(t, "public, max-age=5", header.Get("Cache-Control"))
	assert.Equal(t, "*", header.Get("Access-Control-Allow-Origin"))

	// Only publishers post; only the owner names them.
	server.mustJSON(t, http.MethodPost, "/post-to-channel", caster, map[string]string{"channel": "grand-finals", "message": "hello"}, http.StatusForbidden, nil)
	server.mustJSON(t, http.MethodPost, "/add-publisher", stranger, map[string]string{"channel": "grand-finals", "email": "stranger@example.com", "name": "Me"}, http.StatusForbidden, nil)
	server.mustJSON(t, http.MethodPost, "/add-publisher", host, map[string]string{"channel": "grand-finals", "email": "caster@example.com", "name": "Caster"}, http.StatusOK, nil)

	var first, retried struct{ ID, Author, Message string }
	server.mustJSON(t, http.MethodPost, "/post-to-channel", caster, map[string]string{"channel": "grand-finals", "message": "Game one begins", "clientId": "p1"}, http.StatusCreated, &first)
	server.mustJSON(t, http.MethodPost, "/post-to-channel", caster, map[string]string{"channel": "grand-finals", "message": "Game one begins", "clientId": "p1"}, http.StatusOK, &retried)
	assert.Equal(t, first.ID, retried.ID, "a retry stores nothing")
	assert.Equal(t, "Caster", first.Author)
	for i := range 3 {
		server.mustJSON(t, http.MethodPost, "/post-to-channel", host, map[string]string{"channel": "grand-finals", "message": fmt.Sprintf("score %d", i)}, http.StatusCreated, nil)
	}
	server.mustJSON(t, http.MethodPost, "/post-to-channel", stranger, map[string]string{"channel": "grand-finals", "message": "spam"}, http.StatusForbidden, nil)

	// The post changed the snapshot: the old ETag gets it, in order.
	status, changed, _, snapshot := server.poll(t, "grand-finals", etag)
	require.Equal(t, http.StatusOK, status)
	assert.NotEqual(t, etag, changed)
	var messages, authors []string
	for _, p := range snapshot.Posts {
		messages, authors = append(messages, p.Message), append(authors, p.Author)
	}
	assert.Equal(t, []string{"Game one begins", "score 0", "score 1", "score 2"}, messages)
	assert.Equal(t, []string{"Caster", "Host", "Host", "Host"}, authors)
	assert.Empty(t, snapshot.Previous, "the snapshot holds the first post")
	assert.Equal(t, int64(4), snapshot.Seq)

	// An unchanged poll is a 304 with no body.
	status, same, _, _ := server.poll(t, "grand-finals", changed)
	assert.Equal(t, http.StatusNotModified, status)
	assert.Equal(t, changed, same)

	// Delete: the owner only, and the snapshot drops the post.
	server.mustJSON(t, http.MethodPost, "/delete-post", caster, map[string]string{"channel": "grand-finals", "id": first.ID}, http.StatusForbidden, nil)
	server.mustJSON(t, http.MethodPost, "/delete-post", host, map[string]string{"channel": "grand-finals", "id": first.ID}, http.StatusOK, nil)
	server.mustJSON(t, http.MethodPost, "/delete-post", host, map[string]string{"channel": "grand-finals", "id": first.ID}, http.StatusNotFound, nil)
	status, _, _, snapshot = server.poll(t, "grand-finals", changed)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, snapshot.Posts, 3)
	assert.Equal(t, "score 0", snapshot.Posts[0].Message)

	// No email ever reaches the public snapshot.
	res := server.do(t, http.MethodGet, "/feeds/grand-finals.json", "", nil)
	assert.NotContains(t, string(res.Body), "@")
	assert.False(t, strings.Contains(string(res.Body), "example.com"))

	// Bad names and methods.
	status, _, _, _ = server.poll(t, "..%2fconfig", "")
	assert.Equal(t, http.StatusNotFound, status)
	res = server.do(t, http.MethodPost, "/feeds/grand-finals.json", "", "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, res.Status)
}
