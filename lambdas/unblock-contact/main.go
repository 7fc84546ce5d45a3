// Command unblock-contact is the Lambda of POST /unblock-contact.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("unblock-contact") }
