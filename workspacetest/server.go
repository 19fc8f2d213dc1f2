// Package workspacetest runs an in-memory fake of the Huawei Cloud
// Workspace API on loopback, for tests of code that uses the workspace
// package and for the examples.
//
//	srv := workspacetest.NewServer(workspacetest.WithDemoData())
//	defer srv.Close()
//	c := srv.Client() // a *workspace.Client wired to the fake
//
// The fake serves the five operations and the job API on their real paths,
// with the real filters, sorting, paging rules, total_count and error
// bodies. It checks credentials as the API does: X-Auth-Token against
// Server.Token, and SDK-HMAC-SHA256 signatures against Server.AccessKey and
// Server.SecretKey as the API gateway does: X-Sdk-Date signed and at most
// 15 minutes off the server's clock, X-Project-Id present, and the
// signature right over whatever headers the client chose to sign (the
// vendor's own SDK signs no host, and is accepted). A batch-delete takes
// volumes by id (the API's current revision), by type and size (the spec
// page's) or by all three, and starts a job that moves from RUNNING to
// SUCCESS, or FAILED for a volume the pool does not have, after the
// configured job delay.
//
// The same server also fakes IAM (password and ID-token tokens, the signed
// project lookup: Server.IAMURL) and the ECS metadata service (session
// tokens, securitykey, meta_data.json: Server.MetadataURL), each checking
// what it is sent, so that config.Load (the project id lookup included)
// and every credentials source run end to end on loopback.
//
// Tests seed state with typed helpers (AddPool, AddDesktop, AddVolume,
// AddImage, AddSnapshot, AddScriptTask, AddJob), ask for faults (FailNext,
// DropNext, InjectFault, SetLatency) and inspect what arrived (Requests). A
// Server is safe for concurrent use.
//
// Error codes: the fake answers with the API gateway's codes where the spec
// names them (APIGW.0101, APIGW.0301, APIGW.0308) and with the WKS. codes
// of the ErrCode constants otherwise; the real service's WKS. codes may
// differ, so tests should match on the status (errors.Is(err,
// workspace.ErrNotFound)) rather than on the code.
package workspacetest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/hwcloud-go/workspace"
)

// Default credentials of a Server; options change them.
const (
	DefaultProjectID = "0bec5db98280d2d02fd6c00c2de791ce"
	DefaultToken     = "fake-iam-token-for-workspacetest"
	DefaultAccessKey = "FAKEACCESSKEY0000001"
	DefaultSecretKey = "fake-secret-key-0000000000000000000000000"
)

// Server is a fake Workspace API listening on a loopback address. Create
// it with NewServer and Close it when done. The exported fields are the
// credentials it accepts; change them only before the first request.
type Server struct {
	// URL is the base URL of the fake (http://127.0.0.1:port), for
	// workspace.WithEndpoint.
	URL string

	// ProjectID is the only project the fake knows: the {project_id} of
	// every path and the X-Project-Id of signed requests.
	ProjectID string
	// Token is the IAM token accepted in X-Auth-Token.
	Token string
	// AccessKey and SecretKey are the AK/SK pair whose signatures are
	// accepted.
	AccessKey string
	SecretKey string
	// SecurityToken, when not empty, must come with every signed request
	// as X-Security-Token (temporary credentials).
	SecurityToken string

	// Region is the region of the fake: the name of its project at the
	// IAM fake and the region_id of its ECS metadata (see iam.go).
	Region string
	// UserName, Password and DomainName are the IAM user whose password
	// login the IAM fake accepts.
	UserName, Password, DomainName string
	// IdPID and IDToken are the identity provider and the OIDC ID token
	// whose exchange the IAM fake accepts.
	IdPID, IDToken string

	ts *httptest.Server

	mu       sync.Mutex
	now      func() time.Time
	ids      *idGen
	jobDelay time.Duration
	latency  time.Duration
	// subJobsPerAnswer bounds the sub-jobs a job's answer carries (0: all);
	// the rest are listed at workspace-sub-jobs.
	subJobsPerAnswer int
	faults           map[Operation][]*queuedFault
	requests         []*Request
	st               state
	id               identityState // the IAM and metadata fakes (iam.go, metadata.go)

	// snapJSON caches the encodings of the snapshots listed, by their
	// index in st.snapshots (see snapshotJSONLocked).
	snapJSON []snapshotJSON
}

// Option configures a Server in NewServer; the With... functions of this
// package make them. The zero Option does nothing.
type Option struct {
	apply func(*serverConfig) // nil: the zero Option
}

type serverConfig struct {
	demo          bool
	jobDelay      time.Duration
	latency       time.Duration
	subJobs       int
	now           func() time.Time
	projectID     string
	token         string
	accessKey     string
	secretKey     string
	securityToken string
	ident         identityConfig
	idSeed        uint64
	idSeedSet     bool
}

// WithDemoData loads a realistic data set: three desktop pools with their
// configuration, volumes and desktops (some differing from their pool,
// some on an image that no longer exists), a few hundred snapshots across
// every status and both create types, and over a hundred script execution
// tasks. The data is the same on every run, with times relative to the
// server's clock.
func WithDemoData() Option { return Option{func(c *serverConfig) { c.demo = true }} }

// WithJobDelay sets how long a batch-delete job stays RUNNING before it
// ends (0, the default: it has ended by the next request).
func WithJobDelay(d time.Duration) Option {
	return Option{func(c *serverConfig) { c.jobDelay = max(d, 0) }}
}

