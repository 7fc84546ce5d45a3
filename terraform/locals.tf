locals {
  # functions is the one table of Parley's route functions: every REST and
  # WebSocket route, each with its own Lambda (modules/functions: function,
  # log group, role and policy, alarms). Per function:
  # - api: "http" (the REST API) or "websocket" (the realtime API);
  # - route: a REST route's HTTP method (its path is /<name>), a WebSocket
  #   route's route key;
  # - dynamodb_actions: its least privilege, the only DynamoDB actions its role
  #   may call, and only on the table (the store test proves each list is
  #   exactly what the function calls);
  # - pushes: whether it pushes events to WebSocket connections; only those get
  #   the @connections endpoint and execute-api:ManageConnections.
  # The same routes are apigateway.Routes and apigateway.WebSocketRoutes in Go
  # and the folders of lambdas/; terraform_test.go proves they agree. The feed
  # Lambda serves no route: feeds.tf adds it to the module's map.
  functions = {
    "add-contact"     = { api = "http", route = "POST", pushes = true, dynamodb_actions = ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:GetItem"] }
    "get-contacts"    = { api = "http", route = "GET", pushes = false, dynamodb_actions = ["dynamodb:Query", "dynamodb:GetItem"] }
    "block-contact"   = { api = "http", route = "POST", pushes = true, dynamodb_actions = ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:GetItem"] }
    "unblock-contact" = { api = "http", route = "POST", pushes = true, dynamodb_actions = ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:GetItem"] }
    "report-contact"  = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"] }
    "add-message"     = { api = "http", route = "POST", pushes = true, dynamodb_actions = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"] }
    "get-messages"    = { api = "http", route = "GET", pushes = false, dynamodb_actions = ["dynamodb:Query", "dynamodb:GetItem"] }
    "ack"             = { api = "http", route = "POST", pushes = true, dynamodb_actions = ["dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchWriteItem"] }
    "create-channel"  = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:PutItem", "dynamodb:UpdateItem"] }
    "add-publisher"   = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"] }
    "post-to-channel" = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"] }
    "delete-post"     = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"] }
    "ws-connect"      = { api = "websocket", route = "$connect", pushes = true, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] }
    "ws-disconnect"   = { api = "websocket", route = "$disconnect", pushes = false, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:BatchWriteItem"] }
    "ws-default"      = { api = "websocket", route = "$default", pushes = true, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"] }

    # Web Push notifications (notifications.tf); push-key reads SSM, and the
    # account item as every route does to check a token (Authorize).
    "push-key"                 = { api = "http", route = "GET", pushes = false, dynamodb_actions = ["dynamodb:GetItem"] }
    "add-push-subscription"    = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:UpdateItem", "dynamodb:GetItem"] }
    "remove-push-subscription" = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:BatchWriteItem", "dynamodb:GetItem"] }

    # Unsend, delete an account, export one (core/messages.go, core/account.go).
    "delete-message" = { api = "http", route = "POST", pushes = true, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"] }
    "delete-account" = { api = "http", route = "POST", pushes = true, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"] }
    "export"         = { api = "http", route = "POST", pushes = false, dynamodb_actions = ["dynamodb:GetItem", "dynamodb:Query"] }
  }

  # account_erasers are the functions that erase whole accounts
  # (delete-account): only they close a person's connections (DELETE on
  # @connections) and delete their user from the pool (AdminDeleteUser).
  account_erasers = ["delete-account"]

  # exporters are the functions that write export documents (export): only
  # they write to, and presign reads of, the exports bucket.
  exporters = ["export"]

  # Derived from local.functions: the REST routes (name -> method), driving
  # the HTTP API's routes and integrations, and the WebSocket routes (name ->
  # route key), driving the realtime API's.
  lambdas           = { for name, f in local.functions : name => f.route if f.api == "http" }
  websocket_lambdas = { for name, f in local.functions : name => f.route if f.api == "websocket" }

  prefix = "${var.name}-${var.environment}"

  # Every role of the stack lives under this IAM path, and the deploy role of
  # terraform/bootstrap may create and change roles under it only: a path is
  # delimited, so no other environment's roles can match it.
  role_path = "/${var.name}/${var.environment}/"

  # ParleyStack names the stack that owns a resource. The deploy role acts on
  # what AWS names by generated IDs (APIs, user pools, distributions, their
  # policies, the stream mapping) only when it carries this stack's tag, and
  # may never change or remove that tag (terraform/bootstrap).
  tags = merge(var.tags, {
    Application = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
    ParleyStack = local.prefix
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

  # The WebSocket API's stage: browsers connect to ws_url, through CloudFront
  # (/ws, hosting.tf) so the WAF limits handshakes per IP (waf.tf); Lambdas
  # post to its connections at ws_callback_url, the API's own endpoint.
  ws_stage        = "ws"
  ws_url          = "wss://${coalesce(var.custom_domain, aws_cloudfront_distribution.spa.domain_name)}/${local.ws_stage}"
  ws_callback_url = "https://${aws_apigatewayv2_api.websocket.id}.execute-api.${local.region}.amazonaws.com/${local.ws_stage}"

  cognito_issuer        = "https://cognito-idp.${local.region}.amazonaws.com/${aws_cognito_user_pool.users.id}"
  cognito_domain_prefix = coalesce(var.cognito_domain_prefix, "${local.prefix}-${local.account_id}")
  cognito_domain_url    = "https://${aws_cognito_user_pool_domain.users.domain}.auth.${local.region}.amazoncognito.com"
}
