package main

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/terraform"
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
	_ = json.NewEncoder(w).Encode(spaConfig{APIURL: s.config.PublicURL, WSURL: s.config.WebSocketURL, Authority: issuer.Issuer, ClientID: issuer.ClientID})
}

// securityHeaders are the headers CloudFront sends with the SPA and its API
// (terraform/security-headers.json), with the local server's own origins: the
// issuer's for discovery, keys and sign-in, the WebSocket's, and any extra.
func securityHeaders(config Config, issuer oidc.Config) (map[string]string, error) {
	origins := terraform.Origins{
		API:             []string{originOf(config.PublicURL)},
		WebSocket:       []string{originOf(config.WebSocketURL)},
		Identity:        []string{originOf(issuer.Issuer)},
		SignIn:          []string{originOf(issuer.Issuer)},
		ExtraConnectSrc: config.ExtraConnectSrc,
	}
	return terraform.SecurityHeaders(origins, strings.HasPrefix(config.PublicURL, "https://"))
}

// originOf is the scheme://host[:port] of a URL, as a CSP source names it.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// withSecurityHeaders sends headers on every response of next, as CloudFront's
// response headers policy does on the SPA's and the API's behaviors. The feed
// snapshots have a policy of their own (CORS for any origin) and the
// development sign-in stands for Cognito's hosted pages, which are not ours.
func withSecurityHeaders(headers map[string]string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/feeds/"):
			w.Header().Set("X-Content-Type-Options", "nosniff")
		case strings.HasPrefix(r.URL.Path, "/dev-oidc/"):
		default:
			for name, value := range headers {
				w.Header().Set(name, value)
			}
		}
		next.ServeHTTP(w, r)
	})
}

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
		if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
