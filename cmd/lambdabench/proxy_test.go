package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAskCapacity(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantItems int
	}{
		{"SetsTotalWhereTheStoreAskedNone", `{"TableName":"t","ReturnConsumedCapacity":"NONE"}`, 0},
		{"SetsTotalWhereNothingWasAsked", `{"TableName":"t"}`, 0},
		{"CountsATransactionsItems", `{"TransactItems":[{"Put":{}},{"Update":{}},{"Put":{}}]}`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, items := askCapacity([]byte(tt.body))
			var fields map[string]any
			require.NoError(t, json.Unmarshal(body, &fields))
			assert.Equal(t, "TOTAL", fields["ReturnConsumedCapacity"])
			assert.Equal(t, tt.wantItems, items)
		})
	}
	t.Run("LeavesABodyThatIsNotJSON", func(t *testing.T) {
		body, items := askCapacity([]byte("not json"))
		assert.Equal(t, "not json", string(body))
		assert.Zero(t, items)
	})
}

func TestConsumedUnits(t *testing.T) {
	tests := []struct {
		name string
		body string
		want float64
	}{
		{"OneRequest", `{"ConsumedCapacity":{"TableName":"t","CapacityUnits":0.5}}`, 0.5},
		{"ATransactionOrBatch", `{"ConsumedCapacity":[{"CapacityUnits":2},{"CapacityUnits":1.5}]}`, 3.5},
		{"NoneReported", `{"Item":{}}`, 0},
		{"AnError", `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, consumedUnits([]byte(tt.body)), 1e-9)
		})
	}
}

func TestRounds(t *testing.T) {
	at := func(from, to int) request {
		base := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
		return request{start: base.Add(time.Duration(from) * time.Millisecond), end: base.Add(time.Duration(to) * time.Millisecond)}
	}
	tests := []struct {
		name string
		log  []request
		want int
	}{
		{"NoRequest", nil, 0},
		{"OneAfterAnother", []request{at(0, 5), at(6, 10), at(11, 12)}, 3},
		{"TwoAtOnceAfterOne", []request{at(0, 5), at(6, 10), at(7, 9)}, 2},
		{"InAnyOrder", []request{at(7, 9), at(0, 5), at(6, 10)}, 2},
		{"OverlappingChain", []request{at(0, 5), at(4, 8), at(7, 12)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rounds(tt.log))
		})
	}
}

// TestDynamoProxy checks what a function's request becomes on its way to
// DynamoDB and what the proxy records of it.
func TestDynamoProxy(t *testing.T) {
	var upstreamBody string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		upstreamBody = string(b)
		assert.Equal(t, "DynamoDB_20120810.GetItem", r.Header.Get("X-Amz-Target"))
		w.Header().Set("X-Amz-Crc32", "123")
		_, _ = io.WriteString(w, `{"Item":{},"ConsumedCapacity":{"CapacityUnits":1}}`)
	}))
	defer upstream.Close()
	proxy := newDynamoProxy(upstream.URL)
	front := httptest.NewServer(proxy)
	defer front.Close()

	req, err := http.NewRequest(http.MethodPost, front.URL+"/", strings.NewReader(`{"TableName":"t","ReturnConsumedCapacity":"NONE"}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)

	assert.Contains(t, upstreamBody, `"ReturnConsumedCapacity":"TOTAL"`)
	assert.Equal(t, `{"Item":{},"ConsumedCapacity":{"CapacityUnits":1}}`, string(body), "the function gets DynamoDB's answer as it was")
	assert.Equal(t, "123", res.Header.Get("X-Amz-Crc32"))
	log := proxy.take()
	require.Len(t, log, 1)
	assert.Equal(t, "GetItem", log[0].op)
	assert.InDelta(t, 1.0, log[0].read, 1e-9)
	assert.Zero(t, log[0].write)
	assert.Empty(t, proxy.take(), "take empties the log")
}
