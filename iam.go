package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// IAM token defaults.
const (
	// DefaultIAMRefreshBefore is the least time before a token's expiry at
	// which IAMTokenSource fetches the next one.
	DefaultIAMRefreshBefore = 30 * time.Minute

	iamTokenPath = "/v3/auth/tokens"
)

// Refresh timings shared by the token source and the metadata provider.
const (
	// credExpirySkew: a token or key is treated as expired this long before
	// its expiry, so that a request signed or sent with it still arrives
	// in time.
	credExpirySkew = time.Minute
	// credRetryAfterFailure: after a failed refresh while the old value is
	// still valid, the old value is handed out for this long before the
	// next try, so that a service that is down is not asked on every call.
	credRetryAfterFailure = 10 * time.Second
	// credRefreshGrace: how long a caller holding a valid token or key waits
	// for its refresh before going on with the old one.
	credRefreshGrace = time.Second
	// maxCredBody bounds what is read of an IAM or metadata answer.
	maxCredBody = 4 << 20
)

// IAMConfig says how IAMTokenSource obtains tokens from IAM with a user's
// password. Its String and GoString methods never show the password.
type IAMConfig struct {
	// Endpoint is IAM's base URL; empty: https://iam.{Region}.myhuaweicloud.com.
	// Plain http is accepted for loopback addresses only (test fakes), so
	// that the password never travels unencrypted.
	Endpoint string
	// Region selects the default endpoint; needed when Endpoint is empty.
	Region string
	// UserName, Password and DomainName (the account name) identify the
	// IAM user; all are required.
	UserName   string
	Password   string
	DomainName string
	// ProjectID is the project the token is scoped to; required. It is
	// the same project id the client is given with WithProjectID.
	ProjectID string
	// HTTPClient sends the IAM requests; nil: a default client. It is
	// copied, and the copy never follows redirects.
	HTTPClient *http.Client
	// RefreshBefore is the least time before expiry at which a token is
	// replaced; 0: DefaultIAMRefreshBefore. A token is replaced when less
	// than RefreshBefore or a tenth of its lifetime is left, whichever is
	// longer, but never before half its lifetime has passed.
	RefreshBefore time.Duration
}

// String describes the configuration without the password.
func (c IAMConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = "REDACTED"
	}
	return fmt.Sprintf("IAMConfig{Endpoint: %s, Region: %s, UserName: %s, Password: %s, DomainName: %s, ProjectID: %s, RefreshBefore: %s}",
		c.Endpoint, c.Region, c.UserName, pw, c.DomainName, c.ProjectID, c.RefreshBefore)
}

// GoString describes the configuration without the password.
func (c IAMConfig) GoString() string { return "workspace." + c.String() }

// IAMTokenSource is a TokenSource that obtains IAM tokens with a user name
// and password (POST /v3/auth/tokens) and caches them. It fetches a new
// token ahead of expiry (see IAMConfig.RefreshBefore), one fetch at a time
// however many goroutines ask. While the cached token is still valid, a
// caller waits for its refresh a second at the most, so a slow IAM does
// not stall calls, and a failed refresh leaves the cached token in use and
// is tried again ten seconds later. It implements TokenInvalidator, so a client given
// it with WithTokenSource fetches a fresh token once after a 401. Errors
// from IAM are *APIError values with Path "/v3/auth/tokens".
//
// It is safe for concurrent use; its String and GoString methods never show
// the password or a token.
type IAMTokenSource struct {
	st *iamState // behind a pointer: fmt never prints what it holds
}

var (
	_ TokenSource      = (*IAMTokenSource)(nil)
	_ TokenInvalidator = (*IAMTokenSource)(nil)
)

type iamState struct {
	url         string // endpoint + /v3/auth/tokens
	user        string
	domain      string
	projectID   string
	body        []byte // the request body: holds the password
	rc          *resty.Client
	userAgent   string
	cache       *refresher[string]
	description string
}

// NewIAMTokenSource checks cfg and returns a source; it fetches nothing
// until the first call of Token.
func NewIAMTokenSource(cfg IAMConfig) (*IAMTokenSource, error) {
	for _, f := range []struct{ name, value string }{
		{"cfg.UserName", cfg.UserName},
		{"cfg.Password", cfg.Password},
		{"cfg.DomainName", cfg.DomainName},
		{"cfg.ProjectID", cfg.ProjectID},
	} {
		if strings.TrimSpace(f.value) == "" {
			return nil, invalid(f.name, "must not be empty")
		}
	}
	if cfg.RefreshBefore < 0 {
		return nil, invalid("cfg.RefreshBefore", "must not be negative")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		if !regionPattern.MatchString(cfg.Region) {
			return nil, invalid("cfg.Region", "%q is not a region name such as ap-southeast-3 (or set cfg.Endpoint)", clip(cfg.Region))
		}
		endpoint = "https://iam." + cfg.Region + ".myhuaweicloud.com"
	}
	origin, prefix, err := parseEndpoint("cfg.Endpoint", endpoint)
	if err != nil {
		return nil, err
	}
	if u, _ := url.Parse(origin); u.Scheme == "http" && !credLoopback(u.Hostname()) {
		return nil, invalid("cfg.Endpoint", "plain http is accepted for loopback addresses only: the password must not travel unencrypted")
	}
	body, err := json.Marshal(iamAuthRequest(cfg))
	if err != nil {
		return nil, fmt.Errorf("workspace: encoding the IAM request: %w", err)
	}
	before := cfg.RefreshBefore
	if before == 0 {
		before = DefaultIAMRefreshBefore
	}
	st := &iamState{
		url:       origin + prefix + iamTokenPath,
		user:      cfg.UserName,
		domain:    cfg.DomainName,
		projectID: cfg.ProjectID,
		body:      body,
		rc:        credResty(cfg.HTTPClient),
		userAgent: userAgent(""),
	}
	st.description = fmt.Sprintf("workspace.IAMTokenSource{url: %s, user: %s, domain: %s, project: %s}",
		st.url, st.user, st.domain, st.projectID)
	st.cache = &refresher[string]{
		fetch: st.fetch,
		now:   time.Now,
		margin: func(life time.Duration) time.Duration {
			return max(life/10, before)
		},
		timeout: 30 * time.Second,
		grace:   credRefreshGrace,
	}
	return &IAMTokenSource{st: st}, nil
}

