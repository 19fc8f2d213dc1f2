package workspace

import (
	"context"
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
