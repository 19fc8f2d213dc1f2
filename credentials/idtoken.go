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

// idTokenPath is IAM's exchange of an OIDC ID token for an IAM token.
const idTokenPath = "/v3.0/OS-AUTH/id-token/tokens"

// maxIDTokenFile bounds what is read of an ID token file.
const maxIDTokenFile = 64 << 10

// IDTokenConfig says how IDTokenSource obtains IAM tokens for an OIDC ID
// token, as a Kubernetes workload federated with IAM does. It holds no
// token (TokenFile names the file), and every fmt verb, json.Marshal and
// slog show it through String, the endpoint redacted as a URL.
type IDTokenConfig struct {
	// IdPID is the identity provider's id at IAM (HUAWEICLOUD_SDK_IDP_ID);
	// required.
	IdPID string
	// TokenFile holds the OIDC ID token (HUAWEICLOUD_SDK_ID_TOKEN_FILE);
	// required. It is read afresh at each exchange, as Kubernetes
	// rotates it.
	TokenFile string
	// ProjectID is the project the IAM token is scoped to; required.
	ProjectID string
	// Region selects IAM's default endpoint https://iam.{Region}.myhuaweicloud.com;
	// needed when Endpoint is empty.
	Region string
	// Endpoint is IAM's base URL; a value without a scheme gets https://.
	// Plain http is accepted for loopback addresses only (test fakes).
	Endpoint string
	// HTTPClient sends the IAM requests; nil: a default client. It is
	// copied, and the copy never follows redirects.
	HTTPClient *http.Client
	// RefreshBefore is the least time before expiry at which a token is
	// replaced; 0: defaultIAMRefreshBefore, with the same rules as
	// IAMConfig.RefreshBefore.
	RefreshBefore time.Duration
}

// String describes the configuration, the endpoint's user information,
// query and fragment (where a password or a signature would be) redacted.
func (c IDTokenConfig) String() string {
	return fmt.Sprintf("IDTokenConfig{IdPID: %s, TokenFile: %s, ProjectID: %s, Region: %s, Endpoint: %s, RefreshBefore: %s}",
		c.IdPID, c.TokenFile, c.ProjectID, c.Region, pipeline.RedactURL(c.Endpoint), c.RefreshBefore)
}

// GoString describes the configuration as String does.
func (c IDTokenConfig) GoString() string { return "credentials." + c.String() }

// IDTokenSource is a workspace.TokenSource that exchanges an OIDC ID token at IAM
// (POST /v3.0/OS-AUTH/id-token/tokens, with X-Idp-Id) for a
// project-scoped IAM token and caches it, exactly as IAMTokenSource does
// for passwords: refreshed ahead of expiry, one exchange at a time however
// many goroutines ask, a failed refresh leaving the cached token in use.
// The ID token file is read at each exchange. It implements
// workspace.TokenInvalidator, so a client given it with WithTokenSource exchanges
// again once after a 401. Errors from IAM are *workspace.APIError values with Path
// "/v3.0/OS-AUTH/id-token/tokens".
//
// It is safe for concurrent use; its String and GoString methods never
// show a token.
type IDTokenSource struct {
	st func() *idTokenState // behind a function: neither fmt nor reflection-based dumpers reach what it holds
}

var (
	_ workspace.TokenSource      = (*IDTokenSource)(nil)
	_ workspace.TokenInvalidator = (*IDTokenSource)(nil)
)

type idTokenState struct {
	url         string // endpoint + idTokenPath
	idpID       string
	file        string
	projectID   string
	svc         credcall.Service
	cache       *refresher[string]
	description string
}

