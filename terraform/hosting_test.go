package terraform_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// customDomainPlanJSONEnv names the `terraform show -json` output of a plan
// of the stack with a custom domain (scripts/test-terraform.sh).
const customDomainPlanJSONEnv = "PARLEY_TERRAFORM_CUSTOM_DOMAIN_PLAN_JSON"

// TestContentSecurityPolicyAllowsImagesOnlyFromTheSite: the SPA draws its
// avatars, so the policy names no image host; a browser refuses any other.
func TestContentSecurityPolicyAllowsImagesOnlyFromTheSite(t *testing.T) {
	file, diags := hclparse.NewParser().ParseHCLFile("hosting.tf")
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	var csp *hclsyntax.Attribute
	for _, block := range file.Body.(*hclsyntax.Body).Blocks {
		if attr, ok := block.Body.Attributes["content_security_policy"]; block.Type == "locals" && ok {
			csp = attr
		}
	}
	require.NotNil(t, csp, "hosting.tf defines local.content_security_policy")
	join, ok := csp.Expr.(*hclsyntax.FunctionCallExpr)
	require.True(t, ok && join.Name == "join" && len(join.Args) == 2, "the policy is join(\"; \", [directives])")
	directives, ok := join.Args[1].(*hclsyntax.TupleConsExpr)
	require.True(t, ok)
	var img []string
	for _, expr := range directives.Exprs {
		value, diags := expr.Value(nil)
		if diags.HasErrors() || value.Type() != cty.String {
			continue // a directive built from references, such as connect-src
		}
		if directive := value.AsString(); strings.HasPrefix(directive, "img-src") || strings.HasPrefix(directive, "default-src") {
			img = append(img, directive)
		}
	}
	assert.Equal(t, []string{"default-src 'self'", "img-src 'self' data:"}, img)
	src, err := os.ReadFile("hosting.tf")
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(src)), "gravatar")
}

// TestPlanWithACustomDomain reads the plan of the stack with custom_domain
// and its certificate: CloudFront answers on the domain with that
// certificate and TLS 1.2 at least, and the sign-in returns to it.
func TestPlanWithACustomDomain(t *testing.T) {
	file := os.Getenv(customDomainPlanJSONEnv)
	if file == "" {
		t.Skipf("%s is not set: scripts/test-terraform.sh plans the stack with a custom domain", customDomainPlanJSONEnv)
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var plan struct {
		PlannedValues struct {
			RootModule module `json:"root_module"`
		} `json:"planned_values"`
		Variables map[string]struct{ Value any } `json:"variables"`
	}
	require.NoError(t, json.Unmarshal(data, &plan))
	domain, _ := plan.Variables["custom_domain"].Value.(string)
	certificate, _ := plan.Variables["custom_domain_certificate_arn"].Value.(string)
	require.NotEmpty(t, domain)
	require.NotEmpty(t, certificate)
	planned := state{}
	planned.Values.RootModule = plan.PlannedValues.RootModule

	distributions := planned.ofType("aws_cloudfront_distribution")
	require.Len(t, distributions, 1)
	d := distributions[0]
	assert.Equal(t, []any{domain}, d.Values["aliases"])
	viewer := d.path("viewer_certificate")
	assert.Equal(t, certificate, viewer["acm_certificate_arn"])
	assert.Equal(t, "TLSv1.2_2021", viewer["minimum_protocol_version"])
	assert.Equal(t, "sni-only", viewer["ssl_support_method"])
	assert.Equal(t, false, viewer["cloudfront_default_certificate"])

	// The Lambdas' PARLEY_ALLOWED_ORIGIN and config.json are unknown until the
	// pool exists; the sign-in's URLs are known.
	clients := planned.ofType("aws_cognito_user_pool_client")
	require.Len(t, clients, 1)
	assert.Equal(t, []any{"https://" + domain + "/"}, clients[0].Values["callback_urls"])
	assert.Equal(t, []any{"https://" + domain + "/"}, clients[0].Values["logout_urls"])
}
