variable "bucket" {
  description = "Name of the bucket."
  type        = string
}

variable "force_destroy" {
  description = "Let destroy delete a bucket that still holds objects (for contents that can be rebuilt)."
  type        = bool
  default     = false
}

variable "distribution_arn" {
  description = "The CloudFront distribution that alone may read the bucket, through origin access control."
  type        = string
}

variable "read_prefix" {
  description = "Key prefix CloudFront may read (\"\" for the whole bucket, \"feeds/\" for feeds/*)."
  type        = string
  default     = ""
}

variable "objects_called" {
  description = "What the objects are, in the statement IDs of the bucket policy: CloudFrontReads<Objects>, CloudFrontLists<Objects>."
  type        = string
}

variable "deny_insecure_transport" {
  description = "Deny every non-TLS request to the bucket. Off only for emulators that ignore policy conditions."
  type        = bool
}

variable "extra_policy_documents" {
  description = "More policy documents (JSON) whose statements the bucket policy ends with."
  type        = list(string)
  default     = []
}
