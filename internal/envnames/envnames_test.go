package envnames

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The vendor's per-region variable: the region upper-cased, "-" as "_".
func TestRegionEndpoint(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3", RegionEndpoint("ap-southeast-3"))
	assert.Equal(t, "HUAWEICLOUD_SDK_REGION_WORKSPACE_EU_WEST_101", RegionEndpoint("eu-west-101"))
}
