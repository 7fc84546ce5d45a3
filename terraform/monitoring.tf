# Operations: the alarms that say something broke, the topic they go to, and a
# dashboard. Metrics come from AWS (Lambda, API Gateway, SQS) and from the
# functions themselves in CloudWatch embedded metric format (adapters/emf,
# namespace Parley, dimensions Function and Service).

locals {
  metrics_namespace = "Parley"
  alarm_actions     = [aws_sns_topic.alarms.arn]
}

resource "aws_sns_topic" "alarms" {
  name = "${local.prefix}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# Every function's errors and throttles alarm in modules/functions (lambdas.tf).

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${local.prefix}-api-5xx"
  alarm_description   = "The REST API answered more than ${var.alarm_api_5xx_threshold} server errors (500 internal, 503 unavailable store) in ${var.alarm_period_seconds} s."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = aws_apigatewayv2_api.http.id, Stage = aws_apigatewayv2_stage.api_gateway["http"].name }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = var.alarm_api_5xx_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Each kind of push that failed (not gone: a closed tab, an unsubscribed
# browser is normal) over all of its kind, from the functions' own metrics
# (<Kind>Delivered, <Kind>Gone, <Kind>Failed). A failed realtime push loses
# nothing (clients catch up through REST) but realtime is degraded; a failed
# Web Push notification (after retries) is a notification nobody saw.
resource "aws_cloudwatch_metric_alarm" "failure_rate" {
  for_each = {
    push         = { what = "realtime pushes", metrics = "Pushes", label = "Push failure rate (%)" }
    notification = { what = "Web Push notifications", metrics = "Notifications", label = "Notification failure rate (%)" }
  }

  alarm_name          = "${local.prefix}-${each.key}-failure-rate"
  alarm_description   = "More than ${var.alarm_push_failure_rate_percent}% of ${each.value.what} failed in ${var.alarm_period_seconds} s."
  evaluation_periods  = 1
  threshold           = var.alarm_push_failure_rate_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "IF(delivered + gone + failed > 0, 100 * failed / (delivered + gone + failed), 0)"
    label       = each.value.label
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { delivered = "${each.value.metrics}Delivered", gone = "${each.value.metrics}Gone", failed = "${each.value.metrics}Failed" }

    content {
      id = metric_query.key

      metric {
        namespace   = local.metrics_namespace
        metric_name = metric_query.value
        dimensions  = { Service = "parley" }
        stat        = "Sum"
        period      = var.alarm_period_seconds
      }
    }
  }
}

# Stream records a stream function gave up on, in its dead-letter queue: the
# feed Lambda's (feeds.tf) and the notify Lambda's (notifications.tf). Their
# errors and throttles alarm in modules/functions, like every function's.
resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each = {
    feed   = { queue = aws_sqs_queue.feed_dead_letters.name, lost = "those channels' snapshots were not rebuilt (the next post to each rebuilds it)" }
    notify = { queue = aws_sqs_queue.notify_dead_letters.name, lost = "those messages notified nobody (they are stored and shown in the app)" }
  }

  alarm_name          = "${local.prefix}-${each.key}-dead-letters"
  alarm_description   = "Stream records the ${each.key} Lambda gave up on are in ${each.value.queue}: ${each.value.lost}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.queue }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = local.prefix

  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title  = "Messages and refused sends"
          region = local.region
          stat   = "Sum"
          period = 60
          metrics = [
            for name in ["MessagesSent", "SendsThrottled", "SendsRefusedByBlock", "SendsRefusedSuspended", "ServerErrors"] :
            [local.metrics_namespace, name, "Service", "parley"]
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title  = "Realtime pushes"
          region = local.region
          stat   = "Sum"
          period = 60
          metrics = [
            for name in ["PushesDelivered", "PushesGone", "PushesFailed"] :
            [local.metrics_namespace, name, "Service", "parley"]
          ]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title  = "REST API: 4xx, 5xx and latency"
          region = local.region
          period = 60
          metrics = [
            ["AWS/ApiGateway", "4xx", "ApiId", aws_apigatewayv2_api.http.id, "Stage", aws_apigatewayv2_stage.api_gateway["http"].name, { stat = "Sum" }],
            ["AWS/ApiGateway", "5xx", "ApiId", aws_apigatewayv2_api.http.id, "Stage", aws_apigatewayv2_stage.api_gateway["http"].name, { stat = "Sum" }],
            ["AWS/ApiGateway", "Latency", "ApiId", aws_apigatewayv2_api.http.id, "Stage", aws_apigatewayv2_stage.api_gateway["http"].name, { stat = "p99", yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title  = "Lambda errors and throttles"
          region = local.region
          stat   = "Sum"
          period = 60
          metrics = concat(
            [for name, _ in local.functions : ["AWS/Lambda", "Errors", "FunctionName", module.functions.by_name[name].function_name]],
            [for name, _ in local.functions : ["AWS/Lambda", "Throttles", "FunctionName", module.functions.by_name[name].function_name]],
          )
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 24, height = 6
        properties = {
          title   = "Lambda duration p99"
          region  = local.region
          stat    = "p99"
          period  = 60
          metrics = [for name, _ in local.functions : ["AWS/Lambda", "Duration", "FunctionName", module.functions.by_name[name].function_name]]
        }
      },
      {
        type = "alarm", x = 0, y = 18, width = 24, height = 4
        properties = {
          title = "Alarms"
          alarms = concat(
            [aws_cloudwatch_metric_alarm.api_5xx.arn, aws_cloudwatch_metric_alarm.failure_rate["push"].arn],
            [for name, _ in local.functions : module.functions.by_name[name].errors_alarm_arn],
          )
        }
      },
    ]
  })
}
