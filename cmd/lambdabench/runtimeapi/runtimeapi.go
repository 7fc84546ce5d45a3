// Package runtimeapi is a minimal Lambda Runtime API: the four endpoints a
// custom runtime such as aws-lambda-go calls (invocation/next, an
// invocation's response and error, init/error), enough to run a built
// `bootstrap` as Lambda runs it and time its invocations from outside.
//
// A Server stands for one execution environment: start one per process, point
// the process at it with AWS_LAMBDA_RUNTIME_API, and call Invoke.
package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxResponseBytes is Lambda's limit on a synchronous invocation's response
// (6 MB); a longer response is refused with 413, as Lambda refuses it.
const MaxResponseBytes = 6 * 1024 * 1024

// The endpoints of version 2018-06-01 of the Runtime API.
const (
	pathNext      = "/2018-06-01/runtime/invocation/next"
	pathResponse  = "/2018-06-01/runtime/invocation/{id}/response"
	pathError     = "/2018-06-01/runtime/invocation/{id}/error"
	pathInitError = "/2018-06-01/runtime/init/error"
)

// Headers of the next invocation and of a reported error.
const (
	HeaderRequestID          = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMS         = "Lambda-Runtime-Deadline-Ms"
	HeaderInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID            = "Lambda-Runtime-Trace-Id"
	HeaderErrorType          = "Lambda-Runtime-Function-Error-Type"
)

// ErrInit is returned by Invoke when the runtime reported that it could not
// initialise (init/error).
var ErrInit = errors.New("the runtime failed to initialise")

// FunctionError is an error the runtime reported, for an invocation or for
// its initialisation: Lambda's {"errorMessage","errorType"} body.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

// Error implements error.
func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Result is how one invocation ended.
type Result struct {
	// Body is the function's response; empty when it reported an error.
	Body []byte
	// Err is the error the function reported instead of a response.
	Err *FunctionError
	// Delivered is when the runtime took the event from invocation/next;
	// Done when its response or error had arrived in full.
	Delivered, Done time.Time
}

// Config are a Server's settings; the zero value is usable.
type Config struct {
	// FunctionARN is sent as the invoked function's ARN.
	FunctionARN string
	// Timeout is the function's timeout, from which each invocation's
	// deadline is computed (default 30 s).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the Runtime API of one execution environment.
type Server struct {
	config  Config
	queue   chan *invocation
	mu      sync.Mutex
	seq     int
	pending map[string]*invocation
	initErr *FunctionError
	failed  chan struct{}
}

type invocation struct {
	id        string
	event     []byte
	delivered time.Time
	done      chan Result
}

// New returns a Server with config.
func New(config Config) *Server {
	if config.Timeout <= 0 {
		config.Timeout = 30 * time.Second
	}
	if config.Now == nil {
		config.Now = time.Now
	}
	if config.FunctionARN == "" {
		config.FunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:bench"
	}
	return &Server{config: config, queue: make(chan *invocation), pending: map[string]*invocation{}, failed: make(chan struct{})}
}

// Handler serves the Runtime API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathNext, s.next)
	mux.HandleFunc("POST "+pathResponse, s.response)
	mux.HandleFunc("POST "+pathError, s.invocationError)
	mux.HandleFunc("POST "+pathInitError, s.initError)
	return mux
}

// Invoke hands event to the runtime's next invocation/next and waits for its
// response or error, for the runtime's init/error (ErrInit), or for ctx. The
// invocations of one Server are served one at a time, as in Lambda, in the
// order they were made.
func (s *Server) Invoke(ctx context.Context, event []byte) (Result, error) {
	s.mu.Lock()
	s.seq++
	inv := &invocation{id: fmt.Sprintf("%08d-bench-0000-0000-%012d", s.seq, s.seq), event: event, done: make(chan Result, 1)}
	s.mu.Unlock()
	select {
	case s.queue <- inv:
	case <-s.failed:
		return Result{}, s.initFailure()
	case <-ctx.Done():
		return Result{}, fmt.Errorf("invocation not taken: %w", ctx.Err())
	}
	select {
	case r := <-inv.done:
		return r, nil
	case <-s.failed:
		return Result{}, s.initFailure()
	case <-ctx.Done():
		return Result{}, fmt.Errorf("invocation %s not answered: %w", inv.id, ctx.Err())
	}
}

func (s *Server) initFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Errorf("%w: %v", ErrInit, s.initErr)
}

// next blocks until an invocation is made, as Lambda's does, and hands it
// over with its headers.
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
		return
	}
	now := s.config.Now()
	s.mu.Lock()
	inv.delivered = now
	s.pending[inv.id] = inv
	s.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(HeaderRequestID, inv.id)
	h.Set(HeaderDeadlineMS, strconv.FormatInt(now.Add(s.config.Timeout).UnixMilli(), 10))
	h.Set(HeaderInvokedFunctionARN, s.config.FunctionARN)
	h.Set(HeaderTraceID, "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.event)
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.finish(w, r.PathValue("id"), Result{Body: body})
}

func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.finish(w, r.PathValue("id"), Result{Err: parseError(r, body)})
}

// finish ends the pending invocation id with result; an ID that is not
// pending (unknown, or answered already) is refused, as Lambda refuses it.
func (s *Server) finish(w http.ResponseWriter, id string, result Result) {
	s.mu.Lock()
	inv, ok := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if !ok {
		writeStatus(w, http.StatusBadRequest, "InvalidRequestID", "no pending invocation "+id)
		return
	}
	result.Delivered, result.Done = inv.delivered, s.config.Now()
	inv.done <- result
	writeStatus(w, http.StatusAccepted, "", "")
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initErr != nil {
		writeStatus(w, http.StatusForbidden, "InvalidStateTransition", "init/error was reported already")
		return
	}
	s.initErr = parseError(r, body)
	close(s.failed)
	writeStatus(w, http.StatusAccepted, "", "")
}

// readBody reads a posted body of at most MaxResponseBytes, answering 413
// when it is longer.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	switch {
	case err != nil:
		writeStatus(w, http.StatusBadRequest, "InvalidRequest", "read body: "+err.Error())
		return nil, false
	case len(body) > MaxResponseBytes:
		writeStatus(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "the response is larger than 6 MB")
		return nil, false
	}
	return body, true
}

// parseError reads Lambda's error document; a body that is not one is kept
// as the message, typed by the error-type header.
func parseError(r *http.Request, body []byte) *FunctionError {
	var e FunctionError
	if json.Unmarshal(body, &e) != nil || (e.Type == "" && e.Message == "") {
		e = FunctionError{Message: string(body)}
	}
	if t := r.Header.Get(HeaderErrorType); t != "" && e.Type == "" {
		e.Type = t
	}
	return &e
}

func writeStatus(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if errorType == "" {
		_, _ = io.WriteString(w, `{"status":"OK"}`)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": errorType, "errorMessage": message})
}
