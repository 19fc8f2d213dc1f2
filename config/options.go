package config

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hwcloud-go/workspace/internal/credcall"
	"github.com/hwcloud-go/workspace/internal/endpoints"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Source is one place Load reads configuration from.
type Source int

// The sources Load consults; WithSources chooses among them.
const (
	SourceEnv      Source = iota + 1 // the environment variables
	SourceFile                       // the vendor's credentials file
	SourceMetadata                   // the ECS metadata service
)

// String names the source as Config's String does.
func (s Source) String() string {
	switch s {
	case SourceEnv:
		return "the environment"
	case SourceFile:
		return "the credentials file"
	case SourceMetadata:
		return "the ECS metadata service"
	}
	return "Source(" + strconv.Itoa(int(s)) + ")"
}

// LoadOption changes what Load reads; the With... functions of this
// package make them. The zero LoadOption does nothing.
type LoadOption struct {
	apply func(*loadOptions) error
}

// loadOptions is what the LoadOptions ask for.
type loadOptions struct {
	region           string
	file             string // "": the environment's, else the default path
	sources          []Source
	lookupEnv        func(string) (string, bool)
	customEnv        bool // WithLookupEnv: the home directory comes from it too
	metadataEndpoint string
	iamEndpoint      string
	httpClient       *http.Client
}

// WithRegion sets the region, over the environment's.
func WithRegion(region string) LoadOption {
	return LoadOption{func(o *loadOptions) error {
		if !endpoints.ValidRegion(region) {
			return credcall.Invalid("region", "%q is not a region name such as ap-southeast-3", pipeline.Clip(region))
		}
		o.region = region
		return nil
	}}
}

// WithCredentialsFile reads this credentials file (it must exist) instead
// of HUAWEICLOUD_SDK_CREDENTIALS_FILE's or ~/.huaweicloud/credentials.
func WithCredentialsFile(path string) LoadOption {
	return LoadOption{func(o *loadOptions) error {
		if strings.TrimSpace(path) == "" {
			return credcall.Invalid("credentialsFile", "must not be empty")
		}
		o.file = path
		return nil
	}}
}

// WithSources chooses the sources to consult, in this order; by default
// SourceEnv, SourceFile and SourceMetadata. A source given twice is read
// once.
func WithSources(s ...Source) LoadOption {
	return LoadOption{func(o *loadOptions) error {
		if len(s) == 0 {
			return credcall.Invalid("sources", "must name at least one source")
		}
		o.sources = o.sources[:0]
		for _, src := range s {
			if src < SourceEnv || src > SourceMetadata {
				return credcall.Invalid("sources", "%v is not SourceEnv, SourceFile or SourceMetadata", src)
			}
			if !hasSource(o.sources, src) {
				o.sources = append(o.sources, src)
			}
		}
		return nil
	}}
}

// WithLookupEnv reads the environment through fn instead of os.LookupEnv
// (tests; a program's own settings). The home directory of the default
// credentials file is then fn's HOME (USERPROFILE on Windows) too.
func WithLookupEnv(fn func(string) (string, bool)) LoadOption {
	return LoadOption{func(o *loadOptions) error {
		if fn == nil {
			return credcall.Invalid("lookupEnv", "must not be nil")
		}
		o.lookupEnv, o.customEnv = fn, true
		return nil
	}}
}

// WithMetadataEndpoint asks this metadata service instead of
// HUAWEICLOUD_SDK_METADATA_ENDPOINT's or http://169.254.169.254: a proxy or
// a test fake.
func WithMetadataEndpoint(url string) LoadOption {
	return LoadOption{func(o *loadOptions) error {
		if _, _, err := credcall.ParseEndpoint("metadataEndpoint", url); err != nil {
			return err
		}
		o.metadataEndpoint = url
		return nil
	}}
}

// WithIAMEndpoint sets IAM's base URL for the project lookup and the
// ID-token exchange, over HUAWEICLOUD_SDK_IAM_ENDPOINT and the file's
// iam_endpoint; a value without a scheme gets https://. By default IAM is
// the region's, https://iam.{region}.myhuaweicloud.com.
func WithIAMEndpoint(url string) LoadOption {
	return LoadOption{func(o *loadOptions) error {
		if strings.TrimSpace(url) == "" {
			return credcall.Invalid("iamEndpoint", "must not be empty")
		}
		ep, err := credcall.IAMEndpoint("iamEndpoint", url, "region", "")
		if err != nil {
			return err
		}
		o.iamEndpoint = ep
		return nil
	}}
}

// WithHTTPClient sends the metadata and IAM calls Load makes, and those of
// the credential sources it builds, with hc (proxies, TLS settings). The
// API client's own HTTP client is workspace.WithHTTPClient's.
func WithHTTPClient(hc *http.Client) LoadOption {
	return LoadOption{func(o *loadOptions) error {
		if hc == nil {
			return credcall.Invalid("httpClient", "must not be nil")
		}
		o.httpClient = hc
		return nil
	}}
}

// hasSource reports whether s is among list.
func hasSource(list []Source, s Source) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
