output "function_names" {
  description = "Function name of every function."
  value       = { for name, f in aws_lambda_function.function : name => f.function_name }
}

output "arns" {
  description = "ARN of every function."
  value       = { for name, f in aws_lambda_function.function : name => f.arn }
}

output "invoke_arns" {
  description = "ARN API Gateway invokes every function by."
  value       = { for name, f in aws_lambda_function.function : name => f.invoke_arn }
}

output "role_arns" {
  description = "ARN of every function's role."
  value       = { for name, r in aws_iam_role.function : name => r.arn }
}

output "error_alarm_arns" {
  description = "ARN of every function's errors alarm."
  value       = { for name, _ in var.functions : name => aws_cloudwatch_metric_alarm.function["${name}-errors"].arn }
}
