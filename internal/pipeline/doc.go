// Package pipeline is the one path every HTTP request of the SDK takes:
// the API's operations, Client.Do, and the calls of the credential
// sources (IAM tokens, the ID-token exchange, the project lookup, the ECS
// metadata service).
//
// It is mechanics that name no type of the workspace package, in three
// steps:
//
//   - Send (send.go) builds the request on the resty client and sends it
//     through the guard, returning the raw answer or a *SendError that says
//     whether the request may have reached the server;
//   - the guard (guard.go), an http.RoundTripper wrapped around whatever
//     transport the client has, keeps a write from being sent twice by any
//     layer below the SDK and counts the transport's own re-sends of a read
//     against the retry policy;
//   - ReadBody and ReadError (answer.go) read an answer within bounds, a
//     body cut off by the connection being a *SendError, and an error body
//     parsed into a plain ErrorInfo with every echoed secret replaced and
//     every text made inert (text.go, redact.go).
//
// The workspace package and the credential sources each make their own
// error types (*workspace.APIError, *workspace.DecodeError) from these.
package pipeline
