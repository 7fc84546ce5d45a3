// Command delete-message is the Lambda of POST /delete-message.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("delete-message") }
