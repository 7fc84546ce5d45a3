// Command ws-default is the Lambda of the WebSocket API's $default route.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.StartWebSocket("ws-default") }
