package workspace

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace/internal/endpoints"
	"github.com/hwcloud-go/workspace/internal/envnames"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Option configures a Client in NewClient; the With... functions make
// them. Options check their values and make NewClient fail for a bad one.
// The zero Option does nothing: NewClient skips it.
type Option struct {
	apply func(*config) error // nil: the zero Option
}

// option makes an Option of f.
func option(f func(*config) error) Option { return Option{apply: f} }

// config collects the options before NewClient checks and applies them.
type config struct {
	endpoint      string
	region        string
	projectID     string
	token         string
	tokenSource   TokenSource
	accessKey     string
	secretKey     string
	securityToken string
	credsProvider CredentialsProvider
	httpClient    *http.Client
	retry         RetryPolicy
	logger        Observer   // WithLogger's log observer; nil: none
	observers     []Observer // WithObserver's, in order
	userAgent     string
	rateRPS       float64
	rateBurst     int
	waitInterval  time.Duration
	concurrency   int    // WithConcurrency's; 0: defaultConcurrency
	credentials   string // the option that set the credentials: the last one given wins
}

// setCredentials forgets every credential an earlier option gave, the
// security token included: the last credentials option wins.
func (c *config) setCredentials(option string) {
	c.token, c.tokenSource, c.accessKey, c.secretKey, c.securityToken, c.credsProvider = "", nil, "", "", "", nil
	c.credentials = option
}

// WithEndpoint sets the API's base URL: scheme, host and an optional path
// prefix ("https://workspace.example.com/prefix"); a trailing slash is
// tolerated and plain http is accepted. It replaces an earlier WithRegion,
// and a later WithRegion replaces it.
func WithEndpoint(baseURL string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(baseURL) == "" {
			return emptyValue("WithEndpoint", "endpoint", "endpoint", envnames.Endpoint)
		}
		if _, _, err := parseEndpoint("endpoint", baseURL); err != nil {
			return err
		}
		c.endpoint, c.region = baseURL, ""
		return nil
	})
}

// WithRegion sets the endpoint to https://workspace.{region}.myhuaweicloud.com;
// it replaces an earlier WithEndpoint, and a later WithEndpoint replaces it.
// NewClient does not check that the region exists; where its endpoint's
// name does not resolve, the call's error says the region may be unknown
// and where to look the regions up (the *net.DNSError stays reachable with
// errors.As).
func WithRegion(region string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(region) == "" {
			return emptyValue("WithRegion", "region", "region", envnames.Region)
		}
		if !endpoints.ValidRegion(region) {
			return invalid("region", "%q is not a region name such as ap-southeast-3", clip(region))
		}
		c.region, c.endpoint = region, ""
		return nil
	})
}

// WithProjectID sets the project whose resources the client reaches; it
// is required.
func WithProjectID(id string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(id) == "" {
			return emptyValue("WithProjectID", "project id", "projectID", envnames.ProjectID)
		}
		// It is sent as X-Project-Id: a malformed value fails here, not
		// on every call.
		if err := checkHeaderValue("projectID", id); err != nil {
			return err
		}
		c.projectID = id
		return nil
	})
}

// WithToken authenticates with a fixed IAM token, sent as X-Auth-Token.
func WithToken(token string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return emptyValue("WithToken", "token", "token", envnames.Token)
		}
		if err := checkHeaderValue("token", token); err != nil {
			return err
		}
		c.setCredentials("WithToken")
		c.token = token
		return nil
	})
}

// WithTokenSource authenticates with tokens from ts, asked for before each
// attempt. A source that also implements TokenInvalidator is asked for a
// fresh token once when the API answers 401.
func WithTokenSource(ts TokenSource) Option {
	return option(func(c *config) error {
		if ts == nil {
			return invalid("tokenSource", "must not be nil")
		}
		c.setCredentials("WithTokenSource")
		c.tokenSource = ts
		return nil
	})
}

