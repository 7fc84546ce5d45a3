terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # Applied once per account by a person, with local state: it creates the
  # bucket that holds every other state. Keep terraform.tfstate safe, or import.
}
