// Package compat holds the compatibility tests of workspace-go against an
// independent client of the same API: the vendor's generated Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3, services/workspace/v2).
//
// It is a module of its own, so the vendor SDK never enters the library's
// go.mod. The tests run the vendor client against workspacetest (the fake
// must serve it as the real gateway would) and both clients against a
// recording server (their wire forms must agree, but for the differences
// listed and pinned in wire_test.go). Run them with `make compat`.
//
// Nothing here reaches the network beyond loopback: the vendor client is
// given its endpoint and project id, so it never looks up a region or a
// project at IAM, and its transport refuses any other address.
package compat
