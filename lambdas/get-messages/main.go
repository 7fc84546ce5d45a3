// Command get-messages is the Lambda of GET /get-messages.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("get-messages") }
