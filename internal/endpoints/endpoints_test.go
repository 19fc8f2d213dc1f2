package endpoints

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidRegion(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]bool{
		"ap-southeast-3": true, "cn-north-4": true, "eu-west-101": true, "la-north-2": true,
		"": false, "AP-SOUTHEAST-3": false, "ap_southeast_3": false, "-ap": false, "ap-": false,
		"ap--x": false, "ap.southeast": false, "ap/southeast": false, "evil.example.com#": false,
		strings.Repeat("a", 63): true, strings.Repeat("a", 64): false, strings.Repeat("ap-", 1<<18) + "x": false,
		"ap-southeast-3\nx": false,
	} {
		assert.Equal(t, want, ValidRegion(region), "%q", region)
	}
}

func TestURLs(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://workspace.ap-southeast-3.myhuaweicloud.com", Workspace("ap-southeast-3"))
	assert.Equal(t, "https://iam.ap-southeast-3.myhuaweicloud.com", IAM("ap-southeast-3"))
}
