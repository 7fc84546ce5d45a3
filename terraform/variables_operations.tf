# Variables of the abuse limits and of operations (monitoring.tf).

variable "send_burst" {
  description = "Sends (messages, typing signals, channel posts) one person may make at once before the steady rate applies (PARLEY_SEND_BURST)."
  type        = number
  default     = 30

  validation {
    condition     = var.send_burst >= 1 && floor(var.send_burst) == var.send_burst
    error_message = "send_burst must be a whole number of at least 1."
  }
}

variable "max_connections" {
  description = "Open realtime connections one person may hold; past it the oldest is closed (PARLEY_MAX_CONNECTIONS)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_connections >= 1 && floor(var.max_connections) == var.max_connections
    error_message = "max_connections must be a whole number of at least 1."
  }
}

variable "frame_burst" {
  description = "Frames (acks, pings, any client frame but typing) one person may send at once before the steady rate applies (PARLEY_FRAME_BURST)."
  type        = number
  default     = 60

  validation {
    condition     = var.frame_burst >= 1 && floor(var.frame_burst) == var.frame_burst
    error_message = "frame_burst must be a whole number of at least 1."
  }
}

variable "frames_per_minute" {
  description = "Frames per minute one person may send after a burst (PARLEY_FRAMES_PER_MINUTE)."
  type        = number
  default     = 120

  validation {
    condition     = var.frames_per_minute >= 1 && floor(var.frames_per_minute) == var.frames_per_minute
    error_message = "frames_per_minute must be a whole number of at least 1."
  }
}

variable "send_per_minute" {
  description = "Sends per minute one person may make after a burst (PARLEY_SEND_PER_MINUTE)."
  type        = number
  default     = 60

  validation {
    condition     = var.send_per_minute >= 1 && floor(var.send_per_minute) == var.send_per_minute
    error_message = "send_per_minute must be a whole number of at least 1."
  }
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarms topic; empty for none (subscribe other endpoints to the topic output instead). The address must confirm the subscription."
  type        = string
  default     = ""

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address or empty."
  }
}

variable "alarm_period_seconds" {
  description = "Period over which every alarm evaluates its metric, in seconds."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 300, 900, 3600], var.alarm_period_seconds)
    error_message = "alarm_period_seconds must be 60, 300, 900 or 3600."
  }
}

variable "alarm_push_failure_rate_percent" {
  description = "Alarm when more than this percentage of realtime pushes fail over a period (gone connections do not count as failures)."
  type        = number
  default     = 5
}

variable "alarm_api_5xx_threshold" {
  description = "Alarm when the REST API answers more than this many 5xx responses over a period."
  type        = number
  default     = 5
}
