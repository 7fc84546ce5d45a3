package s3_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/s3"
	"github.com/parley-chat/parley/core"
)

// motoEndpoint starts moto_server on 127.0.0.1 for this test and returns its
// URL. Without moto_server the test skips, unless PARLEY_REQUIRE_MOTO=1 makes
// that a failure: scripts/test-terraform.sh, which always has moto_server,
// runs it so.
func motoEndpoint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		// Where scripts/test-terraform.sh installs it.
		path, err = exec.LookPath(filepath.Join("..", "..", ".tmp", "moto-venv", "bin", "moto_server"))
	}
	if err != nil {
		if os.Getenv("PARLEY_REQUIRE_MOTO") == "1" {
			t.Fatal("moto_server is not installed and PARLEY_REQUIRE_MOTO=1")
		}
		t.Skip("moto_server is not installed: the S3 writer's test needs it (pip install 'moto[server]')")
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(endpoint + "/moto-api/")
		if err == nil {
			res.Body.Close()
			return endpoint
		}
		require.True(t, time.Now().Before(deadline), "moto_server did not answer: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
}

func encode(s core.Snapshot) (s3.Object, error) {
	return s3.Object{Body: []byte(fmt.Sprintf(`{"channel":%q,"seq":%d}`, s.Channel, s.Seq)), ContentType: "application/json", CacheControl: "public, max-age=5"}, nil
}

func TestWriteSnapshot(t *testing.T) {
	endpoint := motoEndpoint(t)
	req, err := http.NewRequest(http.MethodPut, endpoint+"/feeds-bucket", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	w, err := s3.New(&http.Client{Timeout: 10 * time.Second}, endpoint+"/feeds-bucket", "us-east-1", creds, encode)
	require.NoError(t, err)
	ctx := context.Background()
	read := func(t *testing.T, channel string) (string, http.Header) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, endpoint+"/feeds-bucket/feeds/"+channel+".json", nil)
		require.NoError(t, err)
		const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		req.Header.Set("X-Amz-Content-Sha256", emptyHash)
		signed, err := creds.Retrieve(ctx)
		require.NoError(t, err)
		require.NoError(t, v4.NewSigner().SignHTTP(ctx, signed, req, emptyHash, "s3", "us-east-1", time.Now()))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return string(body), res.Header
	}

	t.Run("FirstSnapshotCreatesTheObject", func(t *testing.T) {
		written, err := w.WriteSnapshot(ctx, core.Snapshot{Channel: "finals", Seq: 0})
		require.NoError(t, err)
		assert.True(t, written)
		body, header := read(t, "finals")
		assert.Equal(t, `{"channel":"finals","seq":0}`, body)
		assert.Equal(t, "public, max-age=5", header.Get("Cache-Control"))
		assert.Equal(t, "application/json", header.Get("Content-Type"))
		assert.NotEmpty(t, header.Get("ETag"))
	})

	t.Run("NewerReplacesOlderNever", func(t *testing.T) {
		written, err := w.WriteSnapshot(ctx, core.Snapshot{Channel: "finals", Seq: 5})
		require.NoError(t, err)
		assert.True(t, written)
		written, err = w.WriteSnapshot(ctx, core.Snapshot{Channel: "finals", Seq: 3})
		require.NoError(t, err)
		assert.False(t, written, "an older snapshot never replaces a newer one")
		written, err = w.WriteSnapshot(ctx, core.Snapshot{Channel: "finals", Seq: 5})
		require.NoError(t, err)
		assert.False(t, written)
		body, _ := read(t, "finals")
		assert.Equal(t, `{"channel":"finals","seq":5}`, body)
	})
}

// TestRacingWritersLeaveTheNewest holds the writer's read-then-conditional-write
// to its promise under a forced interleaving: every writer reads the same
// state first, so all but one lose their first PUT and must read again. It runs
// against atomicBucket, not moto_server: moto checks If-Match and then stores
// the object without a lock, so two of its threads can both pass the check, and
// on moto an older snapshot could replace a newer one whatever the writer did.
// S3 decides a conditional write atomically, as atomicBucket does.
func TestRacingWritersLeaveTheNewest(t *testing.T) {
	// As many writers as a writer has attempts: each lost round is another
	// writer's success, so no writer can lose every round.
	const writers = 8
	bucket := newAtomicBucket(t, writers)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	w, err := s3.New(&http.Client{Timeout: 10 * time.Second}, bucket.url+"/feeds-bucket", "us-east-1", creds, encode)
	require.NoError(t, err)

	var wg sync.WaitGroup
	for seq := range writers {
		wg.Go(func() {
			_, err := w.WriteSnapshot(context.Background(), core.Snapshot{Channel: "race", Seq: int64(seq)})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, fmt.Sprintf(`{"channel":"race","seq":%d}`, writers-1), bucket.body("/feeds-bucket/feeds/race.json"))
	assert.GreaterOrEqual(t, bucket.refused(), writers-1, "every writer but one lost its first conditional PUT")
}

// atomicBucket is S3's conditional PUT on 127.0.0.1: HEAD answers an object's
// ETag and X-Amz-Meta-Seq; a PUT with If-Match or If-None-Match: * is decided
// and stored under one lock, or refused with 412. Its first firstReads HEADs
// read the object, then wait for one another before they answer, so every
// writer starts from the same state.
type atomicBucket struct {
	url         string
	mu          sync.Mutex
	objects     map[string]storedObject
	preconFails int
	firstReads  sync.WaitGroup
	heads       int
	waitFor     int
}

type storedObject struct {
	body []byte
	etag string
	seq  string
}

func newAtomicBucket(t *testing.T, firstReads int) *atomicBucket {
	b := &atomicBucket{objects: map[string]storedObject{}, waitFor: firstReads}
	b.firstReads.Add(firstReads)
	server := httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(server.Close)
	b.url = server.URL
	return b
}

func (b *atomicBucket) serve(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodHead:
		b.mu.Lock()
		b.heads++
		first := b.heads <= b.waitFor
		object, found := b.objects[r.URL.Path]
		b.mu.Unlock()
		if first {
			// Answer what was read only once every first reader has read.
			b.firstReads.Done()
			b.firstReads.Wait()
		}
		if !found {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("ETag", object.etag)
		w.Header().Set("X-Amz-Meta-Seq", object.seq)
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		current, found := b.objects[r.URL.Path]
		ifMatch, ifNoneMatch := r.Header.Get("If-Match"), r.Header.Get("If-None-Match")
		if (ifNoneMatch == "*" && found) || (ifMatch != "" && (!found || ifMatch != current.etag)) {
			b.preconFails++
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		sum := md5.Sum(body)
		etag := `"` + hex.EncodeToString(sum[:]) + `"`
		b.objects[r.URL.Path] = storedObject{body: body, etag: etag, seq: r.Header.Get("X-Amz-Meta-Seq")}
		w.Header().Set("ETag", etag)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (b *atomicBucket) body(path string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.objects[path].body)
}

func (b *atomicBucket) refused() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.preconFails
}
