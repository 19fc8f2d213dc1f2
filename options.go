package workspace

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
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
	endpoint       string
	region         string
	projectID      string
	token          string
	tokenSource    TokenSource
	accessKey      string
	secretKey      string
	securityToken  string
	credsProvider  CredentialsProvider
	httpClient     *http.Client
	retry          RetryPolicy
	logger         Observer   // WithLogger's log observer; nil: none
	observers      []Observer // WithObserver's, in order
	userAgent      string
	rateRPS        float64
	rateBurst      int
	waitInterval   time.Duration
	fromEnv        bool
	lookupEnv      func(string) (string, bool)
	credentialKind []string     // the options that set credentials, in order
	src            sourceConfig // WithCredentialsFile, WithDefaultConfig, WithIAMEndpoint (config.go)
}

var regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// WithEndpoint sets the API's base URL: scheme, host and an optional path
// prefix ("https://workspace.example.com/prefix"); a trailing slash is
// tolerated and plain http is accepted. It wins over WithRegion.
func WithEndpoint(baseURL string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(baseURL) == "" {
			return emptyValue("WithEndpoint", "endpoint", "endpoint", EnvEndpoint)
		}
		if _, _, err := parseEndpoint("endpoint", baseURL); err != nil {
			return err
		}
		c.endpoint = baseURL
		return nil
	})
}

// WithRegion sets the endpoint to https://workspace.{region}.myhuaweicloud.com.
// NewClient does not check that the region exists; where its endpoint's
// name does not resolve, the call's error says the region may be unknown
// and where to look the regions up (the *net.DNSError stays reachable with
// errors.As).
func WithRegion(region string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(region) == "" {
			return emptyValue("WithRegion", "region", "region", EnvRegion)
		}
		if !regionPattern.MatchString(region) {
			return invalid("region", "%q is not a region name such as ap-southeast-3", clip(region))
		}
		c.region = region
		return nil
	})
}

// WithProjectID sets the project whose resources the client reaches; it
// is required.
func WithProjectID(id string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(id) == "" {
			return emptyValue("WithProjectID", "project id", "projectID", EnvProjectID)
		}
		c.projectID = id
		return nil
	})
}

// WithToken authenticates with a fixed IAM token, sent as X-Auth-Token.
func WithToken(token string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return emptyValue("WithToken", "token", "token", EnvToken)
		}
		if err := checkHeaderValue("token", token); err != nil {
			return err
		}
		c.token = token
		c.credentialKind = append(c.credentialKind, "WithToken")
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
		c.tokenSource = ts
		c.credentialKind = append(c.credentialKind, "WithTokenSource")
		return nil
	})
}

// WithAccessKey authenticates by signing each request with an access key
// and secret key (SDK-HMAC-SHA256), with the X-Project-Id header.
func WithAccessKey(ak, sk string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(ak) == "" {
			return emptyValue("WithAccessKey", "access key", "accessKey", EnvAccessKey)
		}
		if strings.TrimSpace(sk) == "" {
			return emptyValue("WithAccessKey", "secret key", "secretKey", EnvSecretKey)
		}
		if err := checkHeaderValue("accessKey", ak); err != nil {
			return err
		}
		if err := checkHeaderValue("secretKey", sk); err != nil {
			return err
		}
		c.accessKey, c.secretKey = ak, sk
		c.credentialKind = append(c.credentialKind, "WithAccessKey")
		return nil
	})
}

