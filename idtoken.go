package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
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
	// replaced; 0: DefaultIAMRefreshBefore, with the same rules as
	// IAMConfig.RefreshBefore.
	RefreshBefore time.Duration
}

// String describes the configuration, the endpoint's user information,
// query and fragment (where a password or a signature would be) redacted.
func (c IDTokenConfig) String() string {
	return fmt.Sprintf("IDTokenConfig{IdPID: %s, TokenFile: %s, ProjectID: %s, Region: %s, Endpoint: %s, RefreshBefore: %s}",
		c.IdPID, c.TokenFile, c.ProjectID, c.Region, redactURL(c.Endpoint), c.RefreshBefore)
}

// GoString describes the configuration as String does.
func (c IDTokenConfig) GoString() string { return "workspace." + c.String() }

// IDTokenSource is a TokenSource that exchanges an OIDC ID token at IAM
// (POST /v3.0/OS-AUTH/id-token/tokens, with X-Idp-Id) for a
// project-scoped IAM token and caches it, exactly as IAMTokenSource does
// for passwords: refreshed ahead of expiry, one exchange at a time however
// many goroutines ask, a failed refresh leaving the cached token in use.
// The ID token file is read at each exchange. It implements
// TokenInvalidator, so a client given it with WithTokenSource exchanges
// again once after a 401. Errors from IAM are *APIError values with Path
// "/v3.0/OS-AUTH/id-token/tokens".
//
// It is safe for concurrent use; its String and GoString methods never
// show a token.
type IDTokenSource struct {
	st func() *idTokenState // behind a function: neither fmt nor reflection-based dumpers reach what it holds
}

var (
	_ TokenSource      = (*IDTokenSource)(nil)
	_ TokenInvalidator = (*IDTokenSource)(nil)
)

type idTokenState struct {
	url         string // endpoint + idTokenPath
	idpID       string
	file        string
	projectID   string
	svc         credService
	cache       *refresher[string]
	description string
}

// NewIDTokenSource checks cfg and returns a source; it reads and
// exchanges nothing until the first call of Token. Its errors are
// *ConfigError values.
func NewIDTokenSource(cfg IDTokenConfig) (_ *IDTokenSource, err error) {
	defer wrapConfigError(&err)
	for _, f := range []struct{ name, value string }{
		{"cfg.IdPID", cfg.IdPID},
		{"cfg.TokenFile", cfg.TokenFile},
		{"cfg.ProjectID", cfg.ProjectID},
	} {
		if strings.TrimSpace(f.value) == "" {
			return nil, invalid(f.name, "must not be empty")
		}
	}
	if cfg.RefreshBefore < 0 {
		return nil, invalid("cfg.RefreshBefore", "must not be negative")
	}
	endpoint := iamEndpointURL(cfg.Endpoint)
	if endpoint == "" {
		if strings.TrimSpace(cfg.Region) == "" {
			return nil, invalid("cfg.Region", "must not be empty")
		}
		if !regionPattern.MatchString(cfg.Region) {
			return nil, invalid("cfg.Region", "%q is not a region name such as ap-southeast-3 (or set cfg.Endpoint)", clip(cfg.Region))
		}
		endpoint = "https://iam." + cfg.Region + ".myhuaweicloud.com"
	}
	base, err := checkIAMEndpoint("cfg.Endpoint", endpoint)
	if err != nil {
		return nil, err
	}
	before := cfg.RefreshBefore
	if before == 0 {
		before = DefaultIAMRefreshBefore
	}
	st := &idTokenState{
		url:       base + idTokenPath,
		idpID:     strings.TrimSpace(cfg.IdPID),
		file:      cfg.TokenFile,
		projectID: strings.TrimSpace(cfg.ProjectID),
		svc:       newCredService(cfg.HTTPClient),
	}
	st.description = fmt.Sprintf("workspace.IDTokenSource{url: %s, idp: %s, file: %s, project: %s}",
		st.url, st.idpID, st.file, st.projectID)
	st.cache = newRefresher(st.fetch, 30*time.Second, func(life time.Duration) time.Duration { return max(life/10, before) })
	return &IDTokenSource{st: func() *idTokenState { return st }}, nil
}

// Token returns the cached token, exchanging the ID token for a new one
// when there is none or it is due for refresh. A done ctx ends the wait.
func (s *IDTokenSource) Token(ctx context.Context) (string, error) {
	if err := checkContext(ctx); err != nil {
		return "", err
	}
	if s == nil || s.st == nil {
		return "", errors.New("workspace: the IDTokenSource was not made by NewIDTokenSource")
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
		return "workspace.IDTokenSource(nil)"
	}
	return s.st().description
}

// GoString describes the source without a token.
func (s *IDTokenSource) GoString() string { return s.String() }

// readIDToken reads the ID token file afresh.
func (st *idTokenState) readIDToken() (string, error) {
	f, err := openConfigFile(st.file)
	if err != nil {
		return "", fmt.Errorf("workspace: reading the ID token file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIDTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("workspace: reading the ID token file %s: %w", st.file, err)
	}
	if len(data) > maxIDTokenFile {
		return "", fmt.Errorf("workspace: the ID token file %s is larger than %d bytes", st.file, maxIDTokenFile)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("workspace: the ID token file %s is empty", st.file)
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
	r := &credRequest{
		method: http.MethodPost, url: st.url, path: idTokenPath, body: body, secrets: []string{idToken},
		header: http.Header{"X-Idp-Id": {st.idpID}},
		accept: func(status int) bool { return status == http.StatusCreated || status == http.StatusOK },
	}
	err = st.svc.call(ctx, r, func(h http.Header, body io.Reader) error {
		token = strings.TrimSpace(h.Get("X-Subject-Token"))
		if token == "" {
			return errors.New("no X-Subject-Token header")
		}
		var out struct {
			Token struct {
				ExpiresAt string `json:"expires_at"`
			} `json:"token"`
		}
		if err := decodeCredJSON(body, &out); err != nil {
			return err
		}
		expires, err = credParseTime("token.expires_at", out.Token.ExpiresAt)
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
