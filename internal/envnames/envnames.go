// Package envnames holds the names of the environment variables that
// configure the SDK: the vendor's own (so that a vendor configuration works
// unchanged) and this SDK's few additions. The config package reads them;
// the root package names them in its errors, so that the error of an empty
// option says which variable would have supplied the value.
package envnames

import "strings"

// The vendor SDK's variables.
const (
	AccessKey       = "HUAWEICLOUD_SDK_AK"
	SecretKey       = "HUAWEICLOUD_SDK_SK"
	SecurityToken   = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
	ProjectID       = "HUAWEICLOUD_SDK_PROJECT_ID"
	Region          = "HUAWEICLOUD_SDK_REGION"
	IAMEndpoint     = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
	IdPID           = "HUAWEICLOUD_SDK_IDP_ID"
	IDTokenFile     = "HUAWEICLOUD_SDK_ID_TOKEN_FILE"
	CredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
)

// This SDK's own variables.
const (
	// Endpoint is the Workspace endpoint for any region; the vendor's
	// per-region variable (RegionEndpoint) wins over it.
	Endpoint = "HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT"
	// Token is a fixed IAM token.
	Token = "HUAWEICLOUD_SDK_TOKEN"
	// MetadataEndpoint points at another ECS metadata service than
	// http://169.254.169.254: a proxy or a test fake.
	MetadataEndpoint = "HUAWEICLOUD_SDK_METADATA_ENDPOINT"
)

// RegionEndpoint is the vendor's endpoint variable for Workspace in region:
// HUAWEICLOUD_SDK_REGION_WORKSPACE_ and the region upper-cased with "-" as
// "_". Its value is a comma-separated list of endpoints, the first used.
func RegionEndpoint(region string) string {
	return "HUAWEICLOUD_SDK_REGION_WORKSPACE_" + strings.ToUpper(strings.ReplaceAll(region, "-", "_"))
}
