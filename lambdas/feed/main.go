// Command feed is the Lambda the table stream invokes with new posts: it
// publishes each touched channel's snapshot to S3 for CloudFront.
package main

import "github.com/parley-chat/parley/lambdas/extra/stream"

func main() { stream.StartFeed() }