// NewIDTokenSource checks cfg and returns a source; it reads and
// exchanges nothing until the first call of Token. Its errors are
// *workspace.ConfigError values.
func NewIDTokenSource(cfg IDTokenConfig) (_ *IDTokenSource, err error) {
	defer credcall.WrapConfigError(&err)
	for _, f := range []struct{ name, value string }{
		{"cfg.IdPID", cfg.IdPID},
		{"cfg.TokenFile", cfg.TokenFile},
		{"cfg.ProjectID", cfg.ProjectID},
	} {
		if strings.TrimSpace(f.value) == "" {
			return nil, credcall.Invalid(f.name, "must not be empty")
		}
	}
	if cfg.RefreshBefore < 0 {
		return nil, credcall.Invalid("cfg.RefreshBefore", "must not be negative")
	}
	if strings.TrimSpace(cfg.Endpoint) == "" && strings.TrimSpace(cfg.Region) == "" {
		return nil, credcall.Invalid("cfg.Region", "must not be empty")
	}
	base, err := credcall.IAMEndpoint("cfg.Endpoint", cfg.Endpoint, "cfg.Region", cfg.Region)
	if err != nil {
		return nil, err
	}
	before := cfg.RefreshBefore
	if before == 0 {
		before = defaultIAMRefreshBefore
	}
	st := &idTokenState{
		url:       base + idTokenPath,
		idpID:     strings.TrimSpace(cfg.IdPID),
		file:      cfg.TokenFile,
		projectID: strings.TrimSpace(cfg.ProjectID),
		svc:       credcall.NewService(cfg.HTTPClient),
	}
	st.description = fmt.Sprintf("credentials.IDTokenSource{url: %s, idp: %s, file: %s, project: %s}",
		st.url, st.idpID, st.file, st.projectID)
	st.cache = newRefresher(st.fetch, 30*time.Second, func(life time.Duration) time.Duration { return max(life/10, before) })
	return &IDTokenSource{st: func() *idTokenState { return st }}, nil
}

// Token returns the cached token, exchanging the ID token for a new one
// when there is none or it is due for refresh. A done ctx ends the wait.
func (s *IDTokenSource) Token(ctx context.Context) (string, error) {
	if err := credcall.CheckContext(ctx); err != nil {
		return "", err
	}
	if s == nil || s.st == nil {
		return "", errors.New("credentials: the IDTokenSource was not made by NewIDTokenSource")
	}
	return s.st().cache.get(ctx)
}

// Invalidate drops the cached token if it is still token, so that the
// next call of Token exchanges again.
func (s *IDTokenSource) Invalidate(token string) {
	if s == nil || s.st == nil {
		return
	}
	s.st().cache.drop(func(cached string) bool { return cached == token })
}

// String describes the source without a token.
func (s *IDTokenSource) String() string {
	if s == nil || s.st == nil {
		return "credentials.IDTokenSource(nil)"
	}
	return s.st().description
}

// GoString describes the source without a token.
func (s *IDTokenSource) GoString() string { return s.String() }

// readIDToken reads the ID token file afresh.
func (st *idTokenState) readIDToken() (string, error) {
	f, err := credcall.OpenFile(st.file)
	if err != nil {
		return "", fmt.Errorf("workspace: reading the ID token file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIDTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("workspace: reading the ID token file %s: %w", st.file, err)
	}
	if len(data) > maxIDTokenFile {
		return "", fmt.Errorf("credentials: the ID token file %s is larger than %d bytes", st.file, maxIDTokenFile)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("credentials: the ID token file %s is empty", st.file)
	}
	return tok, nil
}

// fetch exchanges the ID token for a project-scoped IAM token.
func (st *idTokenState) fetch(ctx context.Context) (token string, expires time.Time, err error) {
	idToken, err := st.readIDToken()
	if err != nil {
		return "", time.Time{}, err
	}
	body, err := json.Marshal(idTokenRequest(idToken, st.projectID))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("workspace: encoding the ID-token request: %w", err)
	}
	r := &credcall.Request{
		Method: http.MethodPost, URL: st.url, Path: idTokenPath, Body: body, Secrets: []string{idToken},
		Header: http.Header{"X-Idp-Id": {st.idpID}},
		Accept: func(status int) bool { return status == http.StatusCreated || status == http.StatusOK },
	}
	err = st.svc.Call(ctx, r, func(h http.Header, body io.Reader) (err error) {
		token, expires, err = readIAMToken(h, body)
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// idTokenRequest is the body of the exchange, scoped to projectID.
func idTokenRequest(idToken, projectID string) any {
	type id struct {
		ID string `json:"id"`
	}
	type body struct {
		Auth struct {
			IDToken id `json:"id_token"`
			Scope   struct {
				Project id `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	var b body
	b.Auth.IDToken.ID = idToken
	b.Auth.Scope.Project.ID = projectID
	return b
}
