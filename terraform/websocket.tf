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
  integration_uri    = module.functions.by_name[each.key].invoke_arn
}

resource "aws_apigatewayv2_route" "websocket" {
  for_each = local.websocket_lambdas

  api_id    = aws_apigatewayv2_api.websocket.id
  route_key = each.value
  target    = "integrations/${aws_apigatewayv2_integration.websocket[each.key].id}"
}
