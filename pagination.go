package workspace

import (
	"context"
	"fmt"
	"iter"
)

// maxListPages bounds the pages one All call fetches: 10,000 pages is ten
// million snapshots at the largest limit, beyond any real project, and a
// server that ignores offset and claims a huge total_count is stopped
// there with an error.
const maxListPages = 10000

// paginate yields the items of consecutive pages from start on, fetched by
// fetch(offset) with pages of limit items. It stops at total_count, at a
// short page or at an empty page (so a server that lies about total_count
// cannot make it loop; one that says 0 gets one page), on break, or after
// yielding an error once as (zero, err). A lying server is also bounded:
// no more pages than the first page's total_count implies (a total that
// grows does not count), and no more than maxListPages (an error). The
// context is checked before every page. Only one page is held at a time,
// and each call of the returned function starts over at start.
func paginate[T any](ctx context.Context, start, limit int, fetch func(offset int) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		offset := start
		firstTotal := -1
		for pages := 0; ; pages++ {
			if pages == maxListPages {
				yield(zero, fmt.Errorf("workspace: listing stopped after %d pages at offset %d: the server's total_count is not to be believed", maxListPages, offset))
				return
			}
			if ctx != nil {
				if err := ctx.Err(); err != nil {
					yield(zero, fmt.Errorf("workspace: listing stopped at offset %d: %w", offset, err))
					return
				}
			}
			page, err := fetch(offset)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if firstTotal < 0 {
				firstTotal = page.TotalCount
			}
			n := len(page.Items)
			offset += n
			if n == 0 || n < limit || offset >= page.TotalCount || offset >= firstTotal {
				return
			}
		}
	}
}
