// Command push-key is the Lambda of GET /push-key.
package main

import (
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
)

func main() { lambdas.Start("push-key", extra.PushKey) }