// Token returns the cached token, fetching a new one from IAM when there
// is none or it is due for refresh. A done ctx ends the wait (the fetch
// itself goes on, for the next caller).
func (s *IAMTokenSource) Token(ctx context.Context) (string, error) {
	if err := checkContext(ctx); err != nil {
		return "", err
	}
	return s.st.cache.get(ctx)
}

// Invalidate drops the cached token if it is still token, so that the next
// call of Token fetches a new one. Many goroutines that saw the same token
// rejected cause a single fetch.
func (s *IAMTokenSource) Invalidate(token string) {
	s.st.cache.drop(func(cached string) bool { return cached == token })
}

// String describes the source without the password or a token.
func (s *IAMTokenSource) String() string {
	if s == nil || s.st == nil {
		return "workspace.IAMTokenSource(nil)"
	}
	return s.st.description
}

// GoString describes the source without the password or a token.
func (s *IAMTokenSource) GoString() string { return s.String() }

// iamAuthRequest is the body of POST /v3/auth/tokens for a password.
func iamAuthRequest(cfg IAMConfig) any {
	type name struct {
		Name string `json:"name"`
	}
	type user struct {
		Name     string `json:"name"`
		Password string `json:"password"`
		Domain   name   `json:"domain"`
	}
	type id struct {
		ID string `json:"id"`
	}
	type body struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User user `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope struct {
				Project id `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	var b body
	b.Auth.Identity.Methods = []string{"password"}
	b.Auth.Identity.Password.User = user{Name: cfg.UserName, Password: cfg.Password, Domain: name{Name: cfg.DomainName}}
	b.Auth.Scope.Project = id{ID: cfg.ProjectID}
	return b
}

// fetch asks IAM for a token.
func (st *iamState) fetch(ctx context.Context) (string, time.Time, error) {
	const method = "POST"
	req := st.rc.R().SetContext(ctx).SetDoNotParseResponse(true)
	req.Header = http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/json"},
		"User-Agent":   {st.userAgent},
	}
	req.SetBody(st.body)
	resp, err := req.Execute(method, st.url)
	raw, err := rawResponse(resp, err, method, iamTokenPath)
	if err != nil {
		return "", time.Time{}, err
	}
	defer drainClose(raw.Body)
	if raw.StatusCode != http.StatusCreated && raw.StatusCode != http.StatusOK {
		return "", time.Time{}, iamAPIError(raw)
	}
	decodeErr := func(err error) error {
		return &DecodeError{StatusCode: raw.StatusCode, RequestID: raw.Header.Get("X-Request-Id"), Method: method, Path: iamTokenPath, Err: err}
	}
	token := strings.TrimSpace(raw.Header.Get("X-Subject-Token"))
	if token == "" {
		return "", time.Time{}, decodeErr(errors.New("no X-Subject-Token header"))
	}
	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"token"`
	}
	if err := json.NewDecoder(io.LimitReader(raw.Body, maxCredBody)).Decode(&out); err != nil {
		return "", time.Time{}, decodeErr(fmt.Errorf("body: %w", err))
	}
	exp, err := credParseTime("token.expires_at", out.Token.ExpiresAt)
	if err != nil {
		return "", time.Time{}, decodeErr(err)
	}
	return token, exp, nil
}

// iamAPIError builds the *APIError for a failed IAM call. IAM answers in
// the API's error_code/error_msg shape or in Keystone's
// {"error": {"code": 401, "title": "...", "message": "..."}}; both fill
// Code and Message.
func iamAPIError(raw *http.Response) *APIError {
	data, _ := io.ReadAll(io.LimitReader(raw.Body, maxErrorBody))
	e := newAPIError(raw.StatusCode, raw.Header, bytes.NewReader(data), "POST", iamTokenPath)
	if e.Code != "" || e.Message != "" {
		return e
	}
	var ks struct {
		Error struct {
			Code    json.RawMessage `json:"code"`
			Title   string          `json:"title"`
			Message string          `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(bytes.TrimSpace(data), &ks) != nil || ks.Error.Message == "" && ks.Error.Title == "" {
		return e
	}
	e.Code = clip(strings.Trim(string(ks.Error.Code), `"`))
	e.Message = clip(ks.Error.Message)
	if e.Message == "" {
		e.Message = clip(ks.Error.Title)
	}
	return e
}

// credParseTime parses an RFC 3339 expiry.
func credParseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("no " + field)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, clip(s))
	}
	return t, nil
}

// credResty returns a resty client over a copy of hc that never follows a
// redirect, whatever hc's own policy: credentials stay with the host they
// were meant for.
func credResty(hc *http.Client) *resty.Client {
	var cp http.Client
	if hc != nil {
		cp = *hc
	} else {
		cp.Transport = defaultTransport()
	}
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return newResty(&cp)
}

// credLoopback reports whether host is a loopback name or address.
func credLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
