terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # Partial configuration: CI passes bucket, key and region with -backend-config
  # (see README.md). Local runs and the tests override it with a local backend.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
