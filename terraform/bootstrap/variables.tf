variable "name" {
  description = "Name of the application, as in the main stack."
  type        = string
  default     = "parley"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.name))
    error_message = "name must be 2-12 lower-case letters and digits, starting with a letter (no hyphen: \"<name>-<environment>-\" must never match another stack's names)."
  }
}

variable "region" {
  description = "Region of the state bucket (use the stack's region)."
  type        = string
  default     = "eu-central-1"
}

variable "github_repository" {
  description = "GitHub repository allowed to deploy, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_environment" {
  description = "GitHub environment whose jobs may assume the deploy role (protect it with required reviewers or branch rules)."
  type        = string
  default     = "production"
}

variable "environment" {
  description = "Environment name of the stack the deploy role manages (the main stack's var.environment)."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lower-case letters and digits, starting with a letter (no hyphen: \"<name>-<environment>-\" must never match another environment's names)."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider; false when the account already has one (there can be only one)."
  type        = bool
  default     = true
}

variable "create_plan_role" {
  description = "Create a role that pull requests of the repository assume to run terraform plan -refresh=false; it reads the state bucket and nothing else."
  type        = bool
  default     = true
}

variable "manage_api_gateway_account" {
  description = "Set API Gateway's account-wide CloudWatch logging role (one per account and region; WebSocket access logs need it). True in the first bootstrap of an account and region, false in every other (a second environment, an account whose other APIs already set one)."
  type        = bool
  default     = true
}
