package runtimeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/cmd/lambdabench/runtimeapi"
)

const base = "/2018-06-01/runtime/"

var fixedNow = time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)

// runtime is the function's side of the protocol, as aws-lambda-go speaks it.
type runtime struct {
	tb  testing.TB
	url string
}

func newRuntime(tb testing.TB) (*runtimeapi.Server, runtime) {
	tb.Helper()
	server := runtimeapi.New(runtimeapi.Config{
		FunctionARN: "arn:aws:lambda:eu-central-1:000000000000:function:parley-add-message",
		Timeout:     10 * time.Second,
		Now:         func() time.Time { return fixedNow },
	})
	api := httptest.NewServer(server.Handler())
	tb.Cleanup(api.Close)
	return server, runtime{tb: tb, url: api.URL + base}
}

func (r runtime) next() (string, http.Header, string) {
	r.tb.Helper()
	res, err := http.Get(r.url + "invocation/next")
	require.NoError(r.tb, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(r.tb, err)
	require.Equal(r.tb, http.StatusOK, res.StatusCode)
	return res.Header.Get(runtimeapi.HeaderRequestID), res.Header, string(body)
}

func (r runtime) post(path string, body []byte, header http.Header) int {
	r.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, r.url+path, bytes.NewReader(body))
	require.NoError(r.tb, err)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(r.tb, err)
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// invoke makes one invocation in the background; its outcome arrives on the
// returned channel.
func invoke(server *runtimeapi.Server, event string) <-chan outcome {
	done := make(chan outcome, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		result, err := server.Invoke(ctx, []byte(event))
		done <- outcome{result, err}
	}()
	return done
}

type outcome struct {
	result runtimeapi.Result
	err    error
}

func TestInvocation(t *testing.T) {
	tests := []struct {
		name string
		// answer is how the function ends the invocation it took.
		answer     func(r runtime, id string) int
		wantStatus int
		wantBody   string
		wantErr    *runtimeapi.FunctionError
	}{
		{
			name: "ResponseEndsTheInvocation",
			answer: func(r runtime, id string) int {
				return r.post("invocation/"+id+"/response", []byte(`{"statusCode":201}`), nil)
			},
			wantStatus: http.StatusAccepted,
			wantBody:   `{"statusCode":201}`,
		},
		{
			name: "ErrorEndsTheInvocationWithTheFunctionsError",
			answer: func(r runtime, id string) int {
				return r.post("invocation/"+id+"/error", []byte(`{"errorMessage":"boom","errorType":"errorString"}`), nil)
			},
			wantStatus: http.StatusAccepted,
			wantErr:    &runtimeapi.FunctionError{Type: "errorString", Message: "boom"},
		},
		{
			name: "ErrorThatIsNotJSONKeepsItsTextAndHeaderType",
			answer: func(r runtime, id string) int {
				return r.post("invocation/"+id+"/error", []byte("panic: nil map"), http.Header{runtimeapi.HeaderErrorType: {"Runtime.ExitError"}})
			},
			wantStatus: http.StatusAccepted,
			wantErr:    &runtimeapi.FunctionError{Type: "Runtime.ExitError", Message: "panic: nil map"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, r := newRuntime(t)
			done := invoke(server, `{"rawPath":"/add-message"}`)
			id, header, event := r.next()
			assert.Equal(t, `{"rawPath":"/add-message"}`, event)
			assert.NotEmpty(t, id)
			assert.Equal(t, "arn:aws:lambda:eu-central-1:000000000000:function:parley-add-message", header.Get(runtimeapi.HeaderInvokedFunctionARN))
			assert.Equal(t, "1796173210000", header.Get(runtimeapi.HeaderDeadlineMS), "the deadline is now plus the timeout, in Unix milliseconds")
			assert.NotEmpty(t, header.Get(runtimeapi.HeaderTraceID))

			assert.Equal(t, tt.wantStatus, tt.answer(r, id))
			got := <-done
			require.NoError(t, got.err)
			assert.Equal(t, tt.wantBody, string(got.result.Body))
			assert.Equal(t, tt.wantErr, got.result.Err)
			assert.Equal(t, fixedNow, got.result.Delivered)
			assert.Equal(t, fixedNow, got.result.Done)
		})
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name string
		// call acts after one invocation was taken as id and answered.
		call func(r runtime, id string) int
		want int
	}{
		{"SecondResponseToTheSameInvocation", func(r runtime, id string) int { return r.post("invocation/"+id+"/response", []byte(`{}`), nil) }, http.StatusBadRequest},
		{"ErrorAfterTheResponse", func(r runtime, id string) int { return r.post("invocation/"+id+"/error", []byte(`{}`), nil) }, http.StatusBadRequest},
		{"ResponseToAnUnknownInvocation", func(r runtime, _ string) int { return r.post("invocation/nobody/response", []byte(`{}`), nil) }, http.StatusBadRequest},
		{"ResponseLargerThan6MB", func(r runtime, _ string) int {
			return r.post("invocation/nobody/response", bytes.Repeat([]byte("x"), runtimeapi.MaxResponseBytes+1), nil)
		}, http.StatusRequestEntityTooLarge},
		{"NextWithTheWrongMethod", func(r runtime, _ string) int { return r.post("invocation/next", nil, nil) }, http.StatusMethodNotAllowed},
		{"UnknownEndpoint", func(r runtime, _ string) int { return r.post("invocation/x/y/z", nil, nil) }, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, r := newRuntime(t)
			done := invoke(server, `{}`)
			id, _, _ := r.next()
			require.Equal(t, http.StatusAccepted, r.post("invocation/"+id+"/response", []byte(`{}`), nil))
			require.NoError(t, (<-done).err)
			assert.Equal(t, tt.want, tt.call(r, id))
		})
	}
}

