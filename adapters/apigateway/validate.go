package apigateway

import (
	"reflect"
	"slices"
	"strings"

	"github.com/parley-chat/parley/core"
)

// validateFields checks the `validate` tags of the struct dst points to, in
// the order of its fields, and refuses the first field at fault, named as in
// its JSON: "required" (not the zero value), "oneof=a b c" (one of the
// words) and "required_if=Field value" (required when Field holds value).
// These three rules are all the request bodies use; a validation library
// cost every Lambda about a millisecond of package init at cold start and a
// reflective parse of each body's struct on its first call.
func validateFields(dst any) error {
	v := reflect.Indirect(reflect.ValueOf(dst))
	if v.Kind() != reflect.Struct {
		return nil
	}
	t := v.Type()
	for i := range t.NumField() {
		field := t.Field(i)
		tag := field.Tag.Get("validate")
		if tag == "" {
			continue
		}
		value := v.Field(i)
		for _, rule := range strings.Split(tag, ",") {
			name, param, _ := strings.Cut(rule, "=")
			reason := ""
			switch name {
			case "required":
				if value.IsZero() {
					reason = "is required"
				}
			case "oneof":
				if !slices.Contains(strings.Fields(param), value.String()) {
					reason = "is invalid"
				}
			case "required_if":
				other, want, _ := strings.Cut(param, " ")
				if v.FieldByName(other).String() == want && value.IsZero() {
					reason = "is invalid"
				}
			default:
				panic("apigateway: unknown validation rule " + rule + " on " + t.Name() + "." + field.Name)
			}
			if reason != "" {
				jsonName, _, _ := strings.Cut(field.Tag.Get("json"), ",")
				return &core.Error{Code: core.EINVALID, Field: jsonName, Message: jsonName + ": " + reason}
			}
		}
	}
	return nil
}
