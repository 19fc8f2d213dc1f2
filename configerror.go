package workspace

import (
	"errors"
	"strings"
)

// ConfigError is the error of NewClient and of the credential
// constructors (NewIAMTokenSource, NewIDTokenSource,
// NewMetadataCredentialsProvider): the configuration is incomplete or
// wrong. A program tells "nothing configured" from the rest by Missing; a
// malformed value wraps its *ValidationError, which errors.As finds.
type ConfigError struct {
	// Missing names the options, environment variables or file keys that
	// would have supplied what is missing, e.g. "WithProjectID",
	// "HUAWEICLOUD_SDK_PROJECT_ID", "project_id in ~/.huaweicloud/credentials".
	Missing []string
	// Reason says what is wrong, in words.
	Reason string

	err    error          // the cause: a *ValidationError for a malformed value
	groups []missingGroup // Missing by what each part supplies; nil: one group
}

// missingGroup is what is missing for one reason ("no credentials") and
// the names of which any one would supply it.
type missingGroup struct {
	reason string
	names  []string
}

// The limits of a ConfigError printed on one line: more missing names, or
// a longer line, and Error prints one name a line. The length is about
// 120: 132 columns keep on one line the longest error of an empty value
// (WithSecurityToken's, 126 characters), which names two things.
const (
	oneLineMissing = 3
	oneLineLen     = 132
)

// Error says what is wrong and, when something is missing, what would
// supply it: on one line where that is short, else one line for each name
// of Missing (under each thing missing, where several are). It never holds
// a secret.
func (e *ConfigError) Error() string {
	s := "workspace: configuration: " + e.Reason
	if len(e.Missing) == 0 {
		return s
	}
	one := s + " (set " + strings.Join(e.Missing, ", or ") + ")"
	if len(e.Missing) <= oneLineMissing && len(one) <= oneLineLen {
		return one
	}
	var b strings.Builder
	b.WriteString(s)
	groups := e.groups
	if !groupsAre(groups, e.Missing) {
		groups = nil // Missing was changed since: it is what counts
	}
	if len(groups) < 2 {
		b.WriteString("; ")
		writeNames(&b, "  ", e.Missing)
		return b.String()
	}
	for _, g := range groups {
		b.WriteString("\n  " + g.reason + "; ")
		writeNames(&b, "    ", g.names)
	}
	return b.String()
}

// writeNames writes "set one of:" (or "set:", for one name) and then each
// name on a line of its own, after indent and a dash.
func writeNames(b *strings.Builder, indent string, names []string) {
	if len(names) == 1 {
		b.WriteString("set:")
	} else {
		b.WriteString("set one of:")
	}
	for _, n := range names {
		b.WriteString("\n" + indent + "- " + n)
	}
}

// groupsAre reports whether the names of groups, in order, are missing.
func groupsAre(groups []missingGroup, missing []string) bool {
	i := 0
	for _, g := range groups {
		for _, n := range g.names {
			if i >= len(missing) || missing[i] != n {
				return false
			}
			i++
		}
	}
	return i == len(missing)
}

// Unwrap returns the cause, a *ValidationError for a malformed value.
func (e *ConfigError) Unwrap() error { return e.err }

// missing returns a *ConfigError for something no source supplied.
func missing(reason string, names ...string) *ConfigError {
	return &ConfigError{Reason: reason, Missing: names}
}

// emptyValue is the error of an option given an empty value, as
// WithAccessKey(os.Getenv("HUAWEICLOUD_SDK_AK"), ...) is when the variable
// is unset: it names the option and the variable that would supply the
// value, in Reason and in Missing, and keeps the *ValidationError (field,
// "must not be empty") that errors.As found before.
func emptyValue(option, what, field, env string) *ConfigError {
	return &ConfigError{
		Reason:  option + ": the " + what + " is empty",
		Missing: []string{option, env},
		err:     invalid(field, "must not be empty"),
	}
}

// asConfigError turns any error of configuration into a *ConfigError,
// keeping it as the cause. An empty required field is reported in Missing
// too. A nil error stays nil; a *ConfigError is returned as it is.
func asConfigError(err error) error {
	if err == nil {
		return nil
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		return err
	}
	out := &ConfigError{Reason: strings.TrimPrefix(err.Error(), "workspace: "), err: err}
	var ve *ValidationError
	if errors.As(err, &ve) && ve.Reason == "must not be empty" && strings.HasPrefix(ve.Field, "cfg.") {
		out.Missing = []string{ve.Field}
	}
	return out
}

// wrapConfigError is deferred by the credential constructors so that each
// of their errors is a *ConfigError.
func wrapConfigError(err *error) { *err = asConfigError(*err) }
