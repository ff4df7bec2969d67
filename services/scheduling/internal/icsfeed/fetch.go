package icsfeed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"code.dny.dev/ssrf"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// Config bounds what fetching a feed may do: a mentor gives the address,
// so the fetch must not become a way to reach bookwell's own network or to
// tie up the service.
type Config struct {
	// Timeout bounds one fetch, redirects included.
	Timeout time.Duration `env:"EXTERNAL_CALENDAR_TIMEOUT" envDefault:"10s"`
	// MaxBytes bounds a feed's size.
	MaxBytes int64 `env:"EXTERNAL_CALENDAR_MAX_BYTES" envDefault:"5242880"`
	// AllowPrefixes are networks fetched from although they are private,
	// loopback or otherwise reserved (comma-separated CIDRs): "127.0.0.0/8,::1/128"
	// for a local stack and its tests. Empty in production.
	AllowPrefixes []string `env:"EXTERNAL_CALENDAR_ALLOW_PREFIXES" envSeparator:","`
	// AnyPort fetches from any port; else only 80 and 443.
	AnyPort bool `env:"EXTERNAL_CALENDAR_ANY_PORT" envDefault:"false"`
}

// Fetcher reads feeds over HTTP(S): connections only to public unicast
// addresses (checked on the address actually dialled, so a name that
// resolves to a private address, or a redirect to one, is refused as well:
// code.dny.dev/ssrf's dialer guard), on ports 80 and 443, no proxy, at most
// five redirects and only to http or https, within Timeout and MaxBytes.
type Fetcher struct {
	client   *http.Client
	maxBytes int64
	timeout  time.Duration
}

// New returns the fetcher c describes.
func New(c Config) (*Fetcher, error) {
	var v4, v6 []netip.Prefix
	for _, s := range c.AllowPrefixes {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("EXTERNAL_CALENDAR_ALLOW_PREFIXES: %w", err)
		}
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	opts := []ssrf.Option{ssrf.WithAllowedV4Prefixes(v4...), ssrf.WithAllowedV6Prefixes(v6...)}
	if c.AnyPort {
		opts = append(opts, ssrf.WithAnyPort())
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 5 << 20
	}
	dialer := &net.Dialer{Timeout: c.Timeout, Control: ssrf.New(opts...).Safe}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the guard
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   c.Timeout,
		ResponseHeaderTimeout: c.Timeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       30 * time.Second,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   c.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("a redirect to a %s address", req.URL.Scheme)
			}
			return nil
		},
	}
	return &Fetcher{client: client, maxBytes: c.MaxBytes, timeout: c.Timeout}, nil
}

// Busy fetches the feed at feedURL and reads its busy periods in window;
// floating is the zone of its times that have none. The error says, in
// words a mentor can act on, why the feed could not be read.
func (f *Fetcher) Busy(ctx context.Context, feedURL string, window domain.Interval, floating *time.Location) ([]domain.Interval, error) {
	body, err := f.fetch(ctx, feedURL)
	if err != nil {
		return nil, err
	}
	return Parse(bytes.NewReader(body), window, floating)
}

func (f *Fetcher) fetch(ctx context.Context, feedURL string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return nil, errors.New("not an address that can be fetched")
	}
	req.Header.Set("Accept", "text/calendar, text/plain;q=0.9, */*;q=0.5")
	req.Header.Set("User-Agent", "bookwell-calendar/1 (busy times)")
	res, err := f.client.Do(req)
	if err != nil {
		return nil, f.why(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return nil, fmt.Errorf("the server answered %s", res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, f.maxBytes+1))
	if err != nil {
		return nil, f.why(err)
	}
	if int64(len(body)) > f.maxBytes {
		return nil, fmt.Errorf("the calendar is larger than %d MiB", f.maxBytes>>20)
	}
	return body, nil
}

// why turns a transport error into a reason without the address (which may
// be secret).
func (f *Fetcher) why(err error) error {
	var dns *net.DNSError
	switch {
	case errors.Is(err, ssrf.ErrProhibitedIP):
		return errors.New("the address is in a private or reserved network, which is never fetched")
	case errors.Is(err, ssrf.ErrProhibitedPort):
		return errors.New("only addresses on ports 80 and 443 are fetched")
	case errors.Is(err, ssrf.ErrProhibitedNetwork):
		return errors.New("only TCP addresses are fetched")
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("no complete answer within %s", f.timeout)
	case errors.As(err, &dns):
		return errors.New("the host name could not be resolved")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no complete answer within %s", f.timeout)
		}
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return fmt.Errorf("could not connect: %s", strings.TrimPrefix(op.Err.Error(), "connect: "))
	}
	return fmt.Errorf("the fetch failed: %v", err)
}
