// Package credentials holds the sources of keys and tokens that a
// workspace.Client can be given: IAM password tokens (IAMTokenSource),
// federated OIDC ID tokens exchanged at IAM (IDTokenSource), and the
// temporary AK/SK of an ECS instance from its metadata service
// (MetadataProvider).
//
//	ts, err := credentials.NewIAMTokenSource(credentials.IAMConfig{
//		Region: "ap-southeast-3", UserName: user, Password: workspace.NewSecret(pw),
//		DomainName: account, ProjectID: projectID,
//	})
//	c, err := workspace.NewClient(workspace.WithRegion("ap-southeast-3"),
//		workspace.WithProjectID(projectID), workspace.WithTokenSource(ts))
//
// A constructor checks its configuration and fetches nothing; every error
// it returns is a *workspace.ConfigError. Each source fetches under the
// context of the call that needs it, caches what it got, and fetches anew
// ahead of expiry, one fetch at a time however many goroutines ask; while
// the cached value is still valid a caller waits at most a second for its
// refresh, and a failed refresh leaves it in use. The token sources drop
// a token the API refused with a 401 (workspace.TokenInvalidator), and the
// metadata provider its keys (workspace.CredentialsInvalidator), so that
// the client tries once more with fresh ones.
//
// Their HTTP calls go through the same request pipeline as the API's: the
// same write safety, body bounds and redaction of echoed secrets; a
// refused answer is a *workspace.APIError, a body that does not decode a
// *workspace.DecodeError. No configuration type or source prints a
// password, a token or a URL's user information by any fmt verb,
// json.Marshal or slog.
//
// Package config builds these sources from the configuration a program
// already has: the environment, the credentials file, the ECS metadata
// service.
package credentials
