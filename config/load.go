package config

import (
	"context"
	"errors"
	"os"
	"strings"
	"unicode"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/credentials"
	"github.com/hwcloud-go/workspace/internal/credcall"
	"github.com/hwcloud-go/workspace/internal/endpoints"
	"github.com/hwcloud-go/workspace/internal/envnames"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Load reads the configuration from the sources (by default the
// environment, the credentials file and the ECS metadata service; see the
// package doc), each filling only what the earlier ones left unset, builds
// the credential source it names, and looks up the project id at IAM where
// keys and a region were found without one. All of it happens under ctx;
// the metadata service gets two seconds at most within it.
//
// A region, an endpoint or a project id no source gave is left empty, for
// the caller's own options (workspace.NewClient's error names them). No
// credentials from any source is a *workspace.ConfigError whose Missing
// lists what would have supplied them; so is every other error of Load.
func Load(ctx context.Context, opts ...LoadOption) (*Config, error) {
	if err := credcall.CheckContext(ctx); err != nil {
		return nil, credcall.AsConfigError(err)
	}
	o := loadOptions{sources: []Source{SourceEnv, SourceFile, SourceMetadata}, lookupEnv: os.LookupEnv}
	for _, opt := range opts {
		if opt.apply == nil {
			continue
		}
		if err := opt.apply(&o); err != nil {
			return nil, credcall.AsConfigError(err)
		}
	}
	l := &loader{opts: o, cfg: &Config{from: &origins{}}}
	if err := l.load(ctx); err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			// A source's complaint (a malformed file, a half-set pair of
			// variables) read after the context ended is not the answer:
			// a done context is, whatever was read before it stopped.
			return nil, l.stopped(cerr)
		}
		return nil, err
	}
	return l.cfg, nil
}

// stopped is Load's error for a context that ended: a
// *workspace.ConfigError that matches err (context.Canceled or
// context.DeadlineExceeded) and names the sources tried.
func (l *loader) stopped(err error) error {
	return &workspace.ConfigError{Reason: "loading stopped: " + err.Error() + "; tried " + strings.Join(l.tried, ", "), Err: err}
}

// loader is one run of Load.
type loader struct {
	opts  loadOptions
	cfg   *Config
	pick  *found // the source whose credentials were chosen; nil: none yet
	tried []string
}

// setting is one value from a source, with where it came from.
type setting struct {
	value string
	from  string // "env HUAWEICLOUD_SDK_AK", "ak in /home/u/.huaweicloud/credentials"
}

func (s setting) set() bool { return s.value != "" }

// name is what supplies the setting, as a *workspace.ConfigError's Missing
// names it: the variable ("HUAWEICLOUD_SDK_SK") or the file key ("sk in
// /home/u/.huaweicloud/credentials").
func (s setting) name() string { return strings.TrimPrefix(s.from, "env ") }

// found is what one source supplies.
type found struct {
	name                         string // "the environment", "the credentials file PATH"
	projectID, region            setting
	iamEndpoint                  setting // the Workspace endpoint is the environment's only: see regionEndpoint
	ak, sk, securityToken, token setting
	idpID, idTokenFile           setting
	provider                     *credentials.MetadataProvider // the metadata service's
}

// load reads the sources in order and completes the configuration.
func (l *loader) load(ctx context.Context) error {
	c := l.cfg
	if l.opts.region != "" {
		c.Region, c.from.region = l.opts.region, "option WithRegion"
	}
	if l.opts.iamEndpoint != "" {
		c.IAMEndpoint, c.from.iamEndpoint = l.opts.iamEndpoint, "option WithIAMEndpoint"
	}
	for _, src := range l.opts.sources {
		var f *found
		switch src {
		case SourceEnv:
			f = l.envFound()
			l.tried = append(l.tried, "the environment")
		case SourceFile:
			var note string
			var err error
			f, note, err = l.fileFound(ctx)
			if err != nil {
				return err
			}
			l.tried = append(l.tried, note)
		case SourceMetadata:
			if l.pick != nil {
				continue // only when nothing earlier gave credentials
			}
			var note string
			f, note = l.metadataFound(ctx)
			l.tried = append(l.tried, note)
		}
		if f == nil {
			continue
		}
		if err := l.fill(f); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		// A done context is the answer, not the sources it stopped.
		return l.stopped(err)
	}
	if err := l.regionEndpoint(); err != nil {
		return err
	}
	if l.pick == nil {
		return l.noCredentials()
	}
	return l.credentials(ctx)
}

