// Command notify is the Lambda the table stream invokes with new messages:
// it notifies each recipient's subscribed devices with Web Push.
package main

import "github.com/parley-chat/parley/lambdas/extra/stream"

func main() { stream.StartNotify() }
