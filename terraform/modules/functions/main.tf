# Every Lambda of the stack, one for_each over var.functions: the function, its
# own log group, a role that may do only what that function needs, and alarms
# on its errors and throttles. Routes, WebSocket routes and the feed Lambda
# all come through here (lambdas.tf).

resource "aws_cloudwatch_log_group" "function" {
  for_each = var.functions

  name              = "/aws/lambda/${var.prefix}-${each.key}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each = var.functions

  name               = "${var.prefix}-${each.key}"
  path               = var.role_path
  description        = each.value.role_description
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  # The boundary every role of the stack carries (terraform/bootstrap).
  permissions_boundary = var.permissions_boundary_arn != "" ? var.permissions_boundary_arn : null
}

data "aws_iam_policy_document" "function" {
  for_each = var.functions

  dynamic "statement" {
    for_each = each.value.statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }

  # The log group exists before the function (Terraform makes it), so the role
  # needs no logs:CreateLogGroup and can write to its own group only.
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  # X-Ray active tracing: the service takes trace segments for no resource
  # narrower than "*" (its actions have no resource types), so these two
  # actions are the only ones allowed on "*".
  dynamic "statement" {
    for_each = each.value.tracing ? [1] : []

    content {
      sid       = "Tracing"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = var.functions

  name   = "${var.prefix}-${each.key}"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}

resource "aws_lambda_function" "function" {
  for_each = var.functions

  function_name    = "${var.prefix}-${each.key}"
  description      = each.value.description
  role             = aws_iam_role.function[each.key].arn
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  handler          = "bootstrap"
  filename         = "${var.artifacts_dir}/${each.key}.zip"
  source_code_hash = filebase64sha256("${var.artifacts_dir}/${each.key}.zip")
  memory_size      = var.memory_size
  timeout          = var.timeout

  dynamic "tracing_config" {
    for_each = each.value.tracing ? [1] : []

    content {
      mode = "Active"
    }
  }

  environment {
    variables = each.value.environment
  }

  depends_on = [
    aws_cloudwatch_log_group.function,
    aws_iam_role_policy.function,
  ]
}

# Per function: any error (a crash, a panic, a timeout; a request refused with
# a 4xx is an answer, not an error), and any throttle (Lambda refused to run it:
# the account's or the function's concurrency is exhausted).
locals {
  alarms = merge([
    for name, f in var.functions : {
      "${name}-errors"    = { function = name, metric = "Errors", means = f.alarms_mean.errors }
      "${name}-throttles" = { function = name, metric = "Throttles", means = f.alarms_mean.throttles }
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = local.alarms

  alarm_name          = "${var.prefix}-${each.key}"
  alarm_description   = "The ${each.value.function} Lambda ${each.value.means}. See its log group ${aws_cloudwatch_log_group.function[each.value.function].name}."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = aws_lambda_function.function[each.value.function].function_name }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
