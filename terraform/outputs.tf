output "spa_url" {
  description = "URL of the SPA (CloudFront)."
  value       = local.spa_url
}

output "api_url" {
  description = "Base URL of the REST API as the SPA calls it, through CloudFront: <api_url>/add-contact."
  value       = local.api_url
}

output "api_invoke_url" {
  description = "The API stage's own URL, bypassing CloudFront."
  value       = aws_apigatewayv2_stage.api_gateway["http"].invoke_url
}

output "cognito_issuer" {
  description = "OIDC issuer (authority) of the user pool."
  value       = local.cognito_issuer
}

output "cognito_client_id" {
  description = "Client ID of the SPA in the user pool."
  value       = aws_cognito_user_pool_client.spa.id
}

output "cognito_domain" {
  description = "URL of the Cognito hosted sign-in."
  value       = local.cognito_domain_url
}

output "table_name" {
  description = "Name of the DynamoDB table."
  value       = aws_dynamodb_table.chat.name
}

output "spa_bucket" {
  description = "Bucket holding the SPA."
  value       = module.spa_bucket.id
}

output "cloudfront_domain_name" {
  description = "Domain of the CloudFront distribution: the target of custom_domain's DNS record."
  value       = aws_cloudfront_distribution.spa.domain_name
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.spa.id
}

output "lambda_function_names" {
  description = "Lambda function name of every route."
  value       = { for name, _ in local.functions : name => module.functions.by_name[name].function_name }
}

output "ws_url" {
  description = "The realtime WebSocket endpoint the SPA connects to (wsURL in config.json)."
  value       = local.ws_url
}

output "alarms_topic_arn" {
  description = "SNS topic every alarm notifies; subscribe on-call endpoints to it."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the stack."
  value       = aws_cloudwatch_dashboard.main.dashboard_name
}
