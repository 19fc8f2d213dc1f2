// Package endpoints builds the URLs of a region's services, in one place:
// Workspace's (for the client) and IAM's (for the token sources and the
// project lookup).
package endpoints

import "regexp"

var regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidRegion reports whether region is shaped like a region name such as
// ap-southeast-3: lower-case letters and digits in dash-separated parts,
// 63 bytes at the most (it is one label of the endpoint's host name, and a
// longer one can never resolve). Whether the region exists is for DNS to
// say.
func ValidRegion(region string) bool {
	return len(region) <= maxRegion && regionPattern.MatchString(region)
}

// maxRegion is the longest DNS label.
const maxRegion = 63

// Workspace is the Workspace API's endpoint in region.
func Workspace(region string) string { return "https://workspace." + region + ".myhuaweicloud.com" }

// IAM is IAM's endpoint in region: never a global default, so that a token
// is asked for where the project lives.
func IAM(region string) string { return "https://iam." + region + ".myhuaweicloud.com" }
