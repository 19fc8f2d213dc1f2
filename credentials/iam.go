package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/credcall"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// IAM token defaults.
const (
	// defaultIAMRefreshBefore is the least time before a token's expiry at
	// which IAMTokenSource fetches the next one.
	defaultIAMRefreshBefore = 30 * time.Minute

	iamTokenPath = "/v3/auth/tokens"
)

// IAMConfig says how IAMTokenSource obtains tokens from IAM with a user's
// password. Its String and GoString methods never show the password.
type IAMConfig struct {
	// Endpoint is IAM's base URL (a value without a scheme gets
	// https://); empty: https://iam.{Region}.myhuaweicloud.com. Plain http is accepted for loopback addresses only (test fakes), so
	// that the password never travels unencrypted.
	Endpoint string
	// Region selects the default endpoint; needed when Endpoint is empty.
	Region string
	// UserName, Password and DomainName (the account name) identify the
	// IAM user; all are required. Password is a workspace.Secret (workspace.NewSecret), which
	// nothing prints.
	UserName   string
	Password   workspace.Secret
	DomainName string
	// ProjectID is the project the token is scoped to; required. It is
	// the same project id the client is given with WithProjectID.
	ProjectID string
	// HTTPClient sends the IAM requests; nil: a default client. It is
	// copied, and the copy never follows redirects.
	HTTPClient *http.Client
	// RefreshBefore is the least time before expiry at which a token is
	// replaced; 0: defaultIAMRefreshBefore. A token is replaced when less
	// than RefreshBefore or a tenth of its lifetime is left, whichever is
	// longer, but never before half its lifetime has passed.
	RefreshBefore time.Duration
}

// String describes the configuration without the password.
func (c IAMConfig) String() string {
	return fmt.Sprintf("IAMConfig{Endpoint: %s, Region: %s, UserName: %s, Password: %s, DomainName: %s, ProjectID: %s, RefreshBefore: %s}",
		pipeline.RedactURL(c.Endpoint), c.Region, c.UserName, c.Password.String(), c.DomainName, c.ProjectID, c.RefreshBefore)
}

// GoString describes the configuration without the password.
func (c IAMConfig) GoString() string { return "credentials." + c.String() }

// IAMTokenSource is a workspace.TokenSource that obtains IAM tokens with a user name
// and password (POST /v3/auth/tokens) and caches them. It fetches a new
// token ahead of expiry (see IAMConfig.RefreshBefore), one fetch at a time
// however many goroutines ask. While the cached token is still valid, a
// caller waits for its refresh a second at the most, so a slow IAM does
// not stall calls, and a failed refresh leaves the cached token in use and
// is tried again ten seconds later. It implements workspace.TokenInvalidator, so a client given
// it with WithTokenSource fetches a fresh token once after a 401. Errors
// from IAM are *workspace.APIError values with Path "/v3/auth/tokens".
//
// It is safe for concurrent use; its String and GoString methods never show
// the password or a token.
type IAMTokenSource struct {
	st func() *iamState // behind a function: neither fmt nor reflection-based dumpers reach what it holds
}

var (
	_ workspace.TokenSource      = (*IAMTokenSource)(nil)
	_ workspace.TokenInvalidator = (*IAMTokenSource)(nil)
)

type iamState struct {
	url         string // endpoint + /v3/auth/tokens
	user        string
	domain      string
	projectID   string
	body        []byte   // the request body: holds the password
	secrets     []string // the password: never in an error text, however IAM echoes it
	svc         credcall.Service
	cache       *refresher[string]
	description string
}

