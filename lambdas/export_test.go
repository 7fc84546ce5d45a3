package lambdas

// IsREST reports whether route is a REST route, for the tests of package
// lambdas_test.
func IsREST(route string) bool { return needsOf(route).rest }

// RefuseEveryToken is the verifier of a WebSocket function that verifies no
// token, for the tests of package lambdas_test.
type RefuseEveryToken = refuseEveryToken