// WithSecurityToken adds the security token of temporary credentials to
// WithAccessKey; it is sent, and signed, as X-Security-Token.
func WithSecurityToken(token string) Option {
	return option(func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return emptyValue("WithSecurityToken", "security token", "securityToken", EnvSecurityToken)
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
		c.credsProvider = p
		c.credentialKind = append(c.credentialKind, "WithCredentialsProvider")
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

// Environment variables read by WithEnv (see config.go for the vendor's
// others).
const (
	EnvAccessKey     = "HUAWEICLOUD_SDK_AK"
	EnvSecretKey     = "HUAWEICLOUD_SDK_SK"
	EnvSecurityToken = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
	EnvProjectID     = "HUAWEICLOUD_SDK_PROJECT_ID"
	EnvRegion        = "HUAWEICLOUD_SDK_REGION"
	EnvEndpoint      = "HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT" // ours: overrides the region's endpoint
	EnvToken         = "HUAWEICLOUD_SDK_TOKEN"              // ours: a fixed IAM token
)

// WithEnv fills from the environment whatever the other options leave
// unset, with the vendor SDK's variables:
//   - the project id: HUAWEICLOUD_SDK_PROJECT_ID;
//   - the region: HUAWEICLOUD_SDK_REGION; the endpoint:
//     HUAWEICLOUD_SDK_REGION_WORKSPACE_{REGION} (the vendor's: region
//     upper-cased, "-" as "_", a comma list of which the first is used)
//     for the region given or found, else HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT
//     (ours) where no region is given; the vendor's wins where both are set;
//   - IAM's endpoint: HUAWEICLOUD_SDK_IAM_ENDPOINT;
//   - credentials, when no option gives any, in the vendor's order:
//     HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE (an
//     IDTokenSource), else HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (with
//     HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys), else
//     HUAWEICLOUD_SDK_TOKEN (ours: a fixed IAM token).
//
// HUAWEICLOUD_SDK_DOMAIN_ID is accepted and not needed. Explicit options
// win wherever they appear; NewClient's *ConfigError names the variables
// that would supply what is missing.
func WithEnv() Option {
	return option(func(c *config) error {
		c.fromEnv = true
		return nil
	})
}

// parseEndpoint checks a base URL and splits it into the scheme and host
// part and the escaped path prefix (no trailing slash). field names the
// setting in a *ValidationError.
func parseEndpoint(field, raw string) (origin, prefix string, err error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", "", invalid(field, "%q is not a URL", clip(redactURL(raw)))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", invalid(field, "%q must start with https:// or http://", clip(redactURL(raw)))
	case u.Host == "" || u.Opaque != "":
		return "", "", invalid(field, "%q has no host", clip(redactURL(raw)))
	case u.User != nil:
		return "", "", invalid(field, "must not contain user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", "", invalid(field, "%q must not have a query or fragment", clip(redactURL(raw)))
	}
	return u.Scheme + "://" + u.Host, strings.TrimRight(u.EscapedPath(), "/"), nil
}

// shownURL is raw as an error may show it: redacted and clipped.
func shownURL(raw string) string { return clip(redactURL(raw)) }

// redactURL is raw fit to print: parsed with url.Parse, it keeps the
// scheme, the host and the path, and shows REDACTED for the user
// information and for the query and the fragment, which may hold a
// password or a signature. A string that does not parse, or that has an
// '@' outside its authority (where a password holding '/', '?' or '#' puts
// it, so that url.Parse takes part of the password for the host, the path
// or the query), is shown as its scheme, if any, and REDACTED.
//
// The parts kept are cut from raw as url.Parse found them, not printed
// from the URL, whose host and path are decoded and escaped again.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactedURL(raw)
	}
	rest := raw // after the scheme, as url.Parse sees it
	if u.Scheme != "" {
		rest = raw[len(u.Scheme)+1:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	if u.Opaque != "" || !strings.HasPrefix(rest, "//") || u.Scheme == "" && strings.HasPrefix(rest, "///") {
		// No authority, so no user information: an '@' is not attributable.
		if strings.Contains(raw, "@") {
			return redactedURL(raw)
		}
		return withRedactedTail(u, raw, rawScheme(u)+rest)
	}
	authority, path := rest[2:], ""
	if i := strings.IndexByte(authority, '/'); i >= 0 {
		authority, path = authority[:i], authority[i:]
	}
	// Every '@' of raw must be in the authority, where the last one ends
	// the user information: one anywhere after it means the URL was split
	// elsewhere than its writer meant.
	if strings.Count(raw, "@") != strings.Count(authority, "@") {
		return redactedURL(raw)
	}
	host := authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		host = "REDACTED" + authority[at:]
	}
	return withRedactedTail(u, raw, rawScheme(u)+"//"+host+path)
}

// rawScheme is u's scheme with its colon, or nothing.
func rawScheme(u *url.URL) string {
	if u.Scheme == "" {
		return ""
	}
	return u.Scheme + ":"
}

// withRedactedTail appends to s the query and the fragment of u, parsed
// from raw, as REDACTED.
func withRedactedTail(u *url.URL, raw, s string) string {
	if u.RawQuery != "" || u.ForceQuery {
		s += "?REDACTED"
	}
	if strings.Contains(raw, "#") {
		s += "#REDACTED"
	}
	return s
}

// redactedURL shows raw, a URL that cannot be redacted part by part, as
// its scheme (where it starts with one) and REDACTED.
func redactedURL(raw string) string {
	i := strings.IndexByte(raw, ':')
	if i <= 0 || !validScheme(raw[:i]) {
		return "REDACTED"
	}
	if strings.HasPrefix(raw[i+1:], "//") {
		return raw[:i] + "://REDACTED"
	}
	return raw[:i] + ":REDACTED"
}

// validScheme reports whether s is a URL scheme (RFC 3986): a letter, then
// letters, digits, '+', '-' and '.'.
func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

var errNoCredentials = errors.New("workspace: no credentials: use WithToken, WithTokenSource, WithAccessKey or WithCredentialsProvider")
