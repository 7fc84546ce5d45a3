locals {
  # lambdas maps every REST route to its HTTP method; one for_each over it
  # drives the function, its log group, role, route, integration and permission.
  # The same routes are apigateway.Routes in Go and the folders of lambdas/;
  # terraform_test.go proves the three agree. Every other lambda_* map below is
  # keyed by exactly these routes.
  lambdas = {
    "add-contact"     = "POST"
    "get-contacts"    = "GET"
    "block-contact"   = "POST"
    "unblock-contact" = "POST"
    "report-contact"  = "POST"
    "add-message"     = "POST"
    "get-messages"    = "GET"
    "ack"             = "POST"
    "create-channel"  = "POST"
    "add-publisher"   = "POST"
    "post-to-channel" = "POST"
    "delete-post"     = "POST"
  }

  # websocket_lambdas maps every route of the realtime WebSocket API to its
  # route key; apigateway.WebSocketRoutes in Go names the same.
  websocket_lambdas = {
    "ws-connect"    = "$connect"
    "ws-disconnect" = "$disconnect"
    "ws-default"    = "$default"
  }

  # functions are all of Parley's Lambdas: one per REST and WebSocket route.
  # Every lambda_* map below is keyed by exactly these.
  functions = merge(local.lambdas, local.websocket_lambdas)

  # lambda_dynamodb_actions is the least privilege of each function: the only
  # DynamoDB actions its role may call, and only on the table. The store test
  # proves each list is exactly what the function calls.
  lambda_dynamodb_actions = {
    "add-contact"     = ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"]
    "get-contacts"    = ["dynamodb:Query"]
    "block-contact"   = ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"]
    "unblock-contact" = ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"]
    "report-contact"  = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    "add-message"     = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"]
    "get-messages"    = ["dynamodb:Query", "dynamodb:GetItem"]
    "ack"             = ["dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchWriteItem"]
    "create-channel"  = ["dynamodb:PutItem"]
    "add-publisher"   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    "post-to-channel" = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"]
    "delete-post"     = ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"]
    "ws-connect"      = ["dynamodb:GetItem", "dynamodb:BatchWriteItem"]
    "ws-disconnect"   = ["dynamodb:GetItem", "dynamodb:BatchWriteItem"]
    "ws-default"      = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]
  }

  # lambda_pushes says which functions push events to WebSocket connections:
  # only those get the @connections endpoint and execute-api:ManageConnections.
  lambda_pushes = {
    "add-contact"     = true
    "get-contacts"    = false
    "block-contact"   = true
    "unblock-contact" = true
    "report-contact"  = false
    "add-message"     = true
    "get-messages"    = false
    "ack"             = true
    "create-channel"  = false
    "add-publisher"   = false
    "post-to-channel" = false
    "delete-post"     = false
    "ws-connect"      = false
    "ws-disconnect"   = false
    "ws-default"      = true
  }

  prefix = "${var.name}-${var.environment}"

  tags = merge(var.tags, {
    Application = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  repository_root      = "${path.module}/.."
  lambda_artifacts_dir = coalesce(var.lambda_artifacts_dir, "${local.repository_root}/out")
  spa_dist_dir         = coalesce(var.spa_dist_dir, "${local.repository_root}/frontend/dist")

  # The SPA and its API share one origin: CloudFront serves the SPA from S3 and
  # sends /api/* to the API's stage named "api" (see api.tf and hosting.tf).
  spa_origin = "https://${coalesce(var.custom_domain, aws_cloudfront_distribution.spa.domain_name)}"
  spa_url    = "${local.spa_origin}/"
  api_stage  = "api"
  api_url    = "${local.spa_origin}/${local.api_stage}"

  # The WebSocket API's stage: browsers connect to ws_url; Lambdas post to
  # its connections at ws_callback_url.
  ws_stage        = "ws"
  ws_url          = "${aws_apigatewayv2_api.websocket.api_endpoint}/${local.ws_stage}"
  ws_callback_url = "https://${aws_apigatewayv2_api.websocket.id}.execute-api.${local.region}.amazonaws.com/${local.ws_stage}"

  cognito_issuer        = "https://cognito-idp.${local.region}.amazonaws.com/${aws_cognito_user_pool.users.id}"
  cognito_domain_prefix = coalesce(var.cognito_domain_prefix, "${local.prefix}-${local.account_id}")
  cognito_domain_url    = "https://${aws_cognito_user_pool_domain.users.domain}.auth.${local.region}.amazoncognito.com"
}
