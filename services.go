package workspace

// Services bundles the four service interfaces, for code that needs more
// than one service and wants to be tested without HTTP. In production
// pass client.Services(); in a test, a Services with fakes for the
// services the code calls (nil for the others):
//
//	func report(ctx context.Context, api workspace.Services) error { ... }
//
//	report(ctx, c.Services())                                     // production
//	report(ctx, workspace.Services{Snapshots: &fakeSnapshots{}})   // test
type Services struct {
	DesktopPools DesktopPoolsAPI // a *DesktopPoolsService, or a fake
	Desktops     DesktopsAPI     // a *DesktopsService, or a fake
	Snapshots    SnapshotsAPI    // a *SnapshotsService, or a fake
	Jobs         JobsAPI         // a *JobsService, or a fake
}

// Services returns the client's four services as the interfaces of a
// Services value.
func (c *Client) Services() Services {
	return Services{
		DesktopPools: c.DesktopPools,
		Desktops:     c.Desktops,
		Snapshots:    c.Snapshots,
		Jobs:         c.Jobs,
	}
}
