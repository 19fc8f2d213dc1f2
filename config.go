package workspace

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"time"
)

// Environment variables of the vendor's SDK that WithEnv reads besides the
// ones it always read (EnvAccessKey and the others).
const (
	// EnvIAMEndpoint is IAM's endpoint for every IAM call (token
	// exchange, project lookup); a value without a scheme gets https://.
	EnvIAMEndpoint = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
	// EnvIdPID and EnvIDTokenFile select federated ID-token credentials:
	// the identity provider's id at IAM and the file holding the OIDC ID
	// token (in Kubernetes, a projected service account token).
	EnvIdPID       = "HUAWEICLOUD_SDK_IDP_ID"
	EnvIDTokenFile = "HUAWEICLOUD_SDK_ID_TOKEN_FILE"
	// EnvDomainID is the account's domain id. No flow of this SDK needs
	// one (every token it asks for is project-scoped); it is read so that
	// a vendor configuration is accepted as it is.
	EnvDomainID = "HUAWEICLOUD_SDK_DOMAIN_ID"
	// EnvCredentialsFile names the credentials file WithCredentialsFile("")
	// and WithDefaultConfig read.
	EnvCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
	// EnvRegionEndpointPrefix + "WORKSPACE_" + the region, upper-cased with
	// "-" as "_" (HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3), is the
	// vendor's endpoint override for that region: a comma-separated list,
	// of which the first is used.
	EnvRegionEndpointPrefix = "HUAWEICLOUD_SDK_REGION_"
	// EnvMetadataEndpoint (ours) points WithDefaultConfig at another
	// metadata service than DefaultMetadataEndpoint: a proxy or a test fake.
	EnvMetadataEndpoint = "HUAWEICLOUD_SDK_METADATA_ENDPOINT"
)

// DefaultConfigMetadataTimeout bounds WithDefaultConfig's use of the
// metadata service in NewClient: off an ECS instance, NewClient answers
// within this time.
const DefaultConfigMetadataTimeout = 2 * time.Second

// defaultConfigMetadataEndpoint is WithDefaultConfig's metadata service
// unless HUAWEICLOUD_SDK_METADATA_ENDPOINT names another; the package's
// tests point it at a closed loopback port, so that none can reach the
// real address.
var defaultConfigMetadataEndpoint = DefaultMetadataEndpoint

// sourceConfig is what the configuration-source options ask for.
type sourceConfig struct {
	file        bool
	filePath    string // "": EnvCredentialsFile, else the default path
	metadata    bool
	metaTimeout time.Duration
	iamEndpoint string // WithIAMEndpoint
	homeDir     func() (string, error)
}

// WithCredentialsFile fills whatever the other options and WithEnv leave
// unset from the vendor's INI credentials file, section [basic]: keys ak,
// sk and security_token (AK/SK credentials), idp_id and id_token_file
// (federated ID-token credentials, which win over ak and sk as in the
// vendor's SDK), project_id and iam_endpoint. An empty path means
// HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials; a
// missing default file is not an error, a missing named file is.
func WithCredentialsFile(path string) Option {
	return option(func(c *config) error {
		c.src.file = true
		c.src.filePath = path
		return nil
	})
}

// WithDefaultConfig fills whatever the other options leave unset from, in
// this order, the environment (as WithEnv), the credentials file (as
// WithCredentialsFile("")) and, when neither supplied credentials, the ECS
// metadata service: the instance's temporary keys, and its project id and
// region from meta_data.json. The metadata service is
// DefaultMetadataEndpoint unless HUAWEICLOUD_SDK_METADATA_ENDPOINT names
// another; NewClient gives it DefaultConfigMetadataTimeout in all, so off
// an ECS instance it fails quickly with a *ConfigError naming every source
// tried.
func WithDefaultConfig() Option {
	return option(func(c *config) error {
		c.fromEnv = true
		c.src.file = true
		c.src.filePath = ""
		c.src.metadata = true
		return nil
	})
}

