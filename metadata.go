package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Metadata service defaults.
const (
	// DefaultMetadataEndpoint is the ECS metadata service's address, reachable
	// from inside an ECS instance only.
	DefaultMetadataEndpoint = "http://169.254.169.254"
	// DefaultMetadataRefreshBefore is how long before their expiry
	// MetadataCredentialsProvider replaces temporary credentials.
	DefaultMetadataRefreshBefore = 10 * time.Minute

	metadataSecurityKeyPath = "/openstack/latest/securitykey"
)

// MetadataConfig says where MetadataCredentialsProvider reads temporary
// credentials. The zero value uses the ECS metadata service. Every fmt
// verb, json.Marshal and slog show it through String, the endpoint
// redacted as a URL.
type MetadataConfig struct {
	// Endpoint is the metadata service's base URL; empty:
	// DefaultMetadataEndpoint.
	Endpoint string
	// HTTPClient sends the requests; nil: a default client. It is copied,
	// and the copy never follows redirects.
	HTTPClient *http.Client
	// RefreshBefore is how long before their expiry the credentials are
	// replaced; 0: DefaultMetadataRefreshBefore. Credentials are used for
	// at least half their remaining lifetime, whatever this says.
	RefreshBefore time.Duration
	// SessionTokenTTL is the lifetime asked for the metadata session
	// token; 0: DefaultMetadataSessionTTL.
	SessionTokenTTL time.Duration
}

// String describes the configuration, the endpoint's user information,
// query and fragment (where a password or a signature would be) redacted.
func (c MetadataConfig) String() string {
	return fmt.Sprintf("MetadataConfig{Endpoint: %s, RefreshBefore: %s, SessionTokenTTL: %s}",
		redactURL(c.Endpoint), c.RefreshBefore, c.SessionTokenTTL)
}

// GoString describes the configuration as String does.
func (c MetadataConfig) GoString() string { return "workspace." + c.String() }

// MetadataCredentialsProvider is a CredentialsProvider that reads the
// temporary AK/SK and security token of the agency bound to an ECS
// instance from the metadata service (GET /openstack/latest/securitykey),
// for use with WithCredentialsProvider:
//
//	p, err := workspace.NewMetadataCredentialsProvider(workspace.MetadataConfig{})
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
// (404, 405). A non-2xx answer is an *APIError. Its constructor's errors
// are *ConfigError values.
//
// It is safe for concurrent use; its String and GoString methods never show
// the secret key or the security token.
type MetadataCredentialsProvider struct {
	st func() *metadataState // behind a function: neither fmt nor reflection-based dumpers reach what it holds
}

var _ CredentialsProvider = (*MetadataCredentialsProvider)(nil)

type metadataState struct {
	url   string // endpoint + /openstack/latest/securitykey
	md    *metadataClient
	cache *refresher[Credentials]
}

// NewMetadataCredentialsProvider checks cfg and returns a provider; it
// reads nothing until the first call of Credentials.
func NewMetadataCredentialsProvider(cfg MetadataConfig) (_ *MetadataCredentialsProvider, err error) {
	defer wrapConfigError(&err)
	if cfg.RefreshBefore < 0 {
		return nil, invalid("cfg.RefreshBefore", "must not be negative")
	}
	if cfg.SessionTokenTTL < 0 || cfg.SessionTokenTTL > 0 && cfg.SessionTokenTTL < time.Second {
		return nil, invalid("cfg.SessionTokenTTL", "must be 0 (the default) or at least a second")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = DefaultMetadataEndpoint
	}
	origin, prefix, err := parseEndpoint("cfg.Endpoint", endpoint)
	if err != nil {
		return nil, err
	}
	before := cfg.RefreshBefore
	if before == 0 {
		before = DefaultMetadataRefreshBefore
	}
	ttl := cfg.SessionTokenTTL
	if ttl == 0 {
		ttl = DefaultMetadataSessionTTL
	}
	st := &metadataState{
		url: origin + prefix + metadataSecurityKeyPath,
		md:  newMetadataClient(origin+prefix, newCredService(metadataHTTPClient(cfg.HTTPClient)), ttl),
	}
	st.cache = newRefresher(st.fetch, 10*time.Second, func(time.Duration) time.Duration { return before })
	return &MetadataCredentialsProvider{st: func() *metadataState { return st }}, nil
}

// Credentials returns the cached credentials, reading new ones when there
// are none or they are due for refresh. A done ctx ends the wait (the read
// itself goes on, for the next caller).
func (p *MetadataCredentialsProvider) Credentials(ctx context.Context) (Credentials, error) {
	if err := checkContext(ctx); err != nil {
		return Credentials{}, err
	}
	if p == nil || p.st == nil {
		return Credentials{}, errors.New("workspace: the MetadataCredentialsProvider was not made by NewMetadataCredentialsProvider")
	}
	return p.st().cache.get(ctx)
}

// String names the metadata URL only.
func (p *MetadataCredentialsProvider) String() string {
	if p == nil || p.st == nil {
		return "workspace.MetadataCredentialsProvider(nil)"
	}
	return "workspace.MetadataCredentialsProvider{url: " + p.st().url + "}"
}

// GoString names the metadata URL only.
func (p *MetadataCredentialsProvider) GoString() string { return p.String() }

// fetch reads the security key from the metadata service.
func (st *metadataState) fetch(ctx context.Context) (cred Credentials, expires time.Time, err error) {
	err = st.md.get(ctx, metadataSecurityKeyPath, func(_ http.Header, body io.Reader) (err error) {
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
func metadataDecode(body io.Reader) (Credentials, error) {
	var a metadataAnswer
	if err := decodeCredJSON(body, &a); err != nil {
		return Credentials{}, err
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
		return Credentials{}, errors.New("no " + strings.Join(missing, " or "))
	}
	exp, err := credParseTime("credential.expires_at", c.ExpiresAt)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{
		AccessKey:     strings.TrimSpace(c.Access),
		SecretKey:     NewSecret(strings.TrimSpace(c.Secret)),
		SecurityToken: NewSecret(strings.TrimSpace(c.SecurityToken)),
		Expires:       exp,
	}, nil
}

// metadataHTTPClient is hc, or by default a client that goes to the
// metadata service directly: the link-local address must not be sent to a
// proxy named by HTTP_PROXY, with the keys it answers.
func metadataHTTPClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	t := pipeline.DefaultTransport()
	t.Proxy = nil
	return &http.Client{Transport: t}
}
