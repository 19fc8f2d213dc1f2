package credcall

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/endpoints"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Invalid returns a *workspace.ValidationError for field.
func Invalid(field, format string, args ...any) *workspace.ValidationError {
	return &workspace.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// CheckContext rejects a nil context, as every method of the SDK does.
func CheckContext(ctx context.Context) error {
	if ctx == nil {
		return Invalid("ctx", "must not be nil")
	}
	return nil
}

// Missing returns a *workspace.ConfigError for something no source
// supplied; names would each supply it.
func Missing(reason string, names ...string) *workspace.ConfigError {
	return &workspace.ConfigError{Reason: reason, Missing: names}
}

// AsConfigError turns an error of a credential constructor into a
// *workspace.ConfigError, keeping it as the cause; an empty required
// field of the constructor's cfg ("cfg.UserName") is named in Missing too.
// A nil error stays nil; a *ConfigError is returned as it is.
func AsConfigError(err error) error {
	if err == nil {
		return nil
	}
	var ce *workspace.ConfigError
	if errors.As(err, &ce) {
		return err
	}
	out := &workspace.ConfigError{Reason: strings.TrimPrefix(err.Error(), "workspace: "), Err: err}
	var ve *workspace.ValidationError
	if errors.As(err, &ve) && ve.Reason == "must not be empty" && strings.HasPrefix(ve.Field, "cfg.") {
		out.Missing = []string{ve.Field}
	}
	return out
}

// ParseEndpoint checks a base URL (see pipeline.ParseEndpoint); field
// names the setting in the *workspace.ValidationError.
func ParseEndpoint(field, raw string) (origin, prefix string, err error) {
	origin, prefix, problem := pipeline.ParseEndpoint(raw)
	if problem != "" {
		return "", "", Invalid(field, "%s", problem)
	}
	return origin, prefix, nil
}

// IAMEndpoint returns IAM's base URL: endpoint where one is given (a value
// without a scheme gets https://, as the vendor's SDK does), else the
// region's. Plain http is accepted for loopback addresses only, as
// passwords, ID tokens and security tokens travel to it. field and
// regionField name the settings in errors.
func IAMEndpoint(field, endpoint, regionField, region string) (string, error) {
	endpoint = strings.TrimSpace(endpoint)
	if endpoint == "" {
		if !endpoints.ValidRegion(region) {
			return "", Invalid(regionField, "%q is not a region name such as ap-southeast-3 (or set %s)", pipeline.Clip(region), field)
		}
		endpoint = endpoints.IAM(region)
	} else if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	origin, prefix, err := ParseEndpoint(field, endpoint)
	if err != nil {
		return "", err
	}
	if u, _ := url.Parse(origin); u.Scheme == "http" && !Loopback(u.Hostname()) {
		return "", Invalid(field, "plain http is accepted for loopback addresses only: credentials must not travel unencrypted")
	}
	return origin + prefix, nil
}

// WrapConfigError is deferred by the credential constructors so that each
// of their errors is a *workspace.ConfigError.
func WrapConfigError(err *error) { *err = AsConfigError(*err) }
