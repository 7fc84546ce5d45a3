// Command add-contact is the Lambda of POST /add-contact.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("add-contact") }
