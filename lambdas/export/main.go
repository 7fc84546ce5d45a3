// Command export is the Lambda of POST /export.
package main

import (
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
)

func main() { lambdas.Start("export", extra.Exports) }
