// Command remove-push-subscription is the Lambda of POST /remove-push-subscription.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("remove-push-subscription") }
