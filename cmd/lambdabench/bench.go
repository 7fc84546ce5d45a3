package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// scenario is one row of the table: a function and the events it is fed.
type scenario struct {
	name string
	// binary is the built bootstrap's name: the route, or the floor.
	binary string
	// event is the i-th call's event.
	event func(i int) ([]byte, error)
	// check sees the i-th call's status and body; nil accepts any 2xx.
	check func(i int, status int, body string) error
	// floor marks the floors, and sdkFloor the one init is compared to.
	floor, sdkFloor bool
}

// result is what one function measured.
type result struct {
	scenario
	cold, warm []time.Duration
	// toFirstRequest is, per cold start, the time from process start to
	// the first DynamoDB request: what the process builds and does before
	// its route's first call, apart from the calls themselves.
	toFirstRequest []time.Duration
	peakRSS        int64
	calls          int
	requests       int
	rounds         int
	read           float64
	write          float64
	// awsWrite is what DynamoDB bills for the same writes: DynamoDB Local
	// rounds a transaction's total size up to 1 KB, DynamoDB charges 2 write
	// units per item per KB.
	awsWrite float64
	// refusedWrites are writes whose condition failed (400).
	refusedWrites int
	pushed        int
	ops           map[string]int
	// logBytes is what the warm calls wrote to the function's log.
	logBytes int
	// nextCall is the index of the next call's event.
	nextCall int
}

func (r result) coldMedian() time.Duration { return percentile(r.cold, 50) }

func (r result) warmPercentile(p int) time.Duration { return percentile(r.warm, p) }

func (r result) init() time.Duration { return r.coldMedian() - r.warmPercentile(50) }

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// bench runs functions as Lambda runs them.
type bench struct {
	binaries  string
	proxy     *dynamoProxy
	callbacks *callbackServer
	env       func(name string, pushes bool) []string
}

const invokeTimeout = 30 * time.Second

// start runs one execution environment of r's function: it starts the
// process, makes one cold call and then perProcess warm ones, one at a time,
// and stops it. Only warm calls count in the per-call figures.
func (b *bench) start(ctx context.Context, r *result, perProcess int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	invoke := func(in *instance) (time.Duration, error) {
		call := r.nextCall
		event, err := r.event(call)
		if err != nil {
			return 0, err
		}
		begin := time.Now()
		res, err := in.invoke(event, invokeTimeout)
		if err != nil {
			return 0, fmt.Errorf("call %d: %w", call, err)
		}
		status, body := responseStatus(res.Body)
		check := r.check
		if check == nil {
			check = func(_ int, status int, body string) error {
				if status < 200 || status > 299 {
					return fmt.Errorf("status %d: %s", status, body)
				}
				return nil
			}
		}
		if err := check(call, status, body); err != nil {
			return 0, fmt.Errorf("call %d: %w\n%s", call, err, in.output)
		}
		if refused, failed := in.output.counts(); refused+failed > 0 {
			return 0, fmt.Errorf("call %d: the function logged %d refused and %d failed requests\n%s", call, refused, failed, in.output)
		}
		r.nextCall++
		return res.Done.Sub(begin), nil
	}
	b.proxy.take()
	b.callbacks.take()
	in, err := startInstance(filepath.Join(b.binaries, r.binary), b.env(r.binary, pushes(r.binary)), r.binary)
	if err != nil {
		return err
	}
	defer in.stop()
	if _, err := invoke(in); err != nil {
		return err
	}
	// The cold call ends when its response arrives; from process start.
	r.cold = append(r.cold, in.lastDone.Sub(in.started))
	if log := b.proxy.take(); len(log) > 0 {
		first := log[0].start
		for _, q := range log[1:] {
			if q.start.Before(first) {
				first = q.start
			}
		}
		r.toFirstRequest = append(r.toFirstRequest, first.Sub(in.started))
	}
	b.callbacks.take()
	in.output.logged()
	for range perProcess {
		d, err := invoke(in)
		if err != nil {
			return err
		}
		r.warm = append(r.warm, d)
		r.add(b.proxy.take(), b.callbacks.take())
		r.logBytes += in.output.logged()
	}
	rss, err := in.peakRSS()
	r.peakRSS = max(r.peakRSS, rss)
	return err
}

// add counts one warm call's DynamoDB requests and pushes.
func (r *result) add(log []request, pushes int) {
	r.calls++
	r.requests += len(log)
	r.rounds += rounds(log)
	r.pushed += pushes
	for _, q := range log {
		r.ops[q.op]++
		r.read += q.read
		r.write += q.write
		switch {
		case q.status >= 400 && !readOps[q.op]:
			r.refusedWrites++
		case q.op == "TransactWriteItems":
			r.awsWrite += 2 * float64(q.items)
		default:
			r.awsWrite += q.write
		}
	}
}

func (r result) perCall(v float64) float64 { return v / float64(max(1, r.calls)) }