// WithSubJobsPerAnswer makes a job's answer carry at most n of its
// sub-jobs, while sub_jobs_total counts them all, as the API does for
// large jobs: the rest are listed by Jobs.ListSubJobs. 0 (the default):
// every sub-job.
func WithSubJobsPerAnswer(n int) Option {
	return Option{func(c *serverConfig) { c.subJobs = max(n, 0) }}
}

// WithLatency delays every answer by d, from when the request is read:
// never less, and on Linux seldom half a millisecond more, however many
// requests wait at once (a Go timer alone fires up to a millisecond late
// when several are due together); see also Server.SetLatency.
func WithLatency(d time.Duration) Option {
	return Option{func(c *serverConfig) { c.latency = max(d, 0) }}
}

// WithClock makes the fake read the time from now instead of time.Now: job
// delays, the 15-minute window of X-Sdk-Date and the times of demo data
// follow it.
func WithClock(now func() time.Time) Option {
	return Option{func(c *serverConfig) {
		if now != nil {
			c.now = now
		}
	}}
}

// WithProjectID sets the project id the fake serves (DefaultProjectID
// otherwise).
func WithProjectID(id string) Option { return Option{func(c *serverConfig) { c.projectID = id }} }

// WithToken sets the IAM token the fake accepts (DefaultToken otherwise).
func WithToken(token string) Option { return Option{func(c *serverConfig) { c.token = token }} }

// WithAccessKey sets the AK/SK pair the fake accepts (DefaultAccessKey and
// DefaultSecretKey otherwise).
func WithAccessKey(ak, sk string) Option {
	return Option{func(c *serverConfig) { c.accessKey, c.secretKey = ak, sk }}
}

// WithSecurityToken makes the fake require this X-Security-Token on signed
// requests, as for temporary credentials.
func WithSecurityToken(token string) Option {
	return Option{func(c *serverConfig) { c.securityToken = token }}
}

// NewServer starts a fake Workspace API on a loopback address. Without
// WithDemoData it holds no data: seed it with the Add methods.
func NewServer(opts ...Option) *Server {
	cfg := serverConfig{
		now:       time.Now,
		projectID: DefaultProjectID,
		token:     DefaultToken,
		accessKey: DefaultAccessKey,
		secretKey: DefaultSecretKey,
		ident:     identityConfig{region: DefaultRegion, tokenLife: DefaultTokenLifetime},
	}
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&cfg)
		}
	}
	if !cfg.idSeedSet {
		cfg.idSeed = rand.Uint64()
	}
	s := &Server{
		ProjectID:        cfg.projectID,
		Token:            cfg.token,
		AccessKey:        cfg.accessKey,
		SecretKey:        cfg.secretKey,
		SecurityToken:    cfg.securityToken,
		Region:           cfg.ident.region,
		UserName:         DefaultUserName,
		Password:         DefaultPassword,
		DomainName:       DefaultDomainName,
		IdPID:            DefaultIdPID,
		IDToken:          DefaultIDToken,
		now:              cfg.now,
		ids:              newIDGen(cfg.idSeed),
		jobDelay:         cfg.jobDelay,
		subJobsPerAnswer: cfg.subJobs,
		latency:          cfg.latency,
		faults:           make(map[Operation][]*queuedFault),
		st:               newState(),
		id:               newIdentityState(cfg.ident),
	}
	if cfg.demo {
		s.loadDemo()
	}
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.ts.Close() }

// ClientWaitInterval is how often clients from NewClient and Client poll
// a job in Jobs.Wait with nil options (a real client: every 10 s).
const ClientWaitInterval = 10 * time.Millisecond

// NewClient returns a workspace client wired to the fake: its endpoint and
// project, the fake's Token (unless opts carry credentials of their own),
// a retry policy with millisecond back-offs, and Jobs.Wait polling every
// ClientWaitInterval. opts come last and win.
func (s *Server) NewClient(opts ...workspace.Option) (*workspace.Client, error) {
	base := []workspace.Option{
		workspace.WithEndpoint(s.URL),
		workspace.WithProjectID(s.ProjectID),
		workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}),
		workspace.WithWaitInterval(ClientWaitInterval),
	}
	// opts may bring credentials (WithAccessKey, say): then the token must
	// stay out, or NewClient would see two kinds.
	c, err := workspace.NewClient(append(base, opts...)...)
	if err == nil {
		return c, nil
	}
	withToken := append(append(base[:len(base):len(base)], workspace.WithToken(s.Token)), opts...)
	if c, err2 := workspace.NewClient(withToken...); err2 == nil {
		return c, nil
	}
	return nil, err
}

// Client is NewClient for tests: it panics if opts are invalid.
func (s *Server) Client(opts ...workspace.Option) *workspace.Client {
	c, err := s.NewClient(opts...)
	if err != nil {
		panic("workspacetest: " + err.Error())
	}
	return c
}

// SetJobDelay changes the job delay for jobs started from now on.
func (s *Server) SetJobDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobDelay = max(d, 0)
}

// SetLatency delays every answer from now on by d (0: none).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = max(d, 0)
}

// String describes the server without its secrets.
func (s *Server) String() string {
	if s == nil {
		return "workspacetest.Server(nil)"
	}
	return fmt.Sprintf("workspacetest.Server{URL: %s, ProjectID: %s, Region: %s, AccessKey: %s, Token: REDACTED, SecretKey: REDACTED, Password: REDACTED, IDToken: REDACTED}",
		s.URL, s.ProjectID, s.Region, s.AccessKey)
}

// GoString describes the server without its secrets.
func (s *Server) GoString() string { return s.String() }

// ServeHTTP answers one request as the Workspace API would; a Server can
// also be mounted on a server of the caller's.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r)
}
