# Every Lambda of the stack, through one module (modules/functions): one per
# route of local.functions (REST and WebSocket), each with its own log group,
# alarms and a role that may do only what that route needs, and the feed
# Lambda (feeds.tf), which serves no route.

locals {
  route_functions = {
    for name, f in local.functions : name => {
      description      = f.api == "websocket" ? "WebSocket ${f.route}" : "${f.route} /${name}"
      role_description = "Runs the ${name} Lambda of ${local.prefix}."
      tracing          = true
      environment = merge({
        PARLEY_TABLE_NAME        = aws_dynamodb_table.chat.name
        PARLEY_ALLOWED_ORIGIN    = local.spa_origin
        PARLEY_OIDC_ISSUER       = local.cognito_issuer
        PARLEY_OIDC_CLIENT_ID    = aws_cognito_user_pool_client.spa.id
        PARLEY_SEND_BURST        = tostring(var.send_burst)
        PARLEY_SEND_PER_MINUTE   = tostring(var.send_per_minute)
        PARLEY_MAX_CONNECTIONS   = tostring(var.max_connections)
        PARLEY_FRAME_BURST       = tostring(var.frame_burst)
        PARLEY_FRAMES_PER_MINUTE = tostring(var.frames_per_minute)
        }, f.pushes ? {
        PARLEY_WS_CALLBACK_URL = local.ws_callback_url
        } : {}, name == local.push_key_function ? {
        PARLEY_VAPID_PUBLIC_KEY_PARAMETER = local.vapid_public_key_parameter
        } : {}, contains(local.account_erasers, name) ? {
        PARLEY_USER_POOL_ID = aws_cognito_user_pool.users.id
        } : {}, contains(local.exporters, name) ? {
        PARLEY_EXPORTS_BUCKET = aws_s3_bucket.exports.bucket
      } : {})
      statements = concat(
        length(f.dynamodb_actions) > 0 ? [{ sid = "Table", actions = f.dynamodb_actions, resources = [aws_dynamodb_table.chat.arn] }] : [],
        # Posting to the connections of this stage only, and closing them
        # (past the connection cap, on suspension).
        f.pushes ? [{
          sid     = "Push"
          actions = ["execute-api:ManageConnections"]
          resources = [
            "${aws_apigatewayv2_api.websocket.execution_arn}/${local.ws_stage}/POST/@connections/*",
            "${aws_apigatewayv2_api.websocket.execution_arn}/${local.ws_stage}/DELETE/@connections/*",
          ]
        }] : [],
        # Reading the deployment's VAPID public key (notifications.tf).
        name == local.push_key_function ? [local.vapid_public_key_statement] : [],
        # Deleting the erased account's user, from this pool only (its
        # connections it closes as every pushing function may: Push).
        contains(local.account_erasers, name) ? [
          { sid = "DeleteUser", actions = ["cognito-idp:AdminDeleteUser"], resources = [aws_cognito_user_pool.users.arn] },
        ] : [],
        # Writing export documents, and signing the links that read them.
        contains(local.exporters, name) ? [{
          sid       = "Exports"
          actions   = ["s3:PutObject", "s3:GetObject"]
          resources = ["${aws_s3_bucket.exports.arn}/exports/*"]
        }] : [],
      )
      alarms_mean = {
        errors    = "failed (error, timeout or crash)"
        throttles = "was throttled: concurrency is exhausted"
      }
    }
  }

  # Which API may invoke each route's function: only this route of this API,
  # any stage. The HTTP API's ARN is <execution arn>/<stage>/<method>/<path>,
  # the WebSocket API's <execution arn>/<stage>/<route key>.
  function_invokers = {
    for name, f in local.functions : name => (f.api == "websocket"
      ? "${aws_apigatewayv2_api.websocket.execution_arn}/*/${f.route}"
      : "${aws_apigatewayv2_api.http.execution_arn}/*/${f.route}/${name}"
    )
  }
}

module "functions" {
  source = "./modules/functions"

  functions                = merge(local.route_functions, { (local.feed_function) = local.feed_lambda, (local.notify_function) = local.notify_lambda })
  prefix                   = local.prefix
  role_path                = local.role_path
  permissions_boundary_arn = var.permissions_boundary_arn
  artifacts_dir            = local.lambda_artifacts_dir
  memory_size              = var.lambda_memory_size
  timeout                  = var.lambda_timeout
  log_retention_days       = var.log_retention_days
  alarm_period_seconds     = var.alarm_period_seconds
  alarm_actions            = local.alarm_actions
}

resource "aws_lambda_permission" "api_gateway" {
  for_each = local.function_invokers

  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = module.functions.by_name[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = each.value
}
