package workspace

import (
	"context"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"sync"
)

// maxListPages bounds the pages one All call fetches: 10,000 pages is ten
// million snapshots at the largest limit, beyond any real project, and a
// server that claims a huge total_count is stopped there with an error.
const maxListPages = 10000

// paginate yields the items of consecutive pages from start on, each
// fetched by fetch(ctx, offset) with pages of limit items; idOf names an
// item (nil: items have no id).
//
// It holds up to c's WithConcurrency pages at once, the one being yielded
// included: the first page is fetched alone (its total_count says how far
// the listing goes), then the pages after it are fetched ahead, at
// offsets limit apart, while the one in hand is yielded; they are decoded
// in the order they are yielded, each once its answer and the page before
// it are in hand (answered). Items come in the API's order; an item whose
// id was already yielded (it moved between pages while the listing ran)
// is skipped; an item without an id is always yielded.
//
// It stops at total_count (the first page's, or a later page's that is
// smaller), at a short page or at an empty page, on break, or after
// yielding an error once as (zero, err): a page's error, a page identical
// to the one before it (a server that ignores offset), a done context
// (checked before every page), or maxListPages pages with more to come.
// Whenever it stops, it cancels the pages still in flight and waits for
// them, so no request outlives the range loop. Each call of the returned
// function starts over at start.
func paginate[T any](ctx context.Context, c *Client, start, limit int, fetch func(ctx context.Context, offset int) (*Page[T], error), idOf func(*T) string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if err := checkContext(ctx); err != nil {
			var zero T
			yield(zero, err)
			return
		}
		l := &lister[T]{start: start, limit: max(limit, 1), window: c.concurrency(), fetch: fetch, idOf: idOf,
			seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
		l.run(ctx, yield)
	}
}

// lister is one range over a paginate sequence.
type lister[T any] struct {
	start, limit int
	window       int // pages held at most, the one being yielded included
	fetch        func(ctx context.Context, offset int) (*Page[T], error)
	idOf         func(*T) string

	ctx   context.Context // cancelled when the range ends
	wg    sync.WaitGroup  // the fetches in flight
	ahead []*pageAhead[T] // fetched or being fetched, in order
	// lastDone is closed once the latest page asked for is fetched and
	// decoded: the next page is decoded after that.
	lastDone chan struct{}
	next     int                // the offset of the next page to ask for
	planned  int                // pages asked for, the first included
	total    int                // the first page's total_count: no page is asked for at or past it
	seen     map[idKey]struct{} // the ids yielded
	seeds    [2]maphash.Seed
}

// idKey is an id as the lister remembers it: 128 bits of two seeded
// hashes, not the string, which would keep alive every string of its item
// (the page decoder gives an item's strings one allocation). Two ids that
// differ collide with a chance of about 2^-128 per pair.
type idKey [2]uint64

// pageAhead is a page asked for ahead of the one being yielded.
type pageAhead[T any] struct {
	offset int
	done   chan struct{} // closed once page or err is set
	page   *Page[T]
	err    error
}

