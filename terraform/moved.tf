# Where resources moved when the copies became modules and for_each
# (modules/functions, modules/private-origin-bucket, stages.tf, monitoring.tf):
# an existing stack keeps every one of them, with nothing destroyed or
# created. Keep these blocks until every deployed stack has applied them once.

# Every route's function, role, policy, log group and alarms (lambdas.tf).

moved {
  from = aws_cloudwatch_log_group.lambda
  to   = module.functions.aws_cloudwatch_log_group.function
}

moved {
  from = aws_iam_role.lambda
  to   = module.functions.aws_iam_role.function
}

moved {
  from = aws_iam_role_policy.lambda
  to   = module.functions.aws_iam_role_policy.function
}

moved {
  from = aws_lambda_function.route
  to   = module.functions.aws_lambda_function.function
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda
  to   = module.functions.aws_cloudwatch_metric_alarm.function
}

# The feed Lambda, which had its own copy of the same (feeds.tf).

moved {
  from = aws_cloudwatch_log_group.feed
  to   = module.functions.aws_cloudwatch_log_group.function["feed"]
}

moved {
  from = aws_iam_role.feed
  to   = module.functions.aws_iam_role.function["feed"]
}

moved {
  from = aws_iam_role_policy.feed
  to   = module.functions.aws_iam_role_policy.function["feed"]
}

moved {
  from = aws_lambda_function.feed
  to   = module.functions.aws_lambda_function.function["feed"]
}

moved {
  from = aws_cloudwatch_metric_alarm.feed["errors"]
  to   = module.functions.aws_cloudwatch_metric_alarm.function["feed-errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.feed["throttles"]
  to   = module.functions.aws_cloudwatch_metric_alarm.function["feed-throttles"]
}

# API Gateway's permission to invoke each route's function, REST and WebSocket alike.

moved {
  from = aws_lambda_permission.api
  to   = aws_lambda_permission.api_gateway
}

moved {
  from = aws_lambda_permission.websocket["ws-connect"]
  to   = aws_lambda_permission.api_gateway["ws-connect"]
}

moved {
  from = aws_lambda_permission.websocket["ws-disconnect"]
  to   = aws_lambda_permission.api_gateway["ws-disconnect"]
}

moved {
  from = aws_lambda_permission.websocket["ws-default"]
  to   = aws_lambda_permission.api_gateway["ws-default"]
}

# The SPA's bucket (hosting.tf) and the feeds bucket (feeds.tf).

moved {
  from = aws_s3_bucket.spa
  to   = module.spa_bucket.aws_s3_bucket.origin
}

moved {
  from = aws_s3_bucket_public_access_block.spa
  to   = module.spa_bucket.aws_s3_bucket_public_access_block.origin
}

moved {
  from = aws_s3_bucket_ownership_controls.spa
  to   = module.spa_bucket.aws_s3_bucket_ownership_controls.origin
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.spa
  to   = module.spa_bucket.aws_s3_bucket_server_side_encryption_configuration.origin
}

moved {
  from = aws_s3_bucket_policy.spa
  to   = module.spa_bucket.aws_s3_bucket_policy.origin
}

moved {
  from = aws_s3_bucket.feeds
  to   = module.feeds_bucket.aws_s3_bucket.origin
}

moved {
  from = aws_s3_bucket_public_access_block.feeds
  to   = module.feeds_bucket.aws_s3_bucket_public_access_block.origin
}

moved {
  from = aws_s3_bucket_ownership_controls.feeds
  to   = module.feeds_bucket.aws_s3_bucket_ownership_controls.origin
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.feeds
  to   = module.feeds_bucket.aws_s3_bucket_server_side_encryption_configuration.origin
}

moved {
  from = aws_s3_bucket_policy.feeds
  to   = module.feeds_bucket.aws_s3_bucket_policy.origin
}

# The stage and access log group of each API (stages.tf).

moved {
  from = aws_cloudwatch_log_group.api_access
  to   = aws_cloudwatch_log_group.api_access["http"]
}

moved {
  from = aws_cloudwatch_log_group.websocket_access
  to   = aws_cloudwatch_log_group.api_access["websocket"]
}

moved {
  from = aws_apigatewayv2_stage.api
  to   = aws_apigatewayv2_stage.api_gateway["http"]
}

moved {
  from = aws_apigatewayv2_stage.websocket
  to   = aws_apigatewayv2_stage.api_gateway["websocket"]
}

# The alarms on push failure rates and on dead letters (monitoring.tf).

moved {
  from = aws_cloudwatch_metric_alarm.push_failure_rate
  to   = aws_cloudwatch_metric_alarm.failure_rate["push"]
}

moved {
  from = aws_cloudwatch_metric_alarm.notification_failure_rate
  to   = aws_cloudwatch_metric_alarm.failure_rate["notification"]
}

moved {
  from = aws_cloudwatch_metric_alarm.feed_dead_letters
  to   = aws_cloudwatch_metric_alarm.dead_letters["feed"]
}

moved {
  from = aws_cloudwatch_metric_alarm.notify_dead_letters
  to   = aws_cloudwatch_metric_alarm.dead_letters["notify"]
}
