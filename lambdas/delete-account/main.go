// Command delete-account is the Lambda of POST /delete-account.
package main

import (
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
)

func main() { lambdas.Start("delete-account", extra.IdentityDirectory) }
