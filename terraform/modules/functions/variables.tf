variable "functions" {
  description = <<-EOT
    Every Lambda of the stack by name (its folder in lambdas/ and its zip
    <artifacts_dir>/<name>.zip): what it says of itself, whether it is traced
    with X-Ray, its environment, the statements of its role's policy besides
    writing its own logs (and the trace segments of a traced one), and what its
    alarms say an error and a throttle mean.
  EOT
  type = map(object({
    description      = string
    role_description = string
    tracing          = bool
    environment      = map(string)
    statements = list(object({
      sid       = string
      actions   = list(string)
      resources = list(string)
      # Conditions that must all hold for the statement to allow anything.
      conditions = optional(list(object({
        test     = string
        variable = string
        values   = list(string)
      })), [])
    }))
    alarms_mean = object({
      errors    = string
      throttles = string
    })
  }))
}

variable "prefix" {
  description = "<name>-<environment>: every function, role, log group and alarm is named <prefix>-<function>."
  type        = string
}

variable "role_path" {
  description = "IAM path of every role (the deploy role may create roles under it only)."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary put on every role; empty or null for none."
  type        = string
  default     = null
}

variable "artifacts_dir" {
  description = "Folder holding <function>.zip for every function."
  type        = string
}

variable "memory_size" {
  description = "Memory of every function, in MB."
  type        = number
}

variable "timeout" {
  description = "Timeout of every function, in seconds."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of every function's log group."
  type        = number
}

variable "alarm_period_seconds" {
  description = "Period every alarm evaluates."
  type        = number
}

variable "alarm_actions" {
  description = "What every alarm notifies, when it fires and when it is over."
  type        = list(string)
}
