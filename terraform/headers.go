// Package terraform holds, beside the stack's Terraform, what the stack shares with the Go code: the security
// headers that CloudFront sends (security-headers.json), which the local server sends too.
package terraform

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed security-headers.json
var securityHeadersJSON []byte

// Origins are the places the SPA talks to, substituted into the Content-Security-Policy.
type Origins struct {
	API             []string // {api}: the REST API
	WebSocket       []string // {websocket}: the realtime WebSocket API
	Identity        []string // {identity}: the OpenID issuer (discovery, JWKS)
	SignIn          []string // {sign_in}: the sign-in pages and token endpoint
	ExtraConnectSrc []string // {extra_connect_src}: whatever else the deployment names
}

type securityHeaders struct {
	ContentSecurityPolicy   []string `json:"content_security_policy"`
	StrictTransportSecurity struct {
		MaxAgeSeconds     int  `json:"max_age_seconds"`
		IncludeSubdomains bool `json:"include_subdomains"`
	} `json:"strict_transport_security"`
	FrameOptions      string `json:"frame_options"`
	ReferrerPolicy    string `json:"referrer_policy"`
	PermissionsPolicy string `json:"permissions_policy"`
}

// SecurityHeaders returns the response headers CloudFront sends with the SPA and its API, for these origins.
// Strict-Transport-Security only when https is true: a browser ignores it over plain HTTP anyway.
func SecurityHeaders(origins Origins, https bool) (map[string]string, error) {
	var h securityHeaders
	if err := json.Unmarshal(securityHeadersJSON, &h); err != nil {
		return nil, fmt.Errorf("security-headers.json: %w", err)
	}
	headers := map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy(h.ContentSecurityPolicy, origins),
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         h.FrameOptions,
		"Referrer-Policy":         h.ReferrerPolicy,
		"Permissions-Policy":      h.PermissionsPolicy,
	}
	if https {
		hsts := fmt.Sprintf("max-age=%d", h.StrictTransportSecurity.MaxAgeSeconds)
		if h.StrictTransportSecurity.IncludeSubdomains {
			hsts += "; includeSubDomains"
		}
		headers["Strict-Transport-Security"] = hsts
	}
	return headers, nil
}

// ContentSecurityPolicy joins directives into one policy with each placeholder replaced by its origins, as
// terraform/hosting.tf does; a placeholder with no origins disappears.
func ContentSecurityPolicy(directives []string, origins Origins) string {
	replacements := map[string][]string{
		"{api}":               origins.API,
		"{websocket}":         origins.WebSocket,
		"{identity}":          origins.Identity,
		"{sign_in}":           origins.SignIn,
		"{extra_connect_src}": origins.ExtraConnectSrc,
	}
	policy := make([]string, 0, len(directives))
	for _, directive := range directives {
		var words []string
		for _, word := range strings.Fields(directive) {
			if values, ok := replacements[word]; ok {
				words = append(words, values...)
				continue
			}
			words = append(words, word)
		}
		policy = append(policy, strings.Join(dedupe(words), " "))
	}
	return strings.Join(policy, "; ")
}

func dedupe(words []string) []string {
	seen := make(map[string]bool, len(words))
	out := words[:0:0]
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
