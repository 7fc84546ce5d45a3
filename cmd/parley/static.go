package main

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/parley-chat/parley/adapters/oidc"
)

// spaConfig is the SPA's config.json, the same document Terraform writes to S3.
type spaConfig struct {
	APIURL    string `json:"apiURL"`
	WSURL     string `json:"wsURL"`
	Authority string `json:"authority"`
	ClientID  string `json:"clientID"`
}

// webSocketURL is the realtime endpoint on the same origin as publicURL.
func webSocketURL(publicURL string) string {
	switch {
	case strings.HasPrefix(publicURL, "https://"):
		return "wss://" + strings.TrimPrefix(publicURL, "https://") + "/ws"
	default:
		return "ws://" + strings.TrimPrefix(publicURL, "http://") + "/ws"
	}
}

func (s *Server) serveConfig(w http.ResponseWriter, issuer oidc.Config) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(spaConfig{APIURL: s.config.PublicURL, WSURL: webSocketURL(s.config.PublicURL), Authority: issuer.Issuer, ClientID: issuer.ClientID})
}

// localContentSecurityPolicy is the part of CloudFront's policy that holds
// whatever issuer the local server trusts: the issuer's origins are not
// known here, so connect-src and form-action stay open.
const localContentSecurityPolicy = "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"

// newSPAHandler serves the built SPA from dir: hashed assets cached for good,
// everything else revalidated, and index.html for any path that is not a file
// so the SPA can handle it. Without a build it says how to make one.
func newSPAHandler(dir string) http.Handler {
	files := http.FileServerFS(os.DirFS(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		if info, err := fs.Stat(os.DirFS(dir), name); err != nil || info.IsDir() {
			if _, err := os.Stat(path.Join(dir, "index.html")); err != nil {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte("Parley's API is running, but the web app is not built: run `make build-frontend` (make run does it for you).\n"))
				return
			}
			r = r.Clone(r.Context())
			r.URL.Path = "/"
			name = "index.html"
		}
		// As in AWS (terraform/hosting.tf): images only from here and data:
		// URIs, so no third party is asked for anything about a contact.
		w.Header().Set("Content-Security-Policy", localContentSecurityPolicy)
		if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
