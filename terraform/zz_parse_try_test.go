package terraform_test

import (
	"fmt"
	"testing"
)

func TestZZParse(t *testing.T) {
	t.Setenv(requestsDirEnv, "/tmp/iam-sample")
	for _, r := range mustRecordedRequests(t) {
		fmt.Printf("%s\t%s\t%s\t%s\t%s\t%.150s\n", r.Phase, r.Key(), r.Method, r.URL.Path, r.Resource, r.Body)
	}
}
