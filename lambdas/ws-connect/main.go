// Command ws-connect is the Lambda of the WebSocket API's $connect route.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.StartWebSocket("ws-connect") }
