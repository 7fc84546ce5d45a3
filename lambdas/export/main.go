// Command export is the Lambda of POST /export.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("export") }
