package apigateway

import "regexp"

// emailLike matches anything shaped like an email address in a log text.
var emailLike = regexp.MustCompile(`[^\s"'<>(),;:\[\]]+@[^\s"'<>(),;:\[\]]+`)

// RedactEmails replaces every email address in s with "[email]". Log lines
// keep no personal data: errors wrap the addresses of the people involved
// ("add message to bob@example.com: ..."), and logs outlive their purpose and
// reach more people than the data they describe. The request ID ties a line
// to its request when someone with access to the data needs to.
func RedactEmails(s string) string {
	return emailLike.ReplaceAllString(s, "[email]")
}
