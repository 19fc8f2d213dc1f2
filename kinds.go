package workspace

// Disk types of a pool's data disks (VolumeInfo.Type), as the API names
// them; a region may offer others (ESSD, ...), and any string is sent as
// given.
const (
	VolumeTypeSAS   = "SAS"   // high I/O
	VolumeTypeSSD   = "SSD"   // ultra-high I/O
	VolumeTypeGPSSD = "GPSSD" // general-purpose SSD
	VolumeTypeSATA  = "SATA"  // common I/O
)

// Image types (DesktopImageInfo.ImageType).
const (
	ImageTypeGold    = "gold"    // a public image of the service
	ImageTypePrivate = "private" // an image of the account
	ImageTypeShared  = "shared"  // an image shared with the account
	ImageTypeMarket  = "market"  // a marketplace image
)

// Operating system types of an image (DesktopImageInfo.OSType).
const (
	OSTypeWindows = "Windows"
	OSTypeLinux   = "Linux"
	OSTypeOther   = "Other"
)
