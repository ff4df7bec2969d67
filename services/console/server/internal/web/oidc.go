package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Discovery is the part of the identity provider's OpenID discovery document
// the browser's sign-in needs. The console hands it to the page in
// /config.json, so the browser does not fetch it across origins itself, and
// allows its token endpoint in the Content-Security-Policy.
type Discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint,omitempty"`
	EndSessionEndpoint    string `json:"end_session_endpoint,omitempty"`
	JWKSURI               string `json:"jwks_uri,omitempty"`
}

// Discover reads issuer/.well-known/openid-configuration. Its issuer must be
// issuer exactly (OpenID Connect Discovery 1.0, section 4.3), and it must name
// an authorization and a token endpoint.
func Discover(ctx context.Context, client *http.Client, issuer string) (*Discovery, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("console: CONSOLE_OIDC_ISSUER %q: %w", issuer, err)
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("console: the identity provider's discovery document: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("console: the identity provider's discovery document %s: %s", u, res.Status)
	}
	var d Discovery
	if err := json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(&d); err != nil {
		return nil, fmt.Errorf("console: the identity provider's discovery document %s: %w", u, err)
	}
	if d.Issuer != issuer {
		return nil, fmt.Errorf("console: the discovery document at %s names issuer %q, not %q", u, d.Issuer, issuer)
	}
	for _, e := range []struct{ name, v string }{{"authorization_endpoint", d.AuthorizationEndpoint}, {"token_endpoint", d.TokenEndpoint}} {
		if p, err := url.Parse(e.v); err != nil || p.Scheme == "" || p.Host == "" {
			return nil, fmt.Errorf("console: the discovery document at %s has no usable %s (%q)", u, e.name, e.v)
		}
	}
	return &d, nil
}

// connectSources are the origins the browser calls during sign-in: the token
// endpoint (and userinfo's, if any).
func (d *Discovery) connectSources() string {
	var out []string
	for _, e := range []string{d.TokenEndpoint, d.UserinfoEndpoint} {
		p, err := url.Parse(e)
		if err != nil || p.Host == "" {
			continue
		}
		if o := p.Scheme + "://" + p.Host; !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return strings.Join(out, " ")
}
