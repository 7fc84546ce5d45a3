// Command feedbench measures public live feeds on the local server: at each
// post rate in turn, publishers post for a while and viewers that poll the
// channel's snapshot every 5 s (core.PollInterval), with If-None-Match and
// through a shared cache that keeps each snapshot for its max-age as
// CloudFront does, count the posts they never saw. It prints, per rate, the
// posts missed, post -> seen by a viewer p50/p99, the snapshot's bytes, and
// the requests that reached the origin per viewer-minute; then the highest
// rate followed with none missed. It asserts nothing, and every run is
// bounded in posts and time.
//
//	go run ./cmd/parley/feedbench -url http://127.0.0.1:8080
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/cmd/parley/internal/localclient"
	"github.com/parley-chat/parley/core"
)

const (
	maxPostsPerRate = 20000
	maxRunTime      = 8 * time.Minute
	posters         = 8
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the local server's base URL")
	rates := flag.String("rates", "20,50,100,150,200,300", "post rates to try, posts per second, ascending")
	seconds := flag.Int("seconds", 12, "how long to post at each rate (at most 60)")
	viewers := flag.Int("viewers", 20, "viewers polling each channel (at most 200)")
	flag.Parse()
	var list []int
	for _, r := range strings.Split(*rates, ",") {
		rate, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || rate < 1 {
			fmt.Fprintln(os.Stderr, "feedbench: -rates must be positive whole numbers")
			os.Exit(2)
		}
		list = append(list, rate)
	}
	b := &bench{local: localclient.New(strings.TrimSuffix(*base, "/"))}
	ctx, cancel := context.WithTimeout(context.Background(), maxRunTime)
	defer cancel()
	if err := b.run(ctx, list, time.Duration(min(max(*seconds, 1), 60))*time.Second, min(max(*viewers, 1), 200)); err != nil {
		fmt.Fprintln(os.Stderr, "feedbench:", err)
		os.Exit(1)
	}
}

type bench struct {
	local *localclient.Client
	token string
}

// post is a POST of body to path as the bench's host.
func (b *bench) post(ctx context.Context, path string, body, out any) error {
	return b.local.Call(ctx, http.MethodPost, path, b.token, body, out)
}

// result is what one rate measured.
type result struct {
	rate, posted         int
	achieved             float64
	missed, fellBehind   int
	p50, p99             time.Duration
	directP50, directP99 time.Duration
	maxBytes             int
	originPerViewerMin   float64
	directPerViewerMin   float64
	direct304            float64
}

func (b *bench) run(ctx context.Context, rates []int, duration time.Duration, viewers int) error {
	token, err := b.local.SignIn(ctx, "feedbench-host@example.com")
	if err != nil {
		return err
	}
	b.token = token
	run := strconv.FormatInt(time.Now().Unix()%100000, 36)
	fmt.Printf("viewers poll every %v through a shared cache of max-age %v (CloudFront); %d viewers per channel; %v of posts per rate\n",
		core.PollInterval, core.FeedMaxAge, viewers, duration)
	fmt.Printf("%6s %9s %8s %7s %7s %9s %9s %10s %17s %20s %18s\n", "rate", "achieved", "posted", "missed", "behind", "seen p50", "seen p99", "bytes max", "origin/viewer-min", "no CDN: seen p50/p99", "no CDN: req (304%)")
	best := -1
	var bestResult result
	for _, rate := range rates {
		if ctx.Err() != nil {
			break
		}
		r, err := b.measure(ctx, fmt.Sprintf("bench-%s-%d", run, rate), rate, duration, viewers)
		if err != nil {
			return err
		}
		fmt.Printf("%6d %9.1f %8d %7d %7d %9v %9v %10d %17.2f %20s %12.1f (%2.0f%%)\n", r.rate, r.achieved, r.posted, r.missed, r.fellBehind,
			r.p50.Round(time.Millisecond), r.p99.Round(time.Millisecond), r.maxBytes, r.originPerViewerMin,
			r.directP50.Round(time.Millisecond).String()+"/"+r.directP99.Round(time.Millisecond).String(), r.directPerViewerMin, 100*r.direct304)
		if r.missed > 0 {
			break
		}
		best, bestResult = rate, r
	}
	if best < 0 {
		fmt.Println("no rate tried was followed without a miss")
		return nil
	}
	fmt.Printf("highest rate followed with 0 missed: %d posts/s (achieved %.1f)\n", best, bestResult.achieved)
	fmt.Printf("  post -> seen by a viewer: p50 %v p99 %v through the 5 s cache; p50 %v p99 %v polling the local server directly\n",
		bestResult.p50.Round(time.Millisecond), bestResult.p99.Round(time.Millisecond), bestResult.directP50.Round(time.Millisecond), bestResult.directP99.Round(time.Millisecond))
	fmt.Printf("  snapshot at that rate: %d bytes (largest served)\n", bestResult.maxBytes)
	fmt.Printf("  origin requests per viewer-minute: %.2f through the shared cache (%d viewers), %.1f polling the origin directly, %.0f%% of them 304\n",
		bestResult.originPerViewerMin, viewers, bestResult.directPerViewerMin, 100*bestResult.direct304)
	return nil
}

