// Command create-channel is the Lambda of POST /create-channel.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("create-channel") }