// WithIAMEndpoint sets IAM's base URL for the calls the client makes to
// IAM itself (the project id lookup, the ID-token exchange of
// HUAWEICLOUD_SDK_IDP_ID); a value without a scheme gets https://. It wins
// over HUAWEICLOUD_SDK_IAM_ENDPOINT and the file's iam_endpoint; the
// default is https://iam.{region}.myhuaweicloud.com.
func WithIAMEndpoint(baseURL string) Option {
	return option(func(c *config) error {
		ep := iamEndpointURL(baseURL)
		if _, err := checkIAMEndpoint("iamEndpoint", ep); err != nil {
			return err
		}
		c.src.iamEndpoint = ep
		return nil
	})
}

// iamEndpointURL gives a value without a scheme https://, as the vendor
// does.
func iamEndpointURL(v string) string {
	v = strings.TrimSpace(v)
	if v != "" && !strings.Contains(v, "://") {
		return "https://" + v
	}
	return v
}

// checkIAMEndpoint checks an IAM base URL: plain http only to loopback, as
// passwords, ID tokens and security tokens travel to it.
func checkIAMEndpoint(field, raw string) (string, error) {
	origin, prefix, err := parseEndpoint(field, raw)
	if err != nil {
		return "", err
	}
	if u, _ := url.Parse(origin); u.Scheme == "http" && !credLoopback(u.Hostname()) {
		return "", invalid(field, "plain http is accepted for loopback addresses only: credentials must not travel unencrypted")
	}
	return origin + prefix, nil
}

// setting is one value from a source, with where it came from.
type setting struct {
	value string
	from  string // the variable or file key, for error messages
}

func (s setting) set() bool { return s.value != "" }

// layer is what one configuration source supplies.
type layer struct {
	name                         string // "the environment", "credentials file PATH"
	projectID, region, endpoint  setting
	iamEndpoint                  setting
	ak, sk, securityToken, token setting
	idpID, idTokenFile           setting
	credentialsProvider          CredentialsProvider // the metadata service's
	credentialsFrom              string
}

// resolve fills cfg from the sources the options asked for and checks
// that what NewClient needs is there. Every error is a *ConfigError.
func (c *config) resolve() error {
	var tried []string
	var layers []*layer
	if c.fromEnv {
		layers = append(layers, c.envLayer())
		tried = append(tried, "the environment")
	}
	if c.src.file {
		l, note, err := c.fileLayer()
		if err != nil {
			return err
		}
		if l != nil {
			layers = append(layers, l)
		}
		tried = append(tried, note)
	}
	pending := &pendingCreds{}
	for _, l := range layers {
		if err := c.fill(l, pending); err != nil {
			return err
		}
	}
	if c.src.metadata && len(c.credentialKind) == 0 && pending.kind == "" {
		l, note := c.metadataLayer()
		tried = append(tried, note)
		if l != nil {
			if err := c.fill(l, pending); err != nil {
				return err
			}
		}
	}
	if c.fromEnv && c.endpoint == "" && c.region != "" {
		// The vendor's per-region override also applies to a region
		// that came from an option or the metadata service.
		if err := c.applyRegionOverride(); err != nil {
			return err
		}
	}
	if err := c.buildPendingCreds(pending); err != nil {
		return err
	}
	return c.check(tried)
}

// pendingCreds are credentials chosen from a source but built only once
// every source has been read (an ID-token source needs the project id).
type pendingCreds struct {
	kind               string // "idtoken"
	idpID, idTokenFile setting
}