// run fetches and yields as paginate says; it returns only once no fetch
// is in flight.
func (l *lister[T]) run(parent context.Context, yield func(T, error) bool) {
	var zero T
	ctx, cancel := context.WithCancel(parent)
	l.ctx = ctx
	defer l.wg.Wait()
	defer cancel()

	if err := parent.Err(); err != nil {
		yield(zero, stoppedAt(l.start, err))
		return
	}
	page, err := l.fetch(ctx, l.start)
	if err != nil {
		yield(zero, err)
		return
	}
	offset := l.start
	l.total, l.planned, l.next = page.TotalCount, 1, l.start+len(page.Items)
	var prev []idKey // the ids of the page before, in order
	for {
		n := len(page.Items)
		more := n > 0 && n >= l.limit && offset+n < page.TotalCount && offset+n < l.total
		ids := l.keys(page)
		if repeats(ids, prev) {
			yield(zero, fmt.Errorf("workspace: listing stopped at offset %d: the page there repeats the page before it, as from a server that ignores offset", offset))
			return
		}
		if more {
			l.fill(1) // the pages after this one, while it is yielded
		}
		if !l.yieldPage(page, ids, yield) || !more {
			return
		}
		prev = ids
		if err := parent.Err(); err != nil {
			yield(zero, stoppedAt(offset+n, err))
			return
		}
		l.fill(0)              // this page is let go
		if len(l.ahead) == 0 { // more, yet nothing planned: the context ended since, or the bound
			if err := l.ctx.Err(); err != nil {
				yield(zero, stoppedAt(offset+n, err))
				return
			}
			yield(zero, fmt.Errorf("workspace: listing stopped after %d pages at offset %d: the server's total_count is not to be believed", maxListPages, offset+n))
			return
		}
		head := l.ahead[0]
		l.ahead[0] = nil // the queue's array must not keep the page once it is let go
		l.ahead = l.ahead[1:]
		<-head.done
		if err := parent.Err(); err != nil {
			yield(zero, stoppedAt(head.offset, err))
			return
		}
		if head.err != nil {
			yield(zero, head.err)
			return
		}
		page, offset = head.page, head.offset
	}
}

// stoppedAt is the error of a listing whose context ended before the page
// at offset.
func stoppedAt(offset int, err error) error {
	return fmt.Errorf("workspace: listing stopped at offset %d: %w", offset, err)
}

// fill asks for pages ahead until held pages (plus the ones ahead) make
// the window, the plan reaches the first page's total_count or
// maxListPages, or the context ends.
func (l *lister[T]) fill(held int) {
	for held+len(l.ahead) < l.window && l.next < l.total && l.planned < maxListPages && l.ctx.Err() == nil {
		p := &pageAhead[T]{offset: l.next, done: make(chan struct{})}
		// The page is decoded once the page before it is: pages that
		// arrive together are decoded in the order they are yielded.
		ctx := l.ctx
		if prev := l.lastDone; prev != nil {
			ctx = withAnswered(ctx, func() {
				select {
				case <-prev:
				case <-l.ctx.Done():
				}
			})
		}
		l.ahead = append(l.ahead, p)
		l.lastDone = p.done
		l.next += l.limit
		l.planned++
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer close(p.done)
			p.page, p.err = l.fetch(ctx, p.offset)
		}()
	}
}

// repeats says whether a page with ids repeats the page before it, with
// prev: the same ids in the same order, not all of them empty.
func repeats(ids, prev []idKey) bool {
	return slices.Equal(ids, prev) && slices.ContainsFunc(ids, func(k idKey) bool { return k != idKey{} })
}

// keys lists the ids of page's items, in order, as idKeys (the zero
// idKey for an item without an id); nil without idOf.
func (l *lister[T]) keys(page *Page[T]) []idKey {
	if l.idOf == nil {
		return nil
	}
	keys := make([]idKey, len(page.Items))
	for i := range page.Items {
		if id := l.idOf(&page.Items[i]); id != "" {
			keys[i] = idKey{maphash.String(l.seeds[0], id), maphash.String(l.seeds[1], id)}
		}
	}
	return keys
}

// yieldPage yields the items of page not yielded before (by id, keys
// being their idKeys); false: the caller stopped.
func (l *lister[T]) yieldPage(page *Page[T], keys []idKey, yield func(T, error) bool) bool {
	for i := range page.Items {
		if keys != nil && keys[i] != (idKey{}) {
			if l.seen == nil {
				l.seen = make(map[idKey]struct{}, max(len(page.Items), min(l.total, 1<<16)))
			}
			n := len(l.seen)
			l.seen[keys[i]] = struct{}{} // one map operation, not a lookup and an insert
			if len(l.seen) == n {
				continue // yielded before
			}
		}
		if !yield(page.Items[i], nil) {
			return false
		}
	}
	return true
}

// The id functions of the All iterators, for paginate.
func idOfPool(p *DesktopPool) string { return p.ID }
func idOfDesktop(d *Desktop) string  { return d.ID }
func idOfSubJob(sj *SubJob) string   { return sj.ID }
