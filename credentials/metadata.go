package credentials

import (
	"context"
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

// Metadata service defaults.
const (
	// defaultMetadataRefreshBefore is how long before their expiry
	// MetadataProvider replaces temporary credentials.
	defaultMetadataRefreshBefore = 10 * time.Minute

	metadataSecurityKeyPath = "/openstack/latest/securitykey"
)

// MetadataConfig says where MetadataProvider reads temporary
// credentials. The zero value uses the ECS metadata service. Every fmt
// verb, json.Marshal and slog show it through String, the endpoint
// redacted as a URL.
type MetadataConfig struct {
	// Endpoint is the metadata service's base URL; empty:
	// credcall.MetadataEndpoint.
	Endpoint string
	// HTTPClient sends the requests; nil: a default client. It is copied,
	// and the copy never follows redirects.
	HTTPClient *http.Client
	// RefreshBefore is how long before their expiry the credentials are
	// replaced; 0: ten minutes. Credentials are used for
	// at least half their remaining lifetime, whatever this says.
	RefreshBefore time.Duration
	// SessionTokenTTL is the lifetime asked for the metadata session
	// token; 0: credcall.MetadataSessionTTL.
	SessionTokenTTL time.Duration
}

// String describes the configuration, the endpoint's user information,
// query and fragment (where a password or a signature would be) redacted.
func (c MetadataConfig) String() string {
	return fmt.Sprintf("MetadataConfig{Endpoint: %s, RefreshBefore: %s, SessionTokenTTL: %s}",
		pipeline.RedactURL(c.Endpoint), c.RefreshBefore, c.SessionTokenTTL)
}

// GoString describes the configuration as String does.
func (c MetadataConfig) GoString() string { return "credentials." + c.String() }

// MetadataProvider is a workspace.CredentialsProvider that reads the
// temporary AK/SK and security token of the agency bound to an ECS
// instance from the metadata service (GET /openstack/latest/securitykey),
// for use with WithCredentialsProvider:
//
//	p, err := credentials.NewMetadataProvider(credentials.MetadataConfig{})
//	c, err := workspace.NewClient(workspace.WithRegion(region),
//		workspace.WithProjectID(projectID), workspace.WithCredentialsProvider(p))
//
// It caches the credentials and reads new ones before they expire (see
// MetadataConfig.RefreshBefore), one read at a time however many
// goroutines ask. While the cached credentials are still valid, a caller
// waits for their refresh a second at the most, and a failed read leaves
// them in use and is tried again ten seconds later.
// It asks for a metadata session token first (PUT
// /meta-data/latest/api/token with X-Metadata-Token-Ttl-Seconds, then sent
// as X-Metadata-Token), as hardened instances require, keeps it for its
// lifetime, and reads without one only where the token call is not served
// (404, 405). A non-2xx answer is an *workspace.APIError. Its constructor's errors
// are *workspace.ConfigError values.
//
// It is safe for concurrent use; its String and GoString methods never show
// the secret key or the security token.
type MetadataProvider struct {
	st func() *metadataState // behind a function: neither fmt nor reflection-based dumpers reach what it holds
}

var (
	_ workspace.CredentialsProvider    = (*MetadataProvider)(nil)
	_ workspace.CredentialsInvalidator = (*MetadataProvider)(nil)
)

type metadataState struct {
	url   string // endpoint + /openstack/latest/securitykey
	md    *credcall.MetadataClient
	cache *refresher[workspace.Credentials]
}

// NewMetadataProvider checks cfg and returns a provider; it
// reads nothing until the first call of Credentials.
func NewMetadataProvider(cfg MetadataConfig) (_ *MetadataProvider, err error) {
	defer credcall.WrapConfigError(&err)
	if cfg.RefreshBefore < 0 {
		return nil, credcall.Invalid("cfg.RefreshBefore", "must not be negative")
	}
	if cfg.SessionTokenTTL < 0 || cfg.SessionTokenTTL > 0 && cfg.SessionTokenTTL < time.Second {
		return nil, credcall.Invalid("cfg.SessionTokenTTL", "must be 0 (the default) or at least a second")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = credcall.MetadataEndpoint
	}
	origin, prefix, err := credcall.ParseEndpoint("cfg.Endpoint", endpoint)
	if err != nil {
		return nil, err
	}
	before := cfg.RefreshBefore
	if before == 0 {
		before = defaultMetadataRefreshBefore
	}
	ttl := cfg.SessionTokenTTL
	if ttl == 0 {
		ttl = credcall.MetadataSessionTTL
	}
	st := &metadataState{
		url: origin + prefix + metadataSecurityKeyPath,
		md:  credcall.NewMetadataClient(origin+prefix, credcall.NewService(credcall.MetadataHTTPClient(cfg.HTTPClient)), ttl),
	}
	st.cache = newRefresher(st.fetch, 10*time.Second, func(time.Duration) time.Duration { return before })
	return &MetadataProvider{st: func() *metadataState { return st }}, nil
}

// Credentials returns the cached credentials, reading new ones when there
// are none or they are due for refresh. A done ctx ends the wait (the read
// itself goes on, for the next caller).
func (p *MetadataProvider) Credentials(ctx context.Context) (workspace.Credentials, error) {
	if err := credcall.CheckContext(ctx); err != nil {
		return workspace.Credentials{}, err
	}
	if p == nil || p.st == nil {
		return workspace.Credentials{}, errors.New("credentials: the MetadataProvider was not made by NewMetadataProvider")
	}
	return p.st().cache.get(ctx)
}

// String names the metadata URL only.
func (p *MetadataProvider) String() string {
	if p == nil || p.st == nil {
		return "credentials.MetadataProvider(nil)"
	}
	return "credentials.MetadataProvider{url: " + p.st().url + "}"
}

// GoString names the metadata URL only.
func (p *MetadataProvider) GoString() string { return p.String() }

// fetch reads the security key from the metadata service.
func (st *metadataState) fetch(ctx context.Context) (cred workspace.Credentials, expires time.Time, err error) {
	err = st.md.Get(ctx, metadataSecurityKeyPath, func(_ http.Header, body io.Reader) (err error) {
		cred, err = metadataDecode(body)
		return err
	})
	return cred, cred.Expires, err
}

// metadataAnswer is the metadata service's security key document.
type metadataAnswer struct {
	Credential struct {
		Access        string `json:"access"`
		Secret        string `json:"secret"`
		SecurityToken string `json:"securitytoken"`
		ExpiresAt     string `json:"expires_at"`
	} `json:"credential"`
}

// metadataDecode checks a security key document.
func metadataDecode(body io.Reader) (workspace.Credentials, error) {
	var a metadataAnswer
	if err := credcall.DecodeJSON(body, &a); err != nil {
		return workspace.Credentials{}, err
	}
	c := a.Credential
	var missing []string
	if strings.TrimSpace(c.Access) == "" {
		missing = append(missing, "credential.access")
	}
	if strings.TrimSpace(c.Secret) == "" {
		missing = append(missing, "credential.secret")
	}
	if len(missing) > 0 {
		return workspace.Credentials{}, errors.New("no " + strings.Join(missing, " or "))
	}
	exp, err := credcall.ParseTime("credential.expires_at", c.ExpiresAt)
	if err != nil {
		return workspace.Credentials{}, err
	}
	return workspace.Credentials{
		AccessKey:     strings.TrimSpace(c.Access),
		SecretKey:     workspace.NewSecret(strings.TrimSpace(c.Secret)),
		SecurityToken: workspace.NewSecret(strings.TrimSpace(c.SecurityToken)),
		Expires:       exp,
	}, nil
}

// InvalidateCredentials drops the cached credentials if they are still
// those of accessKey, so that the next call of Credentials reads new ones:
// the client calls it when the API refuses them with a 401.
func (p *MetadataProvider) InvalidateCredentials(accessKey string) {
	if p == nil || p.st == nil {
		return
	}
	p.st().cache.drop(func(c workspace.Credentials) bool { return c.AccessKey == accessKey })
}