// WithAccessKey authenticates by signing each request with an access key
// and secret key (SDK-HMAC-SHA256), with the X-Project-Id header.
func WithAccessKey(ak, sk string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(ak) == "" {
			return emptyValue("WithAccessKey", "access key", "accessKey", envnames.AccessKey)
		}
		if strings.TrimSpace(sk) == "" {
			return emptyValue("WithAccessKey", "secret key", "secretKey", envnames.SecretKey)
		}
		if err := checkHeaderValue("accessKey", ak); err != nil {
			return err
		}
		if err := checkHeaderValue("secretKey", sk); err != nil {
			return err
		}
		c.setCredentials("WithAccessKey")
		c.accessKey, c.secretKey = ak, sk
		return nil
	})
}

// WithSecurityToken adds the security token of temporary credentials to
// WithAccessKey; it is sent, and signed, as X-Security-Token.
func WithSecurityToken(token string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return emptyValue("WithSecurityToken", "security token", "securityToken", envnames.SecurityToken)
		}
		if err := checkHeaderValue("securityToken", token); err != nil {
			return err
		}
		c.securityToken = token
		return nil
	})
}

// WithCredentialsProvider authenticates by AK/SK signing with credentials
// from p, asked for before each attempt (temporary credentials that
// refresh, for example).
func WithCredentialsProvider(p CredentialsProvider) Option {
	return option(func(c *config) error {
		if p == nil {
			return invalid("credentialsProvider", "must not be nil")
		}
		c.setCredentials("WithCredentialsProvider")
		c.credsProvider = p
		return nil
	})
}

// WithHTTPClient sets the HTTP client to send requests with (proxies, TLS
// settings, httpmock). The client is copied, not modified; a copy without a
// redirect policy gets one that follows no redirects, so credentials never
// travel to another host.
func WithHTTPClient(hc *http.Client) Option {
	return option(func(c *config) error {
		if hc == nil {
			return invalid("httpClient", "must not be nil")
		}
		c.httpClient = hc
		return nil
	})
}

// WithRetryPolicy sets how calls are retried; see RetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return option(func(c *config) error {
		if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 {
			return invalid("retryPolicy", "values must not be negative")
		}
		c.retry = p
		return nil
	})
}

// WithLogger logs each attempt at debug level (method, path without query,
// status, duration, attempt, request id, retry decision) and a warning when
// a call gives up. Tokens, keys, signatures and passwords never appear.
func WithLogger(l *slog.Logger) Option {
	return option(func(c *config) error {
		// The log observer is made here, so that a program that never
		// calls WithLogger does not link log/slog's handlers.
		c.logger = nil
		if l != nil {
			c.logger = logObserver{l: l}
		}
		return nil
	})
}

// WithUserAgent appends ua to the SDK's own User-Agent product token.
func WithUserAgent(ua string) Option {
	return option(func(c *config) error {
		if err := checkHeaderValue("userAgent", ua); err != nil {
			return err
		}
		c.userAgent = strings.TrimSpace(ua)
		return nil
	})
}

// minRateLimit is the smallest rate WithRateLimit accepts, in requests per
// second: a token bucket refilled more slowly waits longer than a
// time.Duration can hold.
const minRateLimit = 1e-9

// WithRateLimit keeps the client under rps requests per second on average,
// with bursts of up to burst, so that a fleet job stays below the gateway's
// limit instead of collecting 429s. Every attempt, retries included, takes
// a token; waiting honours the call's context. rps must be at least 1e-9
// (one request in about 32 years) and burst at least 1.
func WithRateLimit(rps float64, burst int) Option {
	return option(func(c *config) error {
		if !(rps > 0) || rps > 1e9 {
			return invalid("rateLimit.rps", "must be positive")
		}
		if rps < minRateLimit {
			return invalid("rateLimit.rps", "must be at least %g (one request in about 32 years): a longer wait cannot be represented", minRateLimit)
		}
		if burst < 1 {
			return invalid("rateLimit.burst", "must be at least 1")
		}
		c.rateRPS, c.rateBurst = rps, burst
		return nil
	})
}

