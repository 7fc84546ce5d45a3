output "by_name" {
  description = "Every function by name: its function name, ARN, invoke ARN (API Gateway's), role ARN and errors alarm ARN."
  value = {
    for name, f in aws_lambda_function.function : name => {
      function_name    = f.function_name
      arn              = f.arn
      invoke_arn       = f.invoke_arn
      role_arn         = aws_iam_role.function[name].arn
      errors_alarm_arn = aws_cloudwatch_metric_alarm.function["${name}-errors"].arn
    }
  }
}
