variable "name" {
  description = "Name of the application; every resource name starts with \"<name>-<environment>\"."
  type        = string
  default     = "parley"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.name))
    error_message = "name must be 2-12 lower-case letters and digits, starting with a letter (no hyphen: \"<name>-<environment>-\" must never match another stack's names)."
  }
}

variable "environment" {
  description = "Name of the stack (production, staging, ...); two environments fit in one account."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lower-case letters and digits, starting with a letter (no hyphen: \"<name>-<environment>-\" must never match another environment's names)."
  }
}

variable "region" {
  description = "AWS region of the stack (CloudFront is global and needs no us-east-1 resources here)."
  type        = string
  default     = "eu-central-1"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "lambda_artifacts_dir" {
  description = "Folder holding <route>.zip for every route, each with a bootstrap binary for linux/arm64. Default: out/ at the repository root, where `make build` puts them."
  type        = string
  default     = null
}

variable "spa_dist_dir" {
  description = "Folder of the built SPA, uploaded as is. Default: frontend/dist at the repository root."
  type        = string
  default     = null
}

variable "lambda_memory_size" {
  description = "Memory of every Lambda, in MB (CPU scales with it)."
  type        = number
  default     = 256
}

variable "lambda_timeout" {
  description = "Timeout of every Lambda, in seconds (the HTTP API gives up after 30)."
  type        = number
  default     = 10

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 29
    error_message = "lambda_timeout must be 1-29 seconds: the HTTP API integration times out at 30."
  }
}

variable "log_retention_days" {
  description = "Retention of the Lambda and API access log groups, in days."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...); never 0 (forever)."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second the API stage accepts, over all routes and everyone: above what the WAF lets ~100 abusive IPs make together (README \"Abuse limits\")."
  type        = number
  default     = 250
}

variable "api_throttling_burst_limit" {
  description = "Burst of requests the API stage accepts above the rate limit."
  type        = number
  default     = 500
}

variable "cors_allowed_origins" {
  description = "Extra origins allowed to call the API's execute-api URL directly (e.g. a custom SPA domain or a local front-end dev server). The SPA itself calls the API same-origin through CloudFront (/api/*), which needs no CORS. Empty: no CORS configuration on the API, and the Lambdas' own CORS headers for the SPA origin pass through."
  type        = list(string)
  default     = []
}

variable "table_deletion_protection" {
  description = "Protect the DynamoDB table from deletion; set false before `terraform destroy`."
  type        = bool
  default     = true
}

variable "table_kms_key_arn" {
  description = "Customer managed KMS key for the table; null uses the AWS managed key aws/dynamodb."
  type        = string
  default     = null
}

variable "point_in_time_recovery" {
  description = "Keep continuous backups of the table (35 days of point-in-time recovery)."
  type        = bool
  default     = true
}

variable "user_pool_deletion_protection" {
  description = "Protect the Cognito user pool from deletion; set false before `terraform destroy`."
  type        = bool
  default     = true
}

variable "user_pool_tier" {
  description = "Cognito feature plan: LITE (classic hosted sign-in, all Parley needs, cheapest past the free 10,000 monthly active users), ESSENTIALS or PLUS."
  type        = string
  default     = "LITE"

  validation {
    condition     = contains(["LITE", "ESSENTIALS", "PLUS"], var.user_pool_tier)
    error_message = "user_pool_tier must be LITE, ESSENTIALS or PLUS."
  }
}

variable "cognito_domain_prefix" {
  description = "Prefix of the Cognito hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com); globally unique. Default: <name>-<environment>-<account id>."
  type        = string
  default     = null
}

variable "password_minimum_length" {
  description = "Minimum password length in the user pool (upper, lower, digit and symbol are also required)."
  type        = number
  default     = 12
}

variable "id_token_validity_minutes" {
  description = "Lifetime of ID and access tokens, in minutes (5-1440)."
  type        = number
  default     = 60
}

variable "refresh_token_validity_days" {
  description = "Lifetime of refresh tokens, in days (1-3650)."
  type        = number
  default     = 30
}

variable "extra_callback_urls" {
  description = "Extra sign-in callback and sign-out URLs for the SPA client besides the CloudFront URL (e.g. http://localhost:5173/ for front-end work against this stack)."
  type        = list(string)
  default     = []
}