// measure posts to a new channel at rate for duration while viewers follow.
// Long by design: the poster, the viewers and the tally of one timed run share its clock and its maps.
func (b *bench) measure(ctx context.Context, channel string, rate int, duration time.Duration, viewers int) (result, error) {
	if err := b.post(ctx, "/create-channel", map[string]string{"channel": channel, "title": "Bench " + channel, "name": "Host"}, nil); err != nil {
		return result{}, err
	}
	origin := &sharedCache{client: b.local.HTTP, url: b.local.Base + "/feeds/" + channel + ".json"}
	direct := &viewer{fetch: origin.fetchOrigin}
	var started sync.Map // post ID -> time its POST began
	stop := make(chan struct{})
	var wg sync.WaitGroup
	followers := make([]*viewer, viewers)
	for i := range followers {
		followers[i] = &viewer{fetch: origin.get}
		wg.Go(func() { followers[i].follow(ctx, stop, time.Duration(rand.Int64N(int64(core.PollInterval)))) })
	}
	wg.Go(func() { direct.follow(ctx, stop, 0) })

	total := min(rate*int(duration/time.Second), maxPostsPerRate)
	jobs := make(chan int)
	var posted atomic.Int64
	var posting sync.WaitGroup
	var postErr atomic.Value
	for range posters {
		posting.Go(func() {
			for i := range jobs {
				start := time.Now()
				var out struct{ ID string }
				if err := b.post(ctx, "/post-to-channel", map[string]string{"channel": channel, "message": fmt.Sprintf("post %d of the %d/s run", i, rate)}, &out); err != nil {
					postErr.Store(err)
					continue
				}
				started.Store(out.ID, start)
				posted.Add(1)
			}
		})
	}
	begin := time.Now()
	ticker := time.NewTicker(time.Second / time.Duration(rate))
	for i := range total {
		select {
		case <-ctx.Done():
		case <-ticker.C:
			jobs <- i
			continue
		}
		break
	}
	ticker.Stop()
	close(jobs)
	posting.Wait()
	elapsed := time.Since(begin)
	if err, _ := postErr.Load().(error); err != nil {
		close(stop)
		wg.Wait()
		return result{}, err
	}
	// Every viewer polls twice more, past the cache's max-age, to catch up.
	select {
	case <-ctx.Done():
	case <-time.After(2*core.PollInterval + core.FeedMaxAge + time.Second):
	}
	close(stop)
	wg.Wait()

	r := result{rate: rate, posted: int(posted.Load()), achieved: float64(posted.Load()) / elapsed.Seconds(), maxBytes: int(origin.maxBytes.Load())}
	var latencies []time.Duration
	r.directP50, r.directP99 = percentiles(direct.latencies(&started))
	for _, v := range followers {
		if v.behind {
			r.fellBehind++
		}
		started.Range(func(id, at any) bool {
			seen, ok := v.seen[id.(string)]
			if !ok {
				r.missed++
			} else {
				latencies = append(latencies, seen.Sub(at.(time.Time)))
			}
			return true
		})
	}
	r.p50, r.p99 = percentiles(latencies)
	minutes := time.Since(begin).Minutes()
	r.originPerViewerMin = float64(origin.originRequests.Load()) / float64(viewers) / minutes
	r.directPerViewerMin = float64(direct.requests) / minutes
	if direct.requests > 0 {
		r.direct304 = float64(direct.notModified) / float64(direct.requests)
	}
	return r, nil
}

