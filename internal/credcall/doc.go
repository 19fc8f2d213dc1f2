// Package credcall is what the credentials and config packages share: the
// calls to IAM and the ECS metadata service, sent through the same request
// pipeline as the API's (internal/pipeline) and answered with the root
// package's error types; IAM's endpoint, built in one place; the checks and
// errors of their configuration; and the opening of a configuration file.
//
// It imports the root package (for *workspace.APIError, *DecodeError,
// *ConfigError and *ValidationError); the root never imports it.
package credcall
