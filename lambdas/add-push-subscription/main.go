// Command add-push-subscription is the Lambda of POST /add-push-subscription.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("add-push-subscription") }
