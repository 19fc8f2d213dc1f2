package workspace

import (
	"context"
	"fmt"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// DesktopsService reaches the desktop operations.
type DesktopsService service

// DesktopsAPI is what DesktopsService does, for users' fakes and mocks.
type DesktopsAPI interface {
	CheckImages(ctx context.Context, desktopIDs []string) ([]DesktopImageInfo, error)
}

var _ DesktopsAPI = (*DesktopsService)(nil)

// Limits of CheckImages.
const (
	MaxCheckImagesDesktops = 500
	MaxDesktopIDLength     = 255
)

// CheckImages reports the image of each desktop whose image still exists;
// a desktop whose image is gone is left out of the answer. It takes 1 to
// 500 ids and, since it changes nothing, is retried like a read.
//
// POST /v2/{project_id}/desktops/check-images
func (s *DesktopsService) CheckImages(ctx context.Context, desktopIDs []string) ([]DesktopImageInfo, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	switch n := len(desktopIDs); {
	case n == 0:
		return nil, invalid("desktopIDs", "must list at least one desktop")
	case n > MaxCheckImagesDesktops:
		return nil, invalid("desktopIDs", "at most %d desktops per call, got %d", MaxCheckImagesDesktops, n)
	}
	for i, id := range desktopIDs {
		field := fmt.Sprintf("desktopIDs[%d]", i)
		if err := checkID(field, id); err != nil {
			return nil, err
		}
		if len(id) > MaxDesktopIDLength {
			return nil, invalid(field, "longer than %d characters", MaxDesktopIDLength)
		}
	}
	body := wire.CheckImagesRequest{DesktopIDs: desktopIDs}
	var w wire.Images
	r := &request{op: opCheckImages, method: "POST", path: "/desktops/check-images", body: body}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	return imagesFromWire(w.ImageInfos), nil
}