variable "csp_extra_connect_src" {
  description = "Extra sources the SPA may connect to, added to the Content-Security-Policy connect-src (the HTTP and WebSocket APIs and Cognito are in it already; the policy itself is security-headers.json)."
  type        = list(string)
  default     = []
}

variable "cloudfront_price_class" {
  description = "CloudFront price class: PriceClass_100 (North America, Europe), PriceClass_200 or PriceClass_All."
  type        = string
  default     = "PriceClass_100"
}

variable "cloudfront_wait_for_deployment" {
  description = "Wait until the CloudFront distribution is deployed everywhere (minutes), so an apply ends with the site live."
  type        = bool
  default     = true
}

variable "spa_fallback_to_index" {
  description = "Serve /index.html for SPA paths without a file extension (a CloudFront Function on the default behavior). Done per behavior and not with custom error responses, which would also rewrite the API's own 403 and 404 answers."
  type        = bool
  default     = true
}

variable "spa_bucket_deny_insecure_transport" {
  description = "Deny every request to the SPA bucket that does not use TLS. Turned off only for emulators that ignore policy conditions (moto), where the deny would apply to every request."
  type        = bool
  default     = true
}

variable "response_headers_policy_id" {
  description = "ID of an existing CloudFront response headers policy to use instead of creating Parley's own security headers policy (e.g. an organization-wide one). null: create Parley's own."
  type        = string
  default     = null
}

variable "custom_domain" {
  description = "Host name to serve the SPA and its API on (e.g. chat.example.com) instead of the CloudFront domain; give custom_domain_certificate_arn with it, and point the name at the cloudfront_domain_name output (CNAME, or an alias record). null: the CloudFront domain."
  type        = string
  default     = null

  validation {
    condition     = var.custom_domain == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.custom_domain))
    error_message = "custom_domain must be a lower-case host name such as chat.example.com."
  }
}

variable "custom_domain_certificate_arn" {
  description = "ARN of an issued ACM certificate in us-east-1 (CloudFront's region) that covers custom_domain. Viewers then need TLS 1.2 or newer (TLSv1.2_2021)."
  type        = string
  default     = null

  validation {
    condition     = (var.custom_domain == null) == (var.custom_domain_certificate_arn == null)
    error_message = "custom_domain and custom_domain_certificate_arn go together: give both or neither."
  }

  validation {
    condition     = var.custom_domain_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.custom_domain_certificate_arn))
    error_message = "custom_domain_certificate_arn must be an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>)."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary put on every IAM role the stack creates: the permissions_boundary_arn output of terraform/bootstrap, which the deploy role requires on the roles it creates. null or empty: none (local tests)."
  type        = string
  default     = null
}

variable "websocket_throttling_rate_limit" {
  description = "Steady-state requests per second the WebSocket stage accepts (connects and frames), over everyone: above what the WAF lets ~100 abusive IPs connect together, with room for everyone's frames (README \"Abuse limits\")."
  type        = number
  default     = 400
}

variable "websocket_throttling_burst_limit" {
  description = "Burst of requests the WebSocket stage accepts."
  type        = number
  default     = 800
}

variable "waf_api_requests_per_ip" {
  description = "Requests one IP address may make to /api/* and the WebSocket handshake (/ws) in any 5 minutes before the WAF blocks it (403) until its rate falls back under; signed in or not. README \"Abuse limits\" says how it fits under the stage throttles."
  type        = number
  default     = 500

  validation {
    condition     = var.waf_api_requests_per_ip >= 10 && var.waf_api_requests_per_ip <= 2000000000
    error_message = "waf_api_requests_per_ip must be between 10 and 2,000,000,000 (AWS WAF's bounds for a rate-based rule)."
  }
}

variable "waf_requests_per_ip" {
  description = "Requests one IP address may make to the distribution in all (the SPA, /feeds/*, the API, the handshake) in any 5 minutes before the WAF blocks it (403)."
  type        = number
  default     = 2500

  validation {
    condition     = var.waf_requests_per_ip >= 10 && var.waf_requests_per_ip <= 2000000000
    error_message = "waf_requests_per_ip must be between 10 and 2,000,000,000 (AWS WAF's bounds for a rate-based rule)."
  }
}
