// Command report-contact is the Lambda of POST /report-contact.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("report-contact") }
