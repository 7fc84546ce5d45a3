package feed

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/parley-chat/parley/core"
)

var _ core.SnapshotWriter = (*Local)(nil)

// Local keeps the snapshot of every channel in memory and serves them as
// the CDN does in AWS: GET /feeds/<channel>.json with Cache-Control, an ETag
// and 304 Not Modified for an unchanged If-None-Match. It is safe for
// concurrent use.
type Local struct {
	mu        sync.RWMutex
	snapshots map[string]encoded
}

type encoded struct {
	seq  int64
	body []byte
	etag string
}

// NewLocal returns an empty store.
func NewLocal() *Local {
	return &Local{snapshots: map[string]encoded{}}
}

// Handler serves l's snapshots, as ServeHTTP does. load, when not nil, is
// called for a channel that has no snapshot yet, to publish one into l
// (ENOTFOUND: no channel): for channels made before the process started. It
// is handed over here, not to NewLocal, because it is the service's, which
// writes into l.
func (l *Local) Handler(load func(ctx context.Context, channel string) error) http.Handler {
	return localHandler{local: l, load: load}
}

// ServeHTTP serves GET and HEAD /feeds/<channel>.json, publishing nothing
// itself.
func (l *Local) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	localHandler{local: l}.ServeHTTP(w, r)
}

// localHandler serves a Local's snapshots, loading missing ones with load.
type localHandler struct {
	local *Local
	load  func(ctx context.Context, channel string) error
}

// WriteSnapshot implements core.SnapshotWriter.
func (l *Local) WriteSnapshot(_ context.Context, s core.Snapshot) (bool, error) {
	body, err := Encode(s)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if old, ok := l.snapshots[s.Channel]; ok && old.seq >= s.Seq {
		return false, nil
	}
	l.snapshots[s.Channel] = encoded{seq: s.Seq, body: body, etag: ETag(body)}
	return true, nil
}

func (l *Local) snapshot(channel string) (encoded, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.snapshots[channel]
	return e, ok
}

// ServeHTTP serves GET and HEAD /feeds/<channel>.json.
func (l localHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/feeds/"), ".json")
	if !ok || !core.ValidChannelID(name) {
		http.NotFound(w, r)
		return
	}
	e, ok := l.local.snapshot(name)
	if !ok && l.load != nil {
		err := l.load(r.Context(), name)
		if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			http.Error(w, "snapshot unavailable", http.StatusServiceUnavailable)
			return
		}
		e, ok = l.local.snapshot(name)
	}
	if !ok {
		// A short negative cache too: a viewer may wait for a channel to
		// be created.
		h.Set("Cache-Control", CacheControl)
		http.NotFound(w, r)
		return
	}
	h.Set("Cache-Control", CacheControl)
	h.Set("ETag", e.etag)
	if matchesETag(r.Header.Get("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(e.body)
	}
}

// matchesETag reports whether an If-None-Match header names etag (weakly,
// as RFC 9110 compares for If-None-Match) or is "*".
func matchesETag(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}
