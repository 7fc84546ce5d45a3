output "state_bucket" {
  description = "Set as the GitHub variable TF_STATE_BUCKET."
  value       = aws_s3_bucket.state.id
}

output "deploy_role_arn" {
  description = "Set as the GitHub variable AWS_DEPLOY_ROLE_ARN."
  value       = aws_iam_role.deploy.arn
}

output "permissions_boundary_arn" {
  description = "Set as the GitHub variable AWS_PERMISSIONS_BOUNDARY_ARN: the stack puts it on every role it creates, and the deploy role creates no role without it."
  value       = aws_iam_policy.boundary.arn
}

output "plan_role_arn" {
  description = "Set as the GitHub variable AWS_PLAN_ROLE_ARN (empty: pull requests only validate). It reads the state only: pull requests plan with -refresh=false."
  value       = one(aws_iam_role.plan[*].arn)
}

output "region" {
  description = "Set as the GitHub variable AWS_REGION."
  value       = var.region
}

output "name" {
  description = "The stack's var.name this bootstrap serves."
  value       = var.name
}

output "environment" {
  description = "The stack's var.environment this bootstrap's roles serve (deploy with -var environment=<this>)."
  value       = var.environment
}
