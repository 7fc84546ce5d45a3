package apigateway

// Route is one REST route of the ChatScape contract, with the handler that
// serves it. Its Name is both its path (without the leading slash) and the
// name of the Lambda that serves it.
//
// This table is the one list of routes: the handler map, the local server's
// routes and the Lambda wiring read it, and terraform/terraform_test.go proves
// that Terraform's locals.lambdas and the folders of lambdas/ name exactly
// these (docs/architecture.md, "Where to add things").
type Route struct {
	Name   string
	Method string
	// SendsMessage says that a 201 from this route is a message stored and
	// sent, which the Lambdas count as such.
	SendsMessage bool
	// Pushes says that the route tells WebSocket connections what it
	// changed, so its Lambda builds an @connections client; the pushes of
	// Terraform's local.functions say the same (lambdas/function_test.go).
	Pushes bool
	// DeletesUsers says that the route deletes people's users from the
	// identity provider (Cognito), so its Lambda builds that client; Terraform's
	// local.account_erasers names the same.
	DeletesUsers bool
	// Exports says that the route writes export documents, so its Lambda
	// builds the client of the exports bucket.
	Exports bool
	// ChecksTokenItself says that the route's use case refuses a token issued
	// for a deleted account itself: in the write that spends its send or its
	// frame (core.Charge: add-message, post-to-channel, ack, create-channel and
	// add-publisher), or, for delete-account, by resuming the deletion. Every
	// other route asks core.Service.Authorize, one read: before its work on a
	// route that writes, beside it on a GET, which answers only once both
	// are done.
	ChecksTokenItself bool
	// serve is the route's handler on h.
	serve func(h *Handler) routeFunc
}

// Routes lists every REST route Parley serves, in the order of README.md's API table.
var Routes = []Route{
	{Name: "add-contact", Method: "POST", Pushes: true, serve: func(h *Handler) routeFunc { return h.addContact }},
	{Name: "get-contacts", Method: "GET", serve: func(h *Handler) routeFunc { return h.getContacts }},
	{Name: "block-contact", Method: "POST", Pushes: true, serve: func(h *Handler) routeFunc { return h.changeContact(h.service.BlockContact) }},
	{Name: "unblock-contact", Method: "POST", Pushes: true, serve: func(h *Handler) routeFunc { return h.changeContact(h.service.UnblockContact) }},
	{Name: "report-contact", Method: "POST", serve: func(h *Handler) routeFunc { return h.reportContact }},
	{Name: "add-message", Method: "POST", Pushes: true, SendsMessage: true, ChecksTokenItself: true, serve: func(h *Handler) routeFunc { return h.addMessage }},
	{Name: "get-messages", Method: "GET", serve: func(h *Handler) routeFunc { return h.getMessages }},
	{Name: "ack", Method: "POST", Pushes: true, ChecksTokenItself: true, serve: func(h *Handler) routeFunc { return h.ack }},
	{Name: "create-channel", Method: "POST", ChecksTokenItself: true, serve: func(h *Handler) routeFunc { return h.createChannel }},
	{Name: "add-publisher", Method: "POST", ChecksTokenItself: true, serve: func(h *Handler) routeFunc { return h.addPublisher }},
	{Name: "post-to-channel", Method: "POST", ChecksTokenItself: true, serve: func(h *Handler) routeFunc { return h.postToChannel }},
	{Name: "delete-post", Method: "POST", serve: func(h *Handler) routeFunc { return h.deletePost }},
	{Name: "push-key", Method: "GET", serve: func(h *Handler) routeFunc { return h.pushKey }},
	{Name: "add-push-subscription", Method: "POST", serve: func(h *Handler) routeFunc { return h.addPushSubscription }},
	{Name: "remove-push-subscription", Method: "POST", serve: func(h *Handler) routeFunc { return h.removePushSubscription }},
	{Name: "delete-message", Method: "POST", Pushes: true, serve: func(h *Handler) routeFunc { return h.deleteMessage }},
	{Name: "delete-account", Method: "POST", Pushes: true, ChecksTokenItself: true, DeletesUsers: true, serve: func(h *Handler) routeFunc { return h.deleteAccount }},
	{Name: "export", Method: "POST", Exports: true, serve: func(h *Handler) routeFunc { return h.export }},
}

// WebSocketRoute is one route of the WebSocket API, with its handler: Name is
// the Lambda that serves it, Key the API Gateway route key. Terraform's
// locals.websocket_lambdas names the same (terraform/terraform_test.go).
type WebSocketRoute struct {
	Name string
	Key  string
	// VerifiesTokens says that the route verifies ID tokens, so its Lambda
	// needs the issuer's keys; the others never see a token.
	VerifiesTokens bool
	// Pushes says that the route pushes frames (Route.Pushes).
	Pushes bool
	serve  func(h *WebSocketHandler) webSocketFunc
}

// WebSocketRoutes lists the routes of the realtime WebSocket API.
var WebSocketRoutes = []WebSocketRoute{
	{Name: "ws-connect", Key: "$connect", VerifiesTokens: true, Pushes: true, serve: func(h *WebSocketHandler) webSocketFunc { return h.connect }},
	{Name: "ws-disconnect", Key: "$disconnect", serve: func(h *WebSocketHandler) webSocketFunc { return h.disconnect }},
	{Name: "ws-default", Key: "$default", Pushes: true, serve: func(h *WebSocketHandler) webSocketFunc { return h.frame }},
}
