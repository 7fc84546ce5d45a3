package apigateway

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// The routes of Web Push notifications. Their fields are checked by core,
// which names the one at fault ("keys.p256dh").

type pushKeyResponse struct {
	PublicKey string `json:"publicKey"`
}

type pushSubscriptionKeys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

type addPushSubscriptionRequest struct {
	Endpoint string               `json:"endpoint"`
	Keys     pushSubscriptionKeys `json:"keys"`
	Previews *bool                `json:"previews"`
}

type removePushSubscriptionRequest struct {
	Endpoint string `json:"endpoint"`
}

type pushSubscriptionResponse struct {
	Endpoint string `json:"endpoint"`
}

func (h *Handler) pushKey(context.Context, core.Caller, events.APIGatewayV2HTTPRequest) (int, any, error) {
	key, err := h.service.PushKey()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pushKeyResponse{PublicKey: key}, nil
}

func (h *Handler) addPushSubscription(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in addPushSubscriptionRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	created, err := h.service.AddPushSubscription(ctx, caller, core.AddPushSubscriptionInput{
		Endpoint: in.Endpoint, P256dh: in.Keys.P256dh, Auth: in.Keys.Auth, Previews: in.Previews,
	})
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return status, pushSubscriptionResponse{Endpoint: in.Endpoint}, nil
}

func (h *Handler) removePushSubscription(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in removePushSubscriptionRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	if err := h.service.RemovePushSubscription(ctx, caller, in.Endpoint); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pushSubscriptionResponse{Endpoint: in.Endpoint}, nil
}
