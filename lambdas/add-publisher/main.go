// Command add-publisher is the Lambda of POST /add-publisher.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("add-publisher") }