func report(out io.Writer, results []*result, o options, perProcess int) {
	var sdkFloor, putFloor, transactFloor *result
	for _, r := range results {
		switch r.binary {
		case "getitem":
			sdkFloor = r
		case "putitem":
			putFloor = r
		case "transact":
			transactFloor = r
		}
	}
	fmt.Fprintf(out, "Cold starts under a Lambda Runtime API emulator, linux/%s bootstraps built as the zips are (%s), against DynamoDB Local\n", goarch(), o.binariesDir)
	fmt.Fprintf(out, "%d cold starts per function (process start -> first response), %d warm calls each after it (%d per function), one at a time,\n", o.cold, perProcess, o.cold*perProcess)
	fmt.Fprintf(out, "every function started once per round, in the order below\n\n")
	fmt.Fprintln(out, "| function | cold p50 | init | init / SDK floor | warm p50 | warm p99 | peak RSS | DynamoDB requests/call | critical path | requests | read units/call | write units/call (Local) | write units/call (DynamoDB) | pushes/call |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
	for _, r := range results {
		ratio := "-"
		if sdkFloor != nil && sdkFloor.init() > 0 && !r.floor {
			ratio = fmt.Sprintf("%.2fx", float64(r.init())/float64(sdkFloor.init()))
		}
		var ops []string
		for _, op := range sortedKeys(r.ops) {
			ops = append(ops, fmt.Sprintf("%s %.3g", op, r.perCall(float64(r.ops[op]))))
		}
		if r.refusedWrites > 0 {
			ops = append(ops, fmt.Sprintf("(%.3g refused by a condition)", r.perCall(float64(r.refusedWrites))))
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s | %.1f MiB | %.2f | %.2f | %s | %.2f | %.2f | %.2f | %.2f |\n",
			r.name, ms(r.coldMedian()), ms(r.init()), ratio, ms(r.warmPercentile(50)), ms(r.warmPercentile(99)),
			float64(r.peakRSS)/(1<<20), r.perCall(float64(r.requests)), r.perCall(float64(r.rounds)), strings.Join(ops, " + "),
			r.perCall(r.read), r.perCall(r.write), r.perCall(r.awsWrite), r.perCall(float64(r.pushed)))
	}
	fmt.Fprintln(out)
	for _, r := range results {
		if r.binary != "add-message" || putFloor == nil || transactFloor == nil {
			continue
		}
		fmt.Fprintf(out, "%s, warm: p50 %s = %.2fx the bare PutItem (%s), %.2fx the bare transaction (%s); p99 %s = %.2fx the bare PutItem (%s), %.2fx the bare transaction (%s)\n",
			r.name, ms(r.warmPercentile(50)), ratioOf(r.warmPercentile(50), putFloor.warmPercentile(50)), ms(putFloor.warmPercentile(50)),
			ratioOf(r.warmPercentile(50), transactFloor.warmPercentile(50)), ms(transactFloor.warmPercentile(50)),
			ms(r.warmPercentile(99)), ratioOf(r.warmPercentile(99), putFloor.warmPercentile(99)), ms(putFloor.warmPercentile(99)),
			ratioOf(r.warmPercentile(99), transactFloor.warmPercentile(99)), ms(transactFloor.warmPercentile(99)))
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Cold starts, process start -> first DynamoDB request (median): what a function builds and does before its first")
	fmt.Fprintln(out, "call reaches DynamoDB (runtime, package initialisation, configuration, clients, the handler up to its first request),")
	fmt.Fprintln(out, "apart from the calls themselves; init also holds the first use of each of the route's calls (connections, code):")
	for _, r := range results {
		if len(r.toFirstRequest) == 0 || (r.floor && !r.sdkFloor) {
			continue
		}
		ratio := ""
		if sdkFloor != nil && !r.floor && len(sdkFloor.toFirstRequest) > 0 {
			ratio = fmt.Sprintf(" = %.2fx the SDK floor's", ratioOf(percentile(r.toFirstRequest, 50), percentile(sdkFloor.toFirstRequest, 50)))
		}
		fmt.Fprintf(out, "  %s: %s%s\n", r.name, ms(percentile(r.toFirstRequest, 50)), ratio)
	}
	fmt.Fprintln(out, `
init is the median cold start minus the warm p50; "init / SDK floor" divides it by the init of the floor that
loads the SDK's configuration and makes one GetItem. Critical path: the call's DynamoDB requests that were waited
for one after another (requests that overlap in time count once). Write units (DynamoDB) are what DynamoDB bills:
2 per item of a transaction (items under 1 KB), where DynamoDB Local reports a transaction's total rounded up to
1 KB; a write refused by its condition reports no units here, though DynamoDB bills 1 write unit for it. Pushes
are POSTs to the @connections endpoint (WebSocket messages sent). This machine is not Lambda: a 256 MB function
has a fraction of one Graviton core, so absolute times differ; ratios measured in one run are what compare.`)
	fmt.Fprintf(out, "\nUnits per call that docs/cost.md prices (memory %d MB, warm p50 as billed duration, rounded up to 1 ms;\n", lambdaMemoryMB)
	fmt.Fprintln(out, "log bytes: what the function wrote, without the START, END and REPORT lines Lambda adds):")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| function | GB-s/call (warm) | GB-s per cold start (init) | read units | write units (DynamoDB) | WebSocket messages sent | log bytes |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		if r.floor {
			continue
		}
		fmt.Fprintf(out, "| %s | %.6f | %.6f | %.2f | %.2f | %.2f | %.0f |\n", r.name, gbSeconds(r.warmPercentile(50)), gbSeconds(r.init()),
			r.perCall(r.read), r.perCall(r.awsWrite), r.perCall(float64(r.pushed)), r.perCall(float64(r.logBytes)))
	}
}

func gbSeconds(d time.Duration) float64 {
	billedMS := math.Ceil(float64(d) / float64(time.Millisecond))
	return billedMS / 1000 * lambdaMemoryMB / 1024
}

func ratioOf(a, b time.Duration) float64 {
	if b <= 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