// fill copies into the configuration what f supplies and it lacks yet, and
// chooses f's credentials if none were chosen.
func (l *loader) fill(f *found) error {
	c := l.cfg
	if c.ProjectID == "" && f.projectID.set() {
		if !validProjectID(f.projectID.value) {
			return fromSource(credcall.Invalid("projectID", "is not a project id"), f.projectID.from)
		}
		c.ProjectID, c.from.projectID = f.projectID.value, f.projectID.from
	}
	if c.Region == "" && f.region.set() {
		if !endpoints.ValidRegion(f.region.value) {
			return fromSource(credcall.Invalid("region", "%q is not a region name such as ap-southeast-3", pipeline.Clip(f.region.value)), f.region.from)
		}
		c.Region, c.from.region = f.region.value, f.region.from
	}
	if c.IAMEndpoint == "" && f.iamEndpoint.set() {
		ep, err := credcall.IAMEndpoint("iamEndpoint", f.iamEndpoint.value, "region", "")
		if err != nil {
			return fromSource(err, f.iamEndpoint.from)
		}
		c.IAMEndpoint, c.from.iamEndpoint = ep, f.iamEndpoint.from
	}
	if l.pick != nil {
		return nil
	}
	// The vendor's order: an identity provider and a token file win over
	// AK/SK; our own token variable comes last.
	switch {
	case f.idpID.set() && f.idTokenFile.set(), f.ak.set() && f.sk.set(), f.token.set(), f.provider != nil:
		l.pick = f
	case f.idpID.set() != f.idTokenFile.set():
		if f.idpID.set() {
			return credcall.Missing("incomplete ID-token credentials in "+f.name, f.idTokenFile.name())
		}
		return credcall.Missing("incomplete ID-token credentials in "+f.name, f.idpID.name())
	case f.ak.set() != f.sk.set():
		if f.ak.set() {
			return credcall.Missing("incomplete AK/SK credentials in "+f.name, f.sk.name())
		}
		return credcall.Missing("incomplete AK/SK credentials in "+f.name, f.ak.name())
	}
	return nil
}

// regionEndpoint applies the vendor's per-region endpoint variable (for
// the region found, from whatever source) and, without one, ours for any
// region: both only where the environment is a source.
func (l *loader) regionEndpoint() error {
	if !hasSource(l.opts.sources, SourceEnv) {
		return nil
	}
	c := l.cfg
	var s setting
	if c.Region != "" {
		name := envnames.RegionEndpoint(c.Region)
		s = setting{value: firstEndpoint(l.env(name)), from: "env " + name}
	}
	if !s.set() {
		s = setting{value: l.env(envnames.Endpoint), from: "env " + envnames.Endpoint}
	}
	if !s.set() {
		return nil
	}
	if _, _, err := credcall.ParseEndpoint("endpoint", s.value); err != nil {
		return fromSource(err, s.from)
	}
	c.Endpoint, c.from.endpoint = s.value, s.from
	return nil
}

// firstEndpoint is the first non-blank entry of the vendor's comma-separated
// endpoint list: a stray comma must not make the list look unset, sending
// the calls to the region's public endpoint instead.
func firstEndpoint(list string) string {
	for _, e := range strings.Split(list, ",") {
		if e = strings.TrimSpace(e); e != "" {
			return e
		}
	}
	return ""
}

// env is the trimmed value of the variable name.
func (l *loader) env(name string) string {
	v, _ := l.opts.lookupEnv(name)
	return strings.TrimSpace(v)
}

// envFound reads the environment.
func (l *loader) envFound() *found {
	get := func(name string) setting { return setting{value: l.env(name), from: "env " + name} }
	return &found{
		name:          "the environment",
		projectID:     get(envnames.ProjectID),
		region:        get(envnames.Region),
		iamEndpoint:   get(envnames.IAMEndpoint),
		ak:            get(envnames.AccessKey),
		sk:            get(envnames.SecretKey),
		securityToken: get(envnames.SecurityToken),
		token:         get(envnames.Token),
		idpID:         get(envnames.IdPID),
		idTokenFile:   get(envnames.IDTokenFile),
	}
}

