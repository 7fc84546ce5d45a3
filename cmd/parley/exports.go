package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/core"
)

var _ core.ExportArchive = (*localExports)(nil)

// localExports keeps export documents in memory and serves them at
// /exports/<name>.json until their links expire: the local server's stand-in
// for the private bucket and presigned URLs of AWS.
type localExports struct {
	base string
	now  func() time.Time
	mu   sync.Mutex
	docs map[string]localExport
}

type localExport struct {
	body    []byte
	expires time.Time
}

func newLocalExports(publicURL string) *localExports {
	return &localExports{base: strings.TrimSuffix(publicURL, "/") + "/exports/", now: time.Now, docs: map[string]localExport{}}
}

// Create implements core.ExportArchive: the document is kept when it is
// closed, and expired ones are forgotten then.
func (l *localExports) Create(_ context.Context, name string) (io.WriteCloser, error) {
	return &localExportFile{archive: l, name: name}, nil
}

// Link implements core.ExportArchive.
func (l *localExports) Link(_ context.Context, name string, expires time.Time) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	doc := l.docs[name]
	doc.expires = expires
	l.docs[name] = doc
	return l.base + name + ".json", nil
}

type localExportFile struct {
	bytes.Buffer
	archive *localExports
	name    string
}

func (f *localExportFile) Close() error {
	l := f.archive
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for name, doc := range l.docs {
		if !doc.expires.IsZero() && !doc.expires.After(now) {
			delete(l.docs, name)
		}
	}
	l.docs[f.name] = localExport{body: f.Bytes()}
	return nil
}

// ServeHTTP serves GET /exports/<name>.json while its link works; 404 after.
func (l *localExports) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/exports/"), ".json")
	l.mu.Lock()
	doc, ok := l.docs[name]
	l.mu.Unlock()
	if !ok || doc.expires.IsZero() || !doc.expires.After(l.now()) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="parley-export.json"`)
	_, _ = w.Write(doc.body)
}
