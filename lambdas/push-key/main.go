// Command push-key is the Lambda of GET /push-key.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("push-key") }
