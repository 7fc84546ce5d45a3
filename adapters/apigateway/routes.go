package apigateway

// Route is one REST route of the ChatScape contract. Its Name is both its path
// (without the leading slash) and the name of the Lambda that serves it; the same
// names appear in Terraform's locals.lambdas and as the folders of lambdas/.
type Route struct {
	Name   string
	Method string
}

// Routes lists every REST route Parley serves, in the order of ARCHITECTURE.md.
var Routes = []Route{
	{Name: "add-contact", Method: "POST"},
	{Name: "get-contacts", Method: "GET"},
	{Name: "block-contact", Method: "POST"},
	{Name: "unblock-contact", Method: "POST"},
	{Name: "report-contact", Method: "POST"},
	{Name: "add-message", Method: "POST"},
	{Name: "get-messages", Method: "GET"},
	{Name: "ack", Method: "POST"},
}

// WebSocketRoute is one route of the WebSocket API: Name is the Lambda that
// serves it, Key the API Gateway route key.
type WebSocketRoute struct {
	Name string
	Key  string
}

// WebSocketRoutes lists the routes of the realtime WebSocket API.
var WebSocketRoutes = []WebSocketRoute{
	{Name: "ws-connect", Key: "$connect"},
	{Name: "ws-disconnect", Key: "$disconnect"},
	{Name: "ws-default", Key: "$default"},
}
