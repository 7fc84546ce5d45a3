# One Lambda per route of local.functions (REST and WebSocket), each with its
# own log group and a role that may do only what that route needs.

resource "aws_cloudwatch_log_group" "lambda" {
  for_each = local.functions

  name              = "/aws/lambda/${local.prefix}-${each.key}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "lambda_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  for_each = local.functions

  name                 = "${local.prefix}-${each.key}"
  path                 = local.role_path
  description          = "Runs the ${each.key} Lambda of ${local.prefix}."
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume_role.json
  permissions_boundary = var.permissions_boundary_arn != "" ? var.permissions_boundary_arn : null
}

data "aws_iam_policy_document" "lambda" {
  for_each = local.functions

  statement {
    sid       = "Table"
    actions   = local.lambda_dynamodb_actions[each.key]
    resources = [aws_dynamodb_table.chat.arn]
  }

  # The log group exists before the function (Terraform makes it), so the role
  # needs no logs:CreateLogGroup and can write to its own group only.
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda[each.key].arn}:*"]
  }

  # X-Ray active tracing: the service takes trace segments for no resource
  # narrower than "*" (its actions have no resource types), so these two
  # actions are the only ones allowed on "*".
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  # Posting to the connections of this stage only.
  dynamic "statement" {
    for_each = local.lambda_pushes[each.key] ? [1] : []

    content {
      sid       = "Push"
      actions   = ["execute-api:ManageConnections"]
      resources = ["${aws_apigatewayv2_api.websocket.execution_arn}/${local.ws_stage}/POST/@connections/*"]
    }
  }
}

resource "aws_iam_role_policy" "lambda" {
  for_each = local.functions

  name   = "${local.prefix}-${each.key}"
  role   = aws_iam_role.lambda[each.key].id
  policy = data.aws_iam_policy_document.lambda[each.key].json
}

resource "aws_lambda_function" "route" {
  for_each = local.functions

  function_name    = "${local.prefix}-${each.key}"
  description      = startswith(each.value, "$") ? "WebSocket ${each.value}" : "${each.value} /${each.key}"
  role             = aws_iam_role.lambda[each.key].arn
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  handler          = "bootstrap"
  filename         = "${local.lambda_artifacts_dir}/${each.key}.zip"
  source_code_hash = filebase64sha256("${local.lambda_artifacts_dir}/${each.key}.zip")
  memory_size      = var.lambda_memory_size
  timeout          = var.lambda_timeout

  tracing_config {
    mode = "Active"
  }

  environment {
    variables = merge({
      PARLEY_TABLE_NAME      = aws_dynamodb_table.chat.name
      PARLEY_ALLOWED_ORIGIN  = local.spa_origin
      PARLEY_OIDC_ISSUER     = local.cognito_issuer
      PARLEY_OIDC_CLIENT_ID  = aws_cognito_user_pool_client.spa.id
      PARLEY_SEND_BURST      = tostring(var.send_burst)
      PARLEY_SEND_PER_MINUTE = tostring(var.send_per_minute)
      }, local.lambda_pushes[each.key] ? {
      PARLEY_WS_CALLBACK_URL = local.ws_callback_url
    } : {})
  }

  depends_on = [
    aws_cloudwatch_log_group.lambda,
    aws_iam_role_policy.lambda,
  ]
}

resource "aws_lambda_permission" "api" {
  for_each = local.lambdas

  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.route[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  # Only this route of this API, any stage: <execution arn>/<stage>/<method>/<path>.
  source_arn = "${aws_apigatewayv2_api.http.execution_arn}/*/${each.value}/${each.key}"
}

resource "aws_lambda_permission" "websocket" {
  for_each = local.websocket_lambdas

  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.route[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  # Only this route of the WebSocket API, any stage: <execution arn>/<stage>/<route key>.
  source_arn = "${aws_apigatewayv2_api.websocket.execution_arn}/*/${each.value}"
}