// NewIAMTokenSource checks cfg and returns a source; it fetches nothing
// until the first call of Token.
func NewIAMTokenSource(cfg IAMConfig) (_ *IAMTokenSource, err error) {
	defer credcall.WrapConfigError(&err)
	for _, f := range []struct{ name, value string }{
		{"cfg.UserName", cfg.UserName},
		{"cfg.Password", cfg.Password.Reveal()},
		{"cfg.DomainName", cfg.DomainName},
		{"cfg.ProjectID", cfg.ProjectID},
	} {
		if strings.TrimSpace(f.value) == "" {
			return nil, credcall.Invalid(f.name, "must not be empty")
		}
	}
	if cfg.RefreshBefore < 0 {
		return nil, credcall.Invalid("cfg.RefreshBefore", "must not be negative")
	}
	base, err := credcall.IAMEndpoint("cfg.Endpoint", cfg.Endpoint, "cfg.Region", cfg.Region)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(iamPasswordBody(cfg))
	if err != nil {
		return nil, fmt.Errorf("workspace: encoding the IAM request: %w", err)
	}
	before := cfg.RefreshBefore
	if before == 0 {
		before = defaultIAMRefreshBefore
	}
	st := &iamState{
		url:       base + iamTokenPath,
		user:      cfg.UserName,
		domain:    cfg.DomainName,
		projectID: cfg.ProjectID,
		body:      body,
		secrets:   []string{cfg.Password.Reveal()},
		svc:       credcall.NewService(cfg.HTTPClient),
	}
	st.description = fmt.Sprintf("credentials.IAMTokenSource{url: %s, user: %s, domain: %s, project: %s}",
		st.url, st.user, st.domain, st.projectID)
	st.cache = newRefresher(st.fetch, 30*time.Second, func(life time.Duration) time.Duration {
		return max(life/10, before)
	})
	return &IAMTokenSource{st: func() *iamState { return st }}, nil
}

// Token returns the cached token, fetching a new one from IAM when there
// is none or it is due for refresh. A done ctx ends the wait (the fetch
// itself goes on, for the next caller).
func (s *IAMTokenSource) Token(ctx context.Context) (string, error) {
	if err := credcall.CheckContext(ctx); err != nil {
		return "", err
	}
	if s == nil || s.st == nil {
		return "", errors.New("credentials: the IAMTokenSource was not made by NewIAMTokenSource")
	}
	return s.st().cache.get(ctx)
}

// Invalidate drops the cached token if it is still token, so that the next
// call of Token fetches a new one. Many goroutines that saw the same token
// rejected cause a single fetch.
func (s *IAMTokenSource) Invalidate(token string) {
	if s == nil || s.st == nil {
		return
	}
	s.st().cache.drop(func(cached string) bool { return cached == token })
}

// String describes the source without the password or a token.
func (s *IAMTokenSource) String() string {
	if s == nil || s.st == nil {
		return "credentials.IAMTokenSource(nil)"
	}
	return s.st().description
}

// GoString describes the source without the password or a token.
func (s *IAMTokenSource) GoString() string { return s.String() }

// iamPasswordBody is the body of POST /v3/auth/tokens for a password.
func iamPasswordBody(cfg IAMConfig) any {
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
	b.Auth.Identity.Password.User = user{Name: cfg.UserName, Password: cfg.Password.Reveal(), Domain: name{Name: cfg.DomainName}}
	b.Auth.Scope.Project = id{ID: cfg.ProjectID}
	return b
}

// fetch asks IAM for a token.
func (st *iamState) fetch(ctx context.Context) (string, time.Time, error) {
	return fetchIAMToken(ctx, st.svc, st.url, st.body, st.secrets)
}

// fetchIAMToken posts body, a request for a token, to tokenURL (IAM's
// /v3/auth/tokens) and returns the token IAM hands out and its expiry.
func fetchIAMToken(ctx context.Context, svc credcall.Service, tokenURL string, body []byte, secrets []string) (token string, expires time.Time, err error) {
	r := &credcall.Request{
		Method: http.MethodPost, URL: tokenURL, Path: iamTokenPath, Body: body, Secrets: secrets,
		Accept: func(status int) bool { return status == http.StatusCreated || status == http.StatusOK },
	}
	err = svc.Call(ctx, r, func(h http.Header, b io.Reader) (err error) {
		token, expires, err = readIAMToken(h, b)
		return err
	})
	return token, expires, err
}

// readIAMToken reads the token (the X-Subject-Token header) and its expiry
// (token.expires_at) from IAM's answer.
func readIAMToken(h http.Header, body io.Reader) (string, time.Time, error) {
	token := strings.TrimSpace(h.Get("X-Subject-Token"))
	if token == "" {
		return "", time.Time{}, errors.New("no X-Subject-Token header")
	}
	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"token"`
	}
	if err := credcall.DecodeJSON(body, &out); err != nil {
		return "", time.Time{}, err
	}
	exp, err := credcall.ParseTime("token.expires_at", out.Token.ExpiresAt)
	if err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}
