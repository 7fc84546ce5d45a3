// Command block-contact is the Lambda of POST /block-contact.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("block-contact") }
