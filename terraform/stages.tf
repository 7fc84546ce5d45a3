# The stage of each API, one for_each: the HTTP API's "api" (which CloudFront
# sends /api/* to) and the WebSocket API's "ws", each deploying its routes
# automatically, throttled, and writing one access log line per request to its
# own log group.

locals {
  # What every access log line says, whichever the API; each stage adds its own.
  access_log_common = {
    requestId          = "$context.requestId"
    requestTime        = "$context.requestTime"
    ip                 = "$context.identity.sourceIp"
    routeKey           = "$context.routeKey"
    status             = "$context.status"
    integrationLatency = "$context.integrationLatency"
    integrationError   = "$context.integration.error"
    errorMessage       = "$context.error.message"
  }

  api_stages = {
    http = {
      api_id           = aws_apigatewayv2_api.http.id
      name             = local.api_stage
      log_group        = "/aws/apigateway/${local.prefix}"
      throttling_rate  = var.api_throttling_rate_limit
      throttling_burst = var.api_throttling_burst_limit
      access_log = merge(local.access_log_common, {
        extendedRequestId = "$context.extendedRequestId"
        userAgent         = "$context.identity.userAgent"
        responseLength    = "$context.responseLength"
        responseLatency   = "$context.responseLatency"
        integrationStatus = "$context.integrationStatus"
        authorizerError   = "$context.authorizer.error"
      })
    }
    # API Gateway writes the WebSocket stage's logs with the account's
    # CloudWatch role, set once per account and region by terraform/bootstrap,
    # not by each stack.
    websocket = {
      api_id           = aws_apigatewayv2_api.websocket.id
      name             = local.ws_stage
      log_group        = "/aws/apigateway/${local.prefix}-realtime"
      throttling_rate  = var.websocket_throttling_rate_limit
      throttling_burst = var.websocket_throttling_burst_limit
      access_log = merge(local.access_log_common, {
        eventType    = "$context.eventType"
        connectionId = "$context.connectionId"
      })
    }
  }
}

resource "aws_cloudwatch_log_group" "api_access" {
  for_each = local.api_stages

  name              = each.value.log_group
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "api_gateway" {
  for_each = local.api_stages

  api_id      = each.value.api_id
  name        = each.value.name
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = each.value.throttling_rate
    throttling_burst_limit = each.value.throttling_burst
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access[each.key].arn
    format          = jsonencode(each.value.access_log)
  }

  # Routes deploy automatically; this makes the first deployment wait for them.
  depends_on = [aws_apigatewayv2_route.route, aws_apigatewayv2_route.websocket]
}
