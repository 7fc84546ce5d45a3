// Command ws-connect is the Lambda of the WebSocket API's $connect route.
package main

import (
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
)

func main() { lambdas.StartWebSocket("ws-connect", extra.TokenVerifier) }