func TestInitError(t *testing.T) {
	t.Run("FailsTheWaitingInvocation", func(t *testing.T) {
		server, r := newRuntime(t)
		done := invoke(server, `{}`)
		require.Equal(t, http.StatusAccepted, r.post("init/error", []byte(`{"errorMessage":"PARLEY_TABLE_NAME is not set","errorType":"Runtime.InitError"}`), nil))
		got := <-done
		require.ErrorIs(t, got.err, runtimeapi.ErrInit)
		assert.Contains(t, got.err.Error(), "PARLEY_TABLE_NAME is not set")
	})
	t.Run("FailsLaterInvocations", func(t *testing.T) {
		server, r := newRuntime(t)
		require.Equal(t, http.StatusAccepted, r.post("init/error", []byte(`{}`), nil))
		_, err := server.Invoke(context.Background(), []byte(`{}`))
		assert.ErrorIs(t, err, runtimeapi.ErrInit)
	})
	t.Run("SecondReportIsRefused", func(t *testing.T) {
		_, r := newRuntime(t)
		require.Equal(t, http.StatusAccepted, r.post("init/error", []byte(`{}`), nil))
		assert.Equal(t, http.StatusForbidden, r.post("init/error", []byte(`{}`), nil))
	})
}

func TestInvocationsAreServedInOrder(t *testing.T) {
	server, r := newRuntime(t)
	var done []<-chan outcome
	for i := range 3 {
		done = append(done, invoke(server, `{"n":`+strings.Repeat("1", i+1)+`}`))
		// Invoke hands over on invocation/next only: take each before the next.
		id, _, event := r.next()
		var got struct{ N int }
		require.NoError(t, json.Unmarshal([]byte(event), &got))
		require.Equal(t, http.StatusAccepted, r.post("invocation/"+id+"/response", []byte(event), nil))
	}
	for i, d := range done {
		got := <-d
		require.NoError(t, got.err)
		assert.Equal(t, `{"n":`+strings.Repeat("1", i+1)+`}`, string(got.result.Body))
	}
}

func TestCancelledInvocationIsNotTaken(t *testing.T) {
	server, _ := newRuntime(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := server.Invoke(ctx, []byte(`{}`))
	assert.ErrorIs(t, err, context.Canceled)
}
