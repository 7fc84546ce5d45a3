package terraform_test

import (
	"bufio"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requestsDirEnv names the folder where scripts/test-terraform.sh keeps the
// AWS provider's debug log of each phase, aws-<phase>.log: every HTTP request
// the provider sent to AWS (moto) while applying, planning, changing and
// destroying the stack and the bootstrap.
const requestsDirEnv = "PARLEY_TERRAFORM_REQUESTS_DIR"

// awsRequest is one request the AWS provider sent, as its debug log shows it.
type awsRequest struct {
	Phase     string // bootstrap-apply, stack-apply, stack-plan, plan-role, stack-change, stack-destroy, ...
	Service   string // the SDK's service name: "Lambda", "CloudWatch Logs", ...
	Operation string // the API operation: "CreateFunction"
	Method    string
	URL       *url.URL
	Body      string
	Resource  string // the Terraform resource type whose call it is
}

// Key names the operation as operations.json does: "<service>.<operation>".
func (r awsRequest) Key() string { return r.Service + "." + r.Operation }

var (
	logEntryStart = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)
	logField      = func(name string) *regexp.Regexp {
		return regexp.MustCompile(`(?:^|\s)` + regexp.QuoteMeta(name) + `=("(?:[^"\\]|\\.)*"|[^\s]*)`)
	}
	fieldService   = logField("rpc.service")
	fieldOperation = logField("rpc.method")
	fieldMethod    = logField("http.method")
	fieldURL       = logField("http.url")
	fieldBody      = logField("http.request.body")
	fieldResource  = logField("tf_resource_type")
)

// mustRecordedRequests reads every aws-<phase>.log of the folder
// requestsDirEnv names; without it the test skips.
func mustRecordedRequests(tb testing.TB) []awsRequest {
	tb.Helper()
	dir := os.Getenv(requestsDirEnv)
	if dir == "" {
		tb.Skipf("%s is not set: scripts/test-terraform.sh records the provider's requests and runs these checks", requestsDirEnv)
	}
	files, err := filepath.Glob(filepath.Join(dir, "aws-*.log"))
	require.NoError(tb, err)
	require.NotEmpty(tb, files, "no aws-*.log in %s", dir)
	sort.Strings(files)
	var all []awsRequest
	for _, file := range files {
		phase := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "aws-"), ".log")
		all = append(all, mustParseProviderLog(tb, file, phase)...)
	}
	return all
}

// mustParseProviderLog returns the "HTTP Request Sent" entries of a provider
// debug log. An entry is its first line and the lines up to the next
// timestamp; a multi-line value is written "key=" then lines "  | ...".
func mustParseProviderLog(tb testing.TB, file, phase string) []awsRequest {
	tb.Helper()
	f, err := os.Open(file)
	require.NoError(tb, err)
	defer f.Close()
	var requests []awsRequest
	var entry []string
	flush := func() {
		if len(entry) > 0 && strings.Contains(entry[0], "HTTP Request Sent") {
			requests = append(requests, mustParseEntry(tb, entry, phase))
		}
		entry = entry[:0]
	}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if logEntryStart.MatchString(line) {
			flush()
		}
		entry = append(entry, line)
	}
	require.NoError(tb, scanner.Err())
	flush()
	return requests
}

func mustParseEntry(tb testing.TB, lines []string, phase string) awsRequest {
	tb.Helper()
	// Multi-line values: "  http.request.body=" then "  | line" lines.
	var text []string
	var body []string
	inBody := false
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "http.request.body=":
			inBody = true
		case inBody && strings.HasPrefix(trimmed, "|"):
			body = append(body, strings.TrimPrefix(strings.TrimPrefix(trimmed, "|"), " "))
		default:
			if trimmed != "" {
				inBody = false
			}
			text = append(text, line)
		}
	}
	joined := strings.Join(text, " ")
	value := func(re *regexp.Regexp) string {
		m := re.FindStringSubmatch(joined)
		if m == nil {
			return ""
		}
		if strings.HasPrefix(m[1], `"`) {
			unquoted, err := strconv.Unquote(m[1])
			require.NoError(tb, err, "%s", m[1])
			return unquoted
		}
		return m[1]
	}
	r := awsRequest{
		Phase:     phase,
		Service:   value(fieldService),
		Operation: value(fieldOperation),
		Method:    value(fieldMethod),
		Body:      value(fieldBody),
		Resource:  value(fieldResource),
	}
	if len(body) > 0 {
		r.Body = strings.Join(body, "\n")
	}
	u, err := url.Parse(value(fieldURL))
	require.NoError(tb, err)
	r.URL = u
	require.NotEmpty(tb, r.Service, "a request without rpc.service in %s: %s", phase, lines[0])
	require.NotEmpty(tb, r.Operation, "a request without rpc.method in %s: %s", phase, lines[0])
	return r
}

// operationMap is terraform/iam/operations.json: the IAM actions each API
// operation Parley's Terraform calls needs, from AWS's service authorization
// reference.
type operationMap struct {
	Source     []string            `json:"source"`
	Operations map[string][]string `json:"operations"`
	// TagOnCreate is the action a service also authorizes when a create
	// request carries tags.
	TagOnCreate map[string]string `json:"tagOnCreate"`
}

func mustOperationMap(tb testing.TB) operationMap {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("iam", "operations.json"))
	require.NoError(tb, err)
	var m operationMap
	require.NoError(tb, json.Unmarshal(data, &m))
	return m
}

// formValues parses a query-protocol body (IAM, STS, SNS, CloudWatch).
func (r awsRequest) formValues() url.Values {
	v, _ := url.ParseQuery(r.Body)
	return v
}

// jsonField reads a top-level string field of a JSON body. The provider's
// log cuts a long body short ("[truncated...]"): the fields before the cut are
// read from it as they stream.
func (r awsRequest) jsonField(name string) string {
	var body map[string]any
	if json.Unmarshal([]byte(r.Body), &body) == nil {
		s, _ := body[name].(string)
		return s
	}
	decoder := json.NewDecoder(strings.NewReader(r.Body))
	if open, err := decoder.Token(); err != nil || open != json.Delim('{') {
		return ""
	}
	for {
		key, err := decoder.Token()
		if err != nil {
			return ""
		}
		if key != name {
			var skipped json.RawMessage
			if decoder.Decode(&skipped) != nil {
				return ""
			}
			continue
		}
		value, err := decoder.Token()
		if err != nil {
			return ""
		}
		s, _ := value.(string)
		return s
	}
}

// pathAfter returns the unescaped path segment after the segment named
// after ("functions" -> the function's name), or "".
func (r awsRequest) pathAfter(after string) string {
	parts := strings.Split(r.URL.EscapedPath(), "/")
	for i, p := range parts {
		if p == after && i+1 < len(parts) {
			s, err := url.PathUnescape(parts[i+1])
			if err != nil {
				return parts[i+1]
			}
			return s
		}
	}
	return ""
}

// pathRest returns the unescaped rest of the path after the segment named
// after ("tags" -> an ARN with slashes), or "".
func (r awsRequest) pathRest(after string) string {
	escaped := r.URL.EscapedPath()
	i := strings.Index(escaped, "/"+after+"/")
	if i < 0 {
		return ""
	}
	s, err := url.PathUnescape(escaped[i+len(after)+2:])
	if err != nil {
		return ""
	}
	return s
}
