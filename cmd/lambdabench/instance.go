package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/cmd/lambdabench/runtimeapi"
)

// instance is one execution environment: a bootstrap process and the
// Runtime API it polls.
type instance struct {
	api     *runtimeapi.Server
	server  *http.Server
	cmd     *exec.Cmd
	started time.Time
	// lastDone is when the last invocation's answer arrived.
	lastDone time.Time
	exited   chan struct{}
	output   *tailBuffer
	ctx      context.Context
	cancel   context.CancelFunc
}

// startInstance starts binary with env (and AWS_LAMBDA_RUNTIME_API) against a
// Runtime API of its own on a loopback port.
func startInstance(binary string, env []string, name string) (*instance, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	api := runtimeapi.New(runtimeapi.Config{
		FunctionARN: "arn:aws:lambda:" + region + ":000000000000:function:" + name,
		Timeout:     time.Duration(lambdaTimeoutSeconds) * time.Second,
	})
	server := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()

	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{api: api, server: server, exited: make(chan struct{}), output: &tailBuffer{max: 16 << 10}, ctx: ctx, cancel: cancel}
	in.cmd = exec.Command(binary)
	in.cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+listener.Addr().String())
	in.cmd.Stdout, in.cmd.Stderr = in.output, in.output
	dieWithParent(in.cmd)
	in.started = time.Now()
	if err := in.cmd.Start(); err != nil {
		cancel()
		_ = server.Close()
		return nil, err
	}
	go func() {
		_ = in.cmd.Wait()
		close(in.exited)
		cancel()
	}()
	return in, nil
}

// invoke sends one event and waits at most timeout for its result.
func (in *instance) invoke(event []byte, timeout time.Duration) (runtimeapi.Result, error) {
	ctx, cancel := context.WithTimeout(in.ctx, timeout)
	defer cancel()
	result, err := in.api.Invoke(ctx, event)
	if err != nil {
		select {
		case <-in.exited:
			return result, fmt.Errorf("the process exited (%v): %w\n%s", in.cmd.ProcessState, err, in.output)
		default:
			return result, fmt.Errorf("%w\n%s", err, in.output)
		}
	}
	if result.Err != nil {
		return result, fmt.Errorf("the function failed: %w\n%s", result.Err, in.output)
	}
	in.lastDone = result.Done
	return result, nil
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func (in *instance) peakRSS() (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", in.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	scanner := bufio.NewScanner(bytes.NewReader(status))
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 3 && fields[0] == "VmHWM:" && fields[2] == "kB" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc/<pid>/status")
}

// stop kills the process, as Lambda ends an environment, and its Runtime API.
func (in *instance) stop() {
	_ = in.cmd.Process.Kill()
	<-in.exited
	_ = in.server.Close()
}

// tailBuffer keeps the last max bytes of a function's log, and counts its
// requests refused or failed (slog writes each record in one Write).
type tailBuffer struct {
	mu              sync.Mutex
	max             int
	buf             []byte
	refused, failed int
	written         int
}

// logged returns the bytes written since the last call.
func (t *tailBuffer) logged() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.written
	t.written = 0
	return n
}

// counts returns the requests refused and failed since the last call.
func (t *tailBuffer) counts() (refused, failed int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	refused, failed = t.refused, t.failed
	t.refused, t.failed = 0, 0
	return refused, failed
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.written += len(p)
	t.refused += bytes.Count(p, []byte(`"msg":"request refused"`))
	t.failed += bytes.Count(p, []byte(`"msg":"request failed"`))
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
