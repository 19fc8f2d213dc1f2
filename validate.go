package workspace

import (
	"context"
	"fmt"
	"strings"
)

// checkContext rejects a nil context, which would otherwise panic deep in
// net/http.
func checkContext(ctx context.Context) error {
	if ctx == nil {
		return invalid("ctx", "must not be nil")
	}
	return nil
}

// checkID rejects an empty or blank id.
func checkID(field, id string) error {
	if strings.TrimSpace(id) == "" {
		return invalid(field, "must not be empty")
	}
	return nil
}

// checkPage checks an offset and a limit against the operation's maximum.
func checkPage(offset, limit, maxLimit int) error {
	if offset < 0 {
		return invalid("opts.Offset", "must not be negative, got %d", offset)
	}
	if limit < 0 || limit > maxLimit {
		return invalid("opts.Limit", "must be between 0 (not sent) and %d, got %d", maxLimit, limit)
	}
	return nil
}

// checkHeaderValue refuses a value bound for a request header that holds a
// control character other than tab (CR, LF and NUL among them): it would
// break the header, or smuggle another one in. The value is not shown.
func checkHeaderValue(field, v string) error {
	if !validHeaderValue(v) {
		return invalid(field, "must not contain control characters such as CR, LF or NUL")
	}
	return nil
}

// validHeaderValue reports whether v has no control character but tab:
// the one header check of every value the SDK or an observer sends.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// validate checks one volume of a batch-delete, field naming it
// ("req.Volumes[2]"). A volume is named by its ID (the API's current
// revision), or described by a Type and a Size (the earlier revision), or
// both. A Type or a Size given at all must come with the other and be
// valid, whether or not there is an ID.
func (v *VolumeInfo) validate(field string) error {
	if v.ID != "" && strings.TrimSpace(v.ID) == "" {
		return invalid(field+".ID", "must not be blank")
	}
	if v.Type == "" && v.Size == 0 {
		if v.ID == "" {
			return invalid(field, "needs an ID, or a Type and a Size")
		}
		return nil
	}
	if strings.TrimSpace(v.Type) == "" {
		return invalid(field+".Type", "must not be empty when a Size is given")
	}
	if v.Size < MinVolumeSizeGB || v.Size > MaxVolumeSizeGB {
		return invalid(field+".Size", "must be between %d and %d GB with a Type, got %d", MinVolumeSizeGB, MaxVolumeSizeGB, v.Size)
	}
	return nil
}

// checkIDs checks each id of a list, naming it field[i].
func checkIDs(field string, ids []string) error {
	for i, id := range ids {
		if err := checkID(fmt.Sprintf("%s[%d]", field, i), id); err != nil {
			return err
		}
	}
	return nil
}

// checkSort requires a sort field and a sort type together.
func checkSort(hasField, hasType bool) error {
	if hasField && !hasType {
		return invalid("opts.SortType", "must be set with opts.SortField")
	}
	if hasType && !hasField {
		return invalid("opts.SortField", "must be set with opts.SortType")
	}
	return nil
}

// checkFilters checks the list filters of the desktop lists: at most
// MaxFilterValues values each, none empty.
func checkFilters(userNames, computerNames, desktopIDs []string) error {
	for _, list := range []struct {
		field string
		vals  []string
	}{{"opts.UserNames", userNames}, {"opts.ComputerNames", computerNames}, {"opts.DesktopIDs", desktopIDs}} {
		if n := len(list.vals); n > MaxFilterValues {
			return invalid(list.field, "at most %d values, got %d", MaxFilterValues, n)
		}
		if err := checkIDs(list.field, list.vals); err != nil {
			return err
		}
	}
	return nil
}