// noCredentials is the error of a configuration without credentials: it
// names what would have supplied them in the sources consulted.
func (l *loader) noCredentials() error {
	var names []string
	for _, src := range l.opts.sources {
		switch src {
		case SourceEnv:
			names = append(names,
				envnames.AccessKey+" and "+envnames.SecretKey,
				envnames.IdPID+" and "+envnames.IDTokenFile,
				envnames.Token)
		case SourceFile:
			names = append(names, "ak and sk in the credentials file", "idp_id and id_token_file in the credentials file")
		case SourceMetadata:
			names = append(names, "an ECS instance's metadata service")
		}
	}
	return credcall.Missing("no credentials; tried "+strings.Join(l.tried, ", "), names...)
}

// credentials builds the chosen credentials and looks the project id up
// where it is still missing.
func (l *loader) credentials(ctx context.Context) error {
	c, f := l.cfg, l.pick
	creds := &credentialSet{}
	switch {
	case f.idpID.set() && f.idTokenFile.set():
		if c.ProjectID == "" {
			return credcall.Missing("ID-token credentials ("+f.idpID.from+") need a project id",
				envnames.ProjectID, "project_id in the credentials file")
		}
		ts, err := credentials.NewIDTokenSource(credentials.IDTokenConfig{
			IdPID: f.idpID.value, TokenFile: f.idTokenFile.value, ProjectID: c.ProjectID,
			Region: c.Region, Endpoint: c.IAMEndpoint, HTTPClient: l.opts.httpClient,
		})
		if err != nil {
			var ce *workspace.ConfigError
			if errors.As(err, &ce) && c.Region == "" && c.IAMEndpoint == "" {
				return credcall.Missing("ID-token credentials ("+f.idpID.from+") need IAM's endpoint or a region",
					envnames.Region, envnames.IAMEndpoint, "config.WithRegion", "config.WithIAMEndpoint")
			}
			return err
		}
		creds.kind, creds.tokenSource = "ID token ("+f.idpID.from+", "+f.idTokenFile.from+")", ts
	case f.ak.set() && f.sk.set():
		creds.kind = "AK/SK (" + f.ak.from + ", " + f.sk.from + ")"
		creds.ak, creds.sk = f.ak.value, f.sk.value
		if f.securityToken.set() {
			creds.securityToken = f.securityToken.value
			creds.kind = "temporary AK/SK (" + f.ak.from + ", " + f.sk.from + ", " + f.securityToken.from + ")"
		}
	case f.token.set():
		creds.kind, creds.token = "IAM token ("+f.token.from+")", f.token.value
	default:
		creds.kind, creds.provider = "ECS metadata", f.provider
	}
	c.creds, c.from.credentials = func() *credentialSet { return creds }, creds.kind
	if c.ProjectID != "" || c.Region == "" || !creds.signs() {
		return nil
	}
	id, err := lookupProject(ctx, l.opts.httpClient, c.iamBase(), c.Region, creds.signer())
	if err != nil {
		return lookupError(err, c.Region)
	}
	c.ProjectID, c.from.projectID = id, "IAM project lookup ("+c.iamBase()+")"
	return nil
}

// validProjectID reports whether id can be a project id: not blank, and
// without a character that would change a request's path or header (a
// path or query delimiter, a percent sign, a space, a control character).
func validProjectID(id string) bool {
	return strings.TrimSpace(id) != "" && !strings.ContainsAny(id, "/?#% ") && strings.IndexFunc(id, unicode.IsControl) < 0
}

// fromSource names the variable or file key a malformed value came from,
// keeping the *workspace.ValidationError.
func fromSource(err error, from string) error {
	var ve *workspace.ValidationError
	if errors.As(err, &ve) {
		ve = &workspace.ValidationError{Field: ve.Field + " (from " + from + ")", Reason: ve.Reason}
		return &workspace.ConfigError{Reason: strings.TrimPrefix(ve.Error(), "workspace: "), Err: ve}
	}
	return credcall.AsConfigError(err)
}

// lookupError makes a failed project lookup a *workspace.ConfigError, as
// every error of Load is, keeping IAM's *workspace.APIError (or the
// context's error) as the cause for errors.As and errors.Is.
func lookupError(err error, region string) error {
	var ce *workspace.ConfigError
	if errors.As(err, &ce) {
		return err
	}
	return &workspace.ConfigError{
		Reason: "looking up the project id of region " + region + " at IAM: " + strings.TrimPrefix(err.Error(), "workspace: "),
		Err:    err,
	}
}
