# The realtime WebSocket API: $connect verifies the ID token itself (browsers
# cannot send an Authorization header on a WebSocket), $disconnect forgets the
# connection, $default serves typing, ack and ping frames. Lambdas post events
# back through the stage's @connections endpoint.

resource "aws_apigatewayv2_api" "websocket" {
  name                       = "${local.prefix}-realtime"
  description                = "Realtime WebSocket API of ${local.prefix}."
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_apigatewayv2_integration" "websocket" {
  for_each = local.websocket_lambdas

  api_id             = aws_apigatewayv2_api.websocket.id
  description        = "WebSocket ${each.value}"
  integration_type   = "AWS_PROXY"
  integration_method = "POST"
  integration_uri    = aws_lambda_function.route[each.key].invoke_arn
}

resource "aws_apigatewayv2_route" "websocket" {
  for_each = local.websocket_lambdas

  api_id    = aws_apigatewayv2_api.websocket.id
  route_key = each.value
  target    = "integrations/${aws_apigatewayv2_integration.websocket[each.key].id}"
}

resource "aws_cloudwatch_log_group" "websocket_access" {
  name              = "/aws/apigateway/${local.prefix}-realtime"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "websocket" {
  api_id      = aws_apigatewayv2_api.websocket.id
  name        = local.ws_stage
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.websocket_throttling_rate_limit
    throttling_burst_limit = var.websocket_throttling_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.websocket_access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      ip                 = "$context.identity.sourceIp"
      eventType          = "$context.eventType"
      routeKey           = "$context.routeKey"
      connectionId       = "$context.connectionId"
      status             = "$context.status"
      integrationLatency = "$context.integrationLatency"
      integrationError   = "$context.integration.error"
      errorMessage       = "$context.error.message"
    })
  }

  # API Gateway writes these logs with the account's CloudWatch role, set
  # once per account and region by terraform/bootstrap, not by each stack.
  depends_on = [aws_apigatewayv2_route.websocket]
}
