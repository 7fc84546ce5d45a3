// Command delete-post is the Lambda of POST /delete-post.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("delete-post") }
