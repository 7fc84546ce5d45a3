// Command delete-account is the Lambda of POST /delete-account.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("delete-account") }
