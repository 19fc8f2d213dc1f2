package workspace

import (
	"context"
	"sync"
)

// chunks splits n items into consecutive chunks of at most size items:
// each chunk is a [from, to) pair of indexes.
func chunks(n, size int) [][2]int {
	if n <= 0 || size <= 0 {
		return nil
	}
	out := make([][2]int, 0, (n+size-1)/size)
	for from := 0; from < n; from += size {
		out = append(out, [2]int{from, min(from+size, n)})
	}
	return out
}

// inParallel runs do(ctx, i) for i in [0, n), at most workers at once, and
// returns once none is running. The first error cancels the context of
// the others and is the one returned (the cancelled ones' errors are not);
// a done ctx stops it from starting more.
func inParallel(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	if n == 1 || workers <= 1 {
		for i := range n {
			if err := do(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, workers)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := do(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err() // the caller's context ended before any chunk failed
	}
	return first
}
