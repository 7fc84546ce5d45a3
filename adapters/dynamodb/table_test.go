package dynamodb

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

// terraformTable is the file that declares the table in AWS.
var terraformTable = filepath.Join("..", "..", "terraform", "dynamodb.tf")

// TestTerraformDeclaresTheTableCreateTableMakes holds terraform/dynamodb.tf and
// CreateTable to one definition: keys, attribute types, billing and TTL.
func TestTerraformDeclaresTheTableCreateTableMakes(t *testing.T) {
	src, err := os.ReadFile(terraformTable)
	require.NoError(t, err, "the table must be declared in %s", terraformTable)
	file, diags := hclsyntax.ParseConfig(src, terraformTable, hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags.Error())

	var tables []*hclsyntax.Block
	for _, block := range file.Body.(*hclsyntax.Body).Blocks {
		if block.Type == "resource" && len(block.Labels) == 2 && block.Labels[0] == "aws_dynamodb_table" {
			tables = append(tables, block)
		}
	}
	require.Len(t, tables, 1, "one aws_dynamodb_table in %s", terraformTable)
	table := tables[0].Body

	want := tableDefinition("any")
	var wantAttributes, wantKeys = map[string]string{}, map[string]string{}
	for _, a := range want.AttributeDefinitions {
		wantAttributes[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	for _, k := range want.KeySchema {
		wantKeys[string(k.KeyType)] = aws.ToString(k.AttributeName)
	}

	assert.Equal(t, string(want.BillingMode), literal(t, table, "billing_mode").AsString())
	assert.Equal(t, wantKeys, map[string]string{
		"HASH":  literal(t, table, "hash_key").AsString(),
		"RANGE": literal(t, table, "range_key").AsString(),
	})

	attributes := map[string]string{}
	var ttls []*hclsyntax.Body
	for _, block := range table.Blocks {
		switch block.Type {
		case "attribute":
			attributes[literal(t, block.Body, "name").AsString()] = literal(t, block.Body, "type").AsString()
		case "ttl":
			ttls = append(ttls, block.Body)
		}
	}
	assert.Equal(t, wantAttributes, attributes, "attribute blocks")
	require.Len(t, ttls, 1, "one ttl block")
	assert.Equal(t, TTLAttribute, literal(t, ttls[0], "attribute_name").AsString())
	assert.True(t, literal(t, ttls[0], "enabled").True(), "TTL enabled")
}

// literal evaluates the attribute name of body, which must be a constant.
func literal(t *testing.T, body *hclsyntax.Body, name string) cty.Value {
	t.Helper()
	attr, ok := body.Attributes[name]
	require.True(t, ok, "attribute %s is set", name)
	value, diags := attr.Expr.Value(nil)
	require.False(t, diags.HasErrors(), "attribute %s is a literal: %s", name, diags.Error())
	require.True(t, value.IsKnown() && !value.IsNull(), "attribute %s has a value", name)
	return value
}
