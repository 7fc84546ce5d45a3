// Command get-contacts is the Lambda of GET /get-contacts.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("get-contacts") }