// latencies are the times from each post's POST to this viewer's first
// sight of it.
func (v *viewer) latencies(started *sync.Map) []time.Duration {
	var out []time.Duration
	started.Range(func(id, at any) bool {
		if seen, ok := v.seen[id.(string)]; ok {
			out = append(out, seen.Sub(at.(time.Time)))
		}
		return true
	})
	return out
}

// percentiles are the p50 and p99 of latencies.
func percentiles(latencies []time.Duration) (p50, p99 time.Duration) {
	if len(latencies) == 0 {
		return 0, 0
	}
	slices.Sort(latencies)
	at := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	return at(0.50), at(0.99)
}

// snapshot is the part of a channel's snapshot a viewer reads.
type snapshot struct {
	Seq      int64  `json:"seq"`
	Previous string `json:"previous"`
	Posts    []struct {
		ID string `json:"id"`
	} `json:"posts"`
}

// response is one answer to a viewer's poll.
type response struct {
	status int
	etag   string
	body   []byte
}

// viewer polls like the SPA's live page: every PollInterval with the ETag
// it holds, merging each new snapshot and noting when it fell behind.
type viewer struct {
	fetch       func(ctx context.Context, etag string) (response, error)
	seen        map[string]time.Time
	last        string
	seq         int64
	behind      bool
	requests    int
	notModified int
}

func (v *viewer) follow(ctx context.Context, stop <-chan struct{}, phase time.Duration) {
	v.seen, v.seq = map[string]time.Time{}, -1
	etag := ""
	timer := time.NewTimer(phase)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-timer.C:
		}
		timer.Reset(core.PollInterval)
		res, err := v.fetch(ctx, etag)
		v.requests++
		if err != nil || res.status == http.StatusNotModified {
			if err == nil {
				v.notModified++
			}
			continue
		}
		var s snapshot
		if res.status != http.StatusOK || json.Unmarshal(res.body, &s) != nil || s.Seq < v.seq {
			continue
		}
		etag, v.seq = res.etag, s.Seq
		if v.last != "" && s.Previous != "" && s.Previous > v.last {
			v.behind = true
		}
		now := time.Now()
		for _, p := range s.Posts {
			if _, ok := v.seen[p.ID]; !ok {
				v.seen[p.ID] = now
			}
			v.last = max(v.last, p.ID)
		}
	}
}

// sharedCache stands for CloudFront in front of the local server: it keeps
// the last snapshot for its max-age, revalidates it with If-None-Match after,
// and answers viewers 304 when they hold its ETag.
type sharedCache struct {
	client         *http.Client
	url            string
	mu             sync.Mutex
	cached         response
	expires        time.Time
	originRequests atomic.Int64
	maxBytes       atomic.Int64
}

func (c *sharedCache) get(ctx context.Context, etag string) (response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached.status == 0 || time.Now().After(c.expires) {
		fresh, maxAge, err := c.fetch(ctx, c.cached.etag)
		c.originRequests.Add(1)
		if err != nil {
			return response{}, err
		}
		if fresh.status != http.StatusNotModified {
			c.cached = fresh
		}
		c.expires = time.Now().Add(maxAge)
	}
	if c.cached.status == http.StatusOK && etag == c.cached.etag {
		return response{status: http.StatusNotModified, etag: etag}, nil
	}
	return c.cached, nil
}

func (c *sharedCache) fetchOrigin(ctx context.Context, etag string) (response, error) {
	res, _, err := c.fetch(ctx, etag)
	return res, err
}

// fetch is one request to the origin, and the max-age it allows.
func (c *sharedCache) fetch(ctx context.Context, etag string) (response, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return response{}, 0, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := c.client.Do(req)
	if err != nil {
		return response{}, 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, 0, err
	}
	if int64(len(body)) > c.maxBytes.Load() {
		c.maxBytes.Store(int64(len(body)))
	}
	maxAge := time.Duration(0)
	for _, directive := range strings.Split(res.Header.Get("Cache-Control"), ",") {
		if value, ok := strings.CutPrefix(strings.TrimSpace(directive), "max-age="); ok {
			if seconds, err := strconv.Atoi(value); err == nil {
				maxAge = time.Duration(seconds) * time.Second
			}
		}
	}
	return response{status: res.StatusCode, etag: res.Header.Get("ETag"), body: body}, maxAge, nil
}
