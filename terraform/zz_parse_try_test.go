package terraform_test

import "testing"

func TestZZMeet(t *testing.T) {
	for _, c := range []struct {
		f, r string
		want bool
	}{
		{"arn:${Partition}:lambda:${Region}:${Account}:event-source-mapping:${UUID}", "arn:aws:lambda:eu:1:function:parley-*", false},
		{"arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}", "arn:aws:lambda:eu:1:function:parley-*", true},
		{"arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}", "*", true},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b-*/*", true},
		{"arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::b-*/*", false},
		{"arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}", "arn:aws:logs:r:1:log-group:/aws/lambda/x-*:*", true},
		{"arn:${Partition}:cloudfront::${Account}:distribution/${DistributionId}", "arn:aws:cloudfront::1:origin-access-control/*", false},
	} {
		if got := arnPatternsMeet(c.f, c.r); got != c.want {
			t.Errorf("%s vs %s: %v", c.f, c.r, got)
		}
	}
}
