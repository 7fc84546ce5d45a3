// Command post-to-channel is the Lambda of POST /post-to-channel.
package main

import "github.com/parley-chat/parley/lambdas"

func main() { lambdas.Start("post-to-channel") }
