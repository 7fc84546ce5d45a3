# The HTTP API (v2): one route per entry of local.lambdas, each behind the JWT
# authorizer on the Cognito pool and proxied to its own Lambda.

resource "aws_apigatewayv2_api" "http" {
  name          = local.prefix
  description   = "REST API of ${local.prefix}."
  protocol_type = "HTTP"

  # The SPA calls the API through CloudFront on its own origin, so it needs no
  # CORS. The API cannot name the CloudFront origin here: the distribution has
  # the API as an origin, and the reverse reference would be a cycle.
  dynamic "cors_configuration" {
    for_each = length(var.cors_allowed_origins) > 0 ? [1] : []

    content {
      allow_origins = var.cors_allowed_origins
      allow_methods = ["GET", "POST", "OPTIONS"]
      allow_headers = ["authorization", "content-type"]
      max_age       = 3600
    }
  }
}

resource "aws_apigatewayv2_authorizer" "cognito" {
  api_id           = aws_apigatewayv2_api.http.id
  name             = "cognito"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = local.cognito_issuer
    audience = [aws_cognito_user_pool_client.spa.id]
  }
}

resource "aws_apigatewayv2_integration" "route" {
  for_each = local.lambdas

  api_id                 = aws_apigatewayv2_api.http.id
  description            = "${each.value} /${each.key}"
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = module.functions.by_name[each.key].invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "route" {
  for_each = local.lambdas

  api_id             = aws_apigatewayv2_api.http.id
  route_key          = "${each.value} /${each.key}"
  target             = "integrations/${aws_apigatewayv2_integration.route[each.key].id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.cognito.id
}
