package meeting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Zoom creates Zoom meetings with a server-to-server OAuth app: it trades the
// account id and client credentials for an access token (kept until shortly
// before it expires) and creates a scheduled meeting for the user.
type Zoom struct {
	AccountID    string
	ClientID     string
	ClientSecret string
	// UserID hosts the meetings; "me" (the app's user) if empty.
	UserID string
	// OAuthURL and APIURL default to Zoom's; tests point them at a fake.
	OAuthURL string
	APIURL   string
	// HTTP is the client; one with a 10 second timeout if nil.
	HTTP *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

func (z *Zoom) client() *http.Client {
	if z.HTTP != nil {
		return z.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// accessToken returns a valid token, fetching one when needed.
func (z *Zoom) accessToken(ctx context.Context) (string, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.token != "" && time.Now().Before(z.expires) {
		return z.token, nil
	}
	base := z.OAuthURL
	if base == "" {
		base = "https://zoom.us"
	}
	q := url.Values{"grant_type": {"account_credentials"}, "account_id": {z.AccountID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/oauth/token?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(z.ClientID, z.ClientSecret)
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := z.do(req, http.StatusOK, &tok); err != nil {
		return "", fmt.Errorf("zoom token: %w", err)
	}
	if tok.AccessToken == "" {
		return "", fmt.Errorf("zoom token: empty access token")
	}
	z.token = tok.AccessToken
	z.expires = time.Now().Add(time.Duration(tok.ExpiresIn)*time.Second - time.Minute)
	return z.token, nil
}

// CreateMeeting schedules a meeting and returns its join URL.
func (z *Zoom) CreateMeeting(ctx context.Context, r Request) (string, error) {
	token, err := z.accessToken(ctx)
	if err != nil {
		return "", err
	}
	base := z.APIURL
	if base == "" {
		base = "https://api.zoom.us/v2"
	}
	user := z.UserID
	if user == "" {
		user = "me"
	}
	body, _ := json.Marshal(map[string]any{
		"topic":      r.Topic,
		"type":       2, // scheduled
		"start_time": r.Start.UTC().Format("2006-01-02T15:04:05Z"),
		"duration":   int(r.End.Sub(r.Start).Minutes()),
		"timezone":   "UTC",
		"agenda":     "bookwell booking " + r.BookingID,
		"settings":   map[string]any{"waiting_room": true, "join_before_host": false},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/users/"+url.PathEscape(user)+"/meetings", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	var m struct {
		JoinURL string `json:"join_url"`
	}
	if err := z.do(req, http.StatusCreated, &m); err != nil {
		if isUnauthorized(err) {
			z.mu.Lock()
			z.token = "" // revoked or expired early: fetch a new one next time
			z.mu.Unlock()
		}
		return "", fmt.Errorf("zoom create meeting: %w", err)
	}
	if m.JoinURL == "" {
		return "", fmt.Errorf("zoom create meeting: no join_url in the answer")
	}
	return m.JoinURL, nil
}

type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

func isUnauthorized(err error) bool {
	se, ok := err.(*statusError)
	return ok && se.code == http.StatusUnauthorized
}

func (z *Zoom) do(req *http.Request, want int, out any) error {
	resp, err := z.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return &statusError{code: resp.StatusCode, body: string(bytes.TrimSpace(b))}
	}
	return json.Unmarshal(b, out)
}
