package config

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/endpoints"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Config is the configuration Load found: give Options to
// workspace.NewClient. The exported fields are what Load found ("": no
// source gave it); the credentials stay unexported, so that no fmt verb,
// json.Marshal or slog shows them. String says where each setting came
// from.
type Config struct {
	Region      string // the region, e.g. ap-southeast-3
	Endpoint    string // the Workspace endpoint, where a variable set one; it wins over Region
	IAMEndpoint string // IAM's base URL, where one was given; "": the region's
	ProjectID   string // the project, given or looked up at IAM

	from  *origins
	creds func() *credentialSet // behind a function: reflection-based dumpers (go-spew, testify's failure output) cannot reach the keys
}

// origins says where each setting came from.
type origins struct {
	region, endpoint, iamEndpoint, projectID, credentials string
}

// credentialSet is the credentials Load chose: exactly one kind is set.
type credentialSet struct {
	kind                  string // where they came from, for String
	ak, sk, securityToken string
	token                 string
	tokenSource           workspace.TokenSource
	provider              workspace.CredentialsProvider
}

// signs reports whether the credentials sign with AK/SK: what the project
// lookup needs.
func (s *credentialSet) signs() bool { return s.ak != "" || s.provider != nil }

// signer returns the AK/SK credentials as a provider.
func (s *credentialSet) signer() workspace.CredentialsProvider {
	if s.provider != nil {
		return s.provider
	}
	c := workspace.Credentials{AccessKey: s.ak, SecretKey: workspace.NewSecret(s.sk), SecurityToken: workspace.NewSecret(s.securityToken)}
	return fixedKeys(func() workspace.Credentials { return c })
}

// fixedKeys serves fixed keys, kept in a closure out of reach of fmt.
type fixedKeys func() workspace.Credentials

func (k fixedKeys) Credentials(context.Context) (workspace.Credentials, error) { return k(), nil }

// Options returns the options that configure a client as c says: the
// endpoint (or the region, where no endpoint was set), the project id and
// the credentials. Options given after them to workspace.NewClient win.
// Settings no source gave are left out, for the caller's own options.
func (c *Config) Options() []workspace.Option {
	if c == nil {
		return nil
	}
	var opts []workspace.Option
	switch {
	case c.Endpoint != "":
		opts = append(opts, workspace.WithEndpoint(c.Endpoint))
	case c.Region != "":
		opts = append(opts, workspace.WithRegion(c.Region))
	}
	if c.ProjectID != "" {
		opts = append(opts, workspace.WithProjectID(c.ProjectID))
	}
	if s := c.credentials(); s != nil {
		switch {
		case s.ak != "":
			opts = append(opts, workspace.WithAccessKey(s.ak, s.sk))
			if s.securityToken != "" {
				opts = append(opts, workspace.WithSecurityToken(s.securityToken))
			}
		case s.token != "":
			opts = append(opts, workspace.WithToken(s.token))
		case s.tokenSource != nil:
			opts = append(opts, workspace.WithTokenSource(s.tokenSource))
		case s.provider != nil:
			opts = append(opts, workspace.WithCredentialsProvider(s.provider))
		}
	}
	return opts
}

// credentials returns the credentials Load chose; nil: none.
func (c *Config) credentials() *credentialSet {
	if c.creds == nil {
		return nil
	}
	return c.creds()
}

// iamBase is IAM's base URL: the one given, else the region's.
func (c *Config) iamBase() string {
	if c.IAMEndpoint != "" {
		return c.IAMEndpoint
	}
	return endpoints.IAM(c.Region)
}

// String lists each setting and where it came from, one a line, never a
// secret:
//
//	region: ap-southeast-3 (env HUAWEICLOUD_SDK_REGION)
//	project id: 0bec5db98280d2d02fd6c00c2de791ce (IAM project lookup (https://iam.ap-southeast-3.myhuaweicloud.com))
//	credentials: ECS metadata
func (c Config) String() string {
	from := c.from
	if from == nil {
		from = &origins{}
	}
	var b strings.Builder
	line := func(name, value, source string) {
		if value == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name + ": " + value)
		if source != "" {
			b.WriteString(" (" + source + ")")
		}
	}
	line("region", pipeline.Clip(c.Region), from.region)
	line("endpoint", pipeline.ShownURL(c.Endpoint), from.endpoint)
	line("IAM endpoint", pipeline.ShownURL(c.IAMEndpoint), from.iamEndpoint)
	line("project id", pipeline.Clip(c.ProjectID), from.projectID)
	if s := c.credentials(); s != nil {
		line("credentials", s.kind, "")
	} else {
		line("credentials", "none", "")
	}
	return b.String()
}

// Format prints String whatever the verb, so that %v, %+v, %#v, %s and
// %q of a Config or a *Config agree and none shows a field raw.
func (c Config) Format(f fmt.State, verb rune) {
	pipeline.FormatRedacted(f, verb, c.String(), c.String())
}

// LogValue logs String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