// WithWaitInterval sets the time between polls of JobsService.Wait for
// calls whose WaitOptions.Interval is zero (or nil options), instead of
// 10 s. It must be positive; clients of the workspacetest fake poll every
// few milliseconds.
func WithWaitInterval(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return invalid("waitInterval", "must be positive, got %v", d)
		}
		c.waitInterval = d
		return nil
	})
}

// defaultConcurrency is how many requests one method has in flight when
// no WithConcurrency is given. Measured on the fake at 20 ms a round trip
// (bench/README.md): listing 20,000 snapshots in pages of 1,000 is 4
// round trips in a row at 8 (the first page alone, then 19 pages 8 at a
// time) against 20 at 1, 94 to 99 ms against 436; checking 5,000
// desktops' images is 2 round trips at 8 against 10, 44 ms against 212. At 10 both
// were faster (78 and 26 ms), but only because 19 pages and 10 chunks
// then fit in fewer rounds, while each caller's bursts at the gateway and
// the pages held grow by a quarter.
const defaultConcurrency = 8

// WithConcurrency sets how many requests one method may have in flight at
// once (a request is one page, one chunk or one poll on the wire): the
// pages an All iterator holds, the one being yielded included, and the
// chunks of CheckImages sent at once. 1 means strictly one at a time, no
// fetching ahead. n must be at least 1; without this option it is 8.
// Bulk writes (the ...AndWait methods) always send one chunk at a time.
// The rate limit and the retry budget apply to every request all the same.
func WithConcurrency(n int) Option {
	return option(func(c *config) error {
		if n < 1 {
			return invalid("concurrency", "must be at least 1, got %d", n)
		}
		c.concurrency = n
		return nil
	})
}

// parseEndpoint checks a base URL and splits it into the scheme and host
// part and the escaped path prefix (no trailing slash). field names the
// setting in a *ValidationError.
func parseEndpoint(field, raw string) (origin, prefix string, err error) {
	origin, prefix, problem := pipeline.ParseEndpoint(raw)
	if problem != "" {
		return "", "", &ValidationError{Field: field, Reason: problem}
	}
	return origin, prefix, nil
}

var errNoCredentials = errors.New("workspace: no credentials: use WithToken, WithTokenSource, WithAccessKey or WithCredentialsProvider")

// check reports what NewClient still lacks once every option is applied:
// credentials, an endpoint or region, a project id. NewClient reads
// nothing itself; the names of the environment variables that config.Load
// would have read are given beside the options, so that either fixes it.
func (c *config) check() error {
	if c.securityToken != "" && c.accessKey == "" {
		return &ConfigError{Reason: "WithSecurityToken goes with WithAccessKey (given after it)", Missing: []string{"WithAccessKey"}}
	}
	var groups []missingGroup
	if c.credentials == "" {
		groups = append(groups, missingGroup{"no credentials", []string{
			"WithAccessKey", "WithToken", "WithTokenSource", "WithCredentialsProvider",
			envnames.AccessKey + " and " + envnames.SecretKey, envnames.Token,
		}})
	}
	if c.endpoint == "" && c.region == "" {
		groups = append(groups, missingGroup{"no endpoint or region", []string{"WithRegion", "WithEndpoint", envnames.Region, envnames.Endpoint}})
	}
	if c.projectID == "" {
		groups = append(groups, missingGroup{"no project id", []string{"WithProjectID", envnames.ProjectID}})
	}
	if len(groups) == 0 {
		return nil
	}
	var reasons, names []string
	for _, g := range groups {
		reasons = append(reasons, g.reason)
		names = append(names, g.names...)
	}
	ce := &ConfigError{Reason: strings.Join(reasons, ", "), Missing: names, groups: groups}
	if len(groups) > 1 {
		ce.Reason += " (the variables are read by config.Load)"
	}
	if c.credentials == "" && len(groups) == 1 {
		ce.Err = errNoCredentials
	}
	return ce
}
