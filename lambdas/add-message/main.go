// Command add-message is the Lambda of POST /add-message.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("add-message") }
