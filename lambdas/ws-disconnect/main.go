// Command ws-disconnect is the Lambda of the WebSocket API's $disconnect route.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.StartWebSocket("ws-disconnect") }
