// Command ack is the Lambda of POST /ack.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("ack") }
