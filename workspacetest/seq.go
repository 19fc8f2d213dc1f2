package workspacetest

import "iter"

// Seq returns the iter.Seq2 that an All method of the workspace services
// returns, made from a slice: it yields each item with a nil error and
// then, if err is not nil, a zero item with err once, as All does when a
// page fails. It stops early when the loop breaks, and can be ranged over
// more than once. A hand-written fake writes its All in one line:
//
//	func (f *fakeSnapshots) All(ctx context.Context, opts *workspace.ListSnapshotsOptions) iter.Seq2[workspace.Snapshot, error] {
//		return workspacetest.Seq(f.items, f.err)
//	}
func Seq[T any](items []T, err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}