// fill copies into c what l supplies and c does not have yet.
func (c *config) fill(l *layer, p *pendingCreds) error {
	apply := func(s setting, opt func(string) Option) error {
		if err := opt(s.value).apply(c); err != nil {
			return fromSource(err, s.from)
		}
		return nil
	}
	if c.projectID == "" && l.projectID.set() {
		if err := apply(l.projectID, WithProjectID); err != nil {
			return err
		}
	}
	if c.region == "" && l.region.set() {
		if err := apply(l.region, WithRegion); err != nil {
			return err
		}
	}
	if c.endpoint == "" && l.endpoint.set() {
		if err := apply(l.endpoint, WithEndpoint); err != nil {
			return err
		}
	}
	if c.src.iamEndpoint == "" && l.iamEndpoint.set() {
		ep := iamEndpointURL(l.iamEndpoint.value)
		if _, err := checkIAMEndpoint("iamEndpoint", ep); err != nil {
			return fromSource(err, l.iamEndpoint.from)
		}
		c.src.iamEndpoint = ep
	}
	if len(c.credentialKind) > 0 || p.kind != "" {
		return nil
	}
	// The vendor's order: an identity provider and token file win over
	// AK/SK; our own token variable comes last.
	switch {
	case l.idpID.set() && l.idTokenFile.set():
		p.kind, p.idpID, p.idTokenFile = "idtoken", l.idpID, l.idTokenFile
	case l.idpID.set() != l.idTokenFile.set():
		if l.idpID.set() {
			return missing("incomplete ID-token credentials in "+l.name, l.idTokenFile.from)
		}
		return missing("incomplete ID-token credentials in "+l.name, l.idpID.from)
	case l.ak.set() && l.sk.set():
		if err := apply(l.ak, func(ak string) Option { return WithAccessKey(ak, l.sk.value) }); err != nil {
			return err
		}
		if l.securityToken.set() && c.securityToken == "" {
			if err := apply(l.securityToken, WithSecurityToken); err != nil {
				return err
			}
		}
	case l.ak.set() != l.sk.set():
		if l.ak.set() {
			return missing("incomplete AK/SK credentials in "+l.name, l.sk.from)
		}
		return missing("incomplete AK/SK credentials in "+l.name, l.ak.from)
	case l.token.set():
		if err := apply(l.token, WithToken); err != nil {
			return err
		}
	case l.credentialsProvider != nil:
		c.credsProvider = l.credentialsProvider
		c.credentialKind = append(c.credentialKind, l.credentialsFrom)
	}
	return nil
}

// fromSource names the variable or file key a malformed value came from,
// keeping the *ValidationError.
func fromSource(err error, from string) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve = &ValidationError{Field: ve.Field + " (from " + from + ")", Reason: ve.Reason}
		return &ConfigError{Reason: strings.TrimPrefix(ve.Error(), "workspace: "), err: ve}
	}
	return asConfigError(err)
}

// buildPendingCreds creates the ID-token source chosen from a source.
func (c *config) buildPendingCreds(p *pendingCreds) error {
	if p.kind != "idtoken" {
		return nil
	}
	if c.projectID == "" {
		return missing("ID-token credentials ("+p.idpID.from+") need a project id", c.projectIDNames()...)
	}
	ts, err := NewIDTokenSource(IDTokenConfig{
		IdPID:      p.idpID.value,
		TokenFile:  p.idTokenFile.value,
		ProjectID:  c.projectID,
		Region:     c.region,
		Endpoint:   c.src.iamEndpoint,
		HTTPClient: c.httpClient,
	})
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) && ce.Missing != nil && (c.region == "" && c.src.iamEndpoint == "") {
			return missing("ID-token credentials ("+p.idpID.from+") need IAM's endpoint or a region",
				"WithRegion", "WithIAMEndpoint", EnvRegion, EnvIAMEndpoint)
		}
		return err
	}
	c.tokenSource = ts
	c.credentialKind = append(c.credentialKind, p.idpID.from)
	return nil
}

// applyRegionOverride reads HUAWEICLOUD_SDK_REGION_WORKSPACE_{REGION}.
func (c *config) applyRegionOverride() error {
	name := regionEndpointVar(c.region)
	v, _ := c.lookupEnv(name)
	first := firstEndpoint(v)
	if first == "" {
		return nil
	}
	if err := WithEndpoint(first).apply(c); err != nil {
		return fromSource(err, name)
	}
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

// regionEndpointVar is the vendor's endpoint variable for Workspace in
// region.
func regionEndpointVar(region string) string {
	return EnvRegionEndpointPrefix + "WORKSPACE_" + strings.ToUpper(strings.ReplaceAll(region, "-", "_"))
}

// check reports what is still missing once every source has been read.
func (c *config) check(tried []string) error {
	var groups []missingGroup
	if len(c.credentialKind) > 1 {
		return &ConfigError{Reason: "more than one kind of credentials: " + strings.Join(c.credentialKind, ", ")}
	}
	if c.securityToken != "" && c.accessKey == "" && len(c.credentialKind) > 0 {
		return &ConfigError{Reason: "WithSecurityToken goes with WithAccessKey"}
	}
	if len(c.credentialKind) == 0 {
		names := []string{"WithAccessKey", "WithToken", "WithTokenSource", "WithCredentialsProvider"}
		if c.fromEnv {
			names = append(names, EnvAccessKey+" and "+EnvSecretKey, EnvIdPID+" and "+EnvIDTokenFile, EnvToken)
		}
		if c.src.file {
			names = append(names, "ak and sk in the credentials file", "idp_id and id_token_file in the credentials file")
		}
		groups = append(groups, missingGroup{"no credentials", names})
	}
	if c.endpoint == "" && c.region == "" {
		names := []string{"WithRegion", "WithEndpoint"}
		if c.fromEnv {
			names = append(names, EnvRegion, EnvEndpoint)
		}
		groups = append(groups, missingGroup{"no endpoint or region", names})
	}
	if c.projectID == "" && !c.canLookUpProject() {
		groups = append(groups, missingGroup{"no project id", c.projectIDNames()})
	}
	if len(groups) == 0 {
		return nil
	}
	var reasons, names []string
	for _, g := range groups {
		reasons = append(reasons, g.reason)
		names = append(names, g.names...)
	}
	reason := strings.Join(reasons, ", ")
	if len(tried) > 0 {
		reason += "; tried " + strings.Join(tried, ", ")
	}
	ce := missing(reason, names...)
	ce.groups = groups
	if len(c.credentialKind) == 0 && len(groups) == 1 {
		ce.err = errNoCredentials
	}
	return ce
}

// projectIDNames are what would supply a project id.
func (c *config) projectIDNames() []string {
	names := []string{"WithProjectID"}
	if c.fromEnv {
		names = append(names, EnvProjectID)
	}
	if c.src.file {
		names = append(names, "project_id in the credentials file")
	}
	if c.region == "" && c.signs() {
		names = append(names, "WithRegion (to look the project id up)")
	}
	return names
}

// signs reports whether the client signs with AK/SK.
func (c *config) signs() bool {
	return len(c.credentialKind) == 1 && (c.accessKey != "" || c.credsProvider != nil)
}

// canLookUpProject reports whether the project id can be looked up at IAM
// on the first call: AK/SK credentials and a region.
func (c *config) canLookUpProject() bool { return c.signs() && c.region != "" }

// iamEndpointFor returns IAM's base URL for region.
func (c *config) iamEndpointFor() string {
	if c.src.iamEndpoint != "" {
		return c.src.iamEndpoint
	}
	return "https://iam." + c.region + ".myhuaweicloud.com"
}

// envLayer reads the environment.
func (c *config) envLayer() *layer {
	get := func(name string) setting {
		v, _ := c.lookupEnv(name)
		return setting{value: strings.TrimSpace(v), from: name}
	}
	l := &layer{
		name:          "the environment",
		projectID:     get(EnvProjectID),
		region:        get(EnvRegion),
		iamEndpoint:   get(EnvIAMEndpoint),
		ak:            get(EnvAccessKey),
		sk:            get(EnvSecretKey),
		securityToken: get(EnvSecurityToken),
		token:         get(EnvToken),
		idpID:         get(EnvIdPID),
		idTokenFile:   get(EnvIDTokenFile),
	}
	// The endpoint: the vendor's per-region variable (for an explicit
	// region, else the environment's) wins over ours, which only fills
	// in where no region was given.
	region := c.region
	if region == "" && regionPattern.MatchString(l.region.value) {
		region = l.region.value
	}
	if region != "" {
		if s := get(regionEndpointVar(region)); s.set() {
			l.endpoint = setting{value: firstEndpoint(s.value), from: s.from}
		}
	}
	if !l.endpoint.set() && c.region == "" {
		l.endpoint = get(EnvEndpoint)
	}
	return l
}

// fileLayer reads the credentials file, if there is one to read. note
// says what was tried, for the error of a configuration still incomplete.
func (c *config) fileLayer() (l *layer, note string, err error) {
	path, named := c.src.filePath, c.src.filePath != ""
	if !named {
		if v, _ := c.lookupEnv(EnvCredentialsFile); strings.TrimSpace(v) != "" {
			path, named = strings.TrimSpace(v), true
		}
	}
	if !named {
		home := c.src.homeDir
		if home == nil {
			home = os.UserHomeDir
		}
		dir, herr := home()
		if herr != nil || dir == "" {
			return nil, "the default credentials file (no home directory)", nil
		}
		path = dir + string(os.PathSeparator) + ".huaweicloud" + string(os.PathSeparator) + "credentials"
	}
	kv, err := readCredentialsFile(path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !named:
		return nil, "the credentials file " + path + " (not found)", nil
	default:
		return nil, "", err
	}
	key := func(k string) setting { return setting{value: kv[k], from: k + " in " + path} }
	l = &layer{
		name:          "the credentials file " + path,
		projectID:     key("project_id"),
		iamEndpoint:   key("iam_endpoint"),
		ak:            key("ak"),
		sk:            key("sk"),
		securityToken: key("security_token"),
		idpID:         key("idp_id"),
		idTokenFile:   key("id_token_file"),
	}
	return l, "the credentials file " + path, nil
}

// metadataLayer asks the ECS metadata service for the instance's project
// id and region and its temporary keys, within the configured bound. A
// nil layer means the service did not answer; note says why.
func (c *config) metadataLayer() (*layer, string) {
	endpoint := defaultConfigMetadataEndpoint
	if v, _ := c.lookupEnv(EnvMetadataEndpoint); strings.TrimSpace(v) != "" {
		endpoint = strings.TrimSpace(v)
	}
	note := "the ECS metadata service at " + shownURL(endpoint)
	p, err := NewMetadataCredentialsProvider(MetadataConfig{Endpoint: endpoint, HTTPClient: c.httpClient})
	if err != nil {
		return nil, note + " (" + strings.TrimPrefix(err.Error(), "workspace: ") + ")"
	}
	bound := c.src.metaTimeout
	if bound <= 0 {
		bound = DefaultConfigMetadataTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	info, err := p.st().md.instanceInfo(ctx)
	if err != nil {
		return nil, note + " (" + metadataFailure(ctx, bound, err) + ")"
	}
	if _, err := p.Credentials(ctx); err != nil {
		return nil, note + " (" + metadataFailure(ctx, bound, err) + ")"
	}
	return &layer{
		name:                "the ECS metadata service",
		projectID:           setting{value: info.ProjectID, from: "project_id of " + endpoint + metadataInfoPath},
		region:              setting{value: info.RegionID, from: "region_id of " + endpoint + metadataInfoPath},
		credentialsProvider: p,
		credentialsFrom:     "the ECS metadata service",
	}, note
}

// metadataFailure says briefly why the metadata service gave nothing.
func metadataFailure(ctx context.Context, bound time.Duration, err error) string {
	if ctx.Err() != nil {
		return "no answer within " + bound.String()
	}
	return strings.TrimPrefix(err.Error(), "workspace: ")
}
