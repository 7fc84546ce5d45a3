package apigateway

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// The routes of public live feeds: a channel's owner creates it and names
// its publishers; they post; the owner deletes posts. Reading is not a route:
// readers poll the channel's snapshot (adapters/feed).

type createChannelRequest struct {
	Channel string `json:"channel" validate:"required"`
	Title   string `json:"title" validate:"required"`
	Name    string `json:"name"`
}

type addPublisherRequest struct {
	Channel string `json:"channel" validate:"required"`
	Email   string `json:"email" validate:"required"`
	Name    string `json:"name" validate:"required"`
}

type postToChannelRequest struct {
	Channel  string `json:"channel" validate:"required"`
	Message  string `json:"message" validate:"required"`
	ClientID string `json:"clientId"`
}

type deletePostRequest struct {
	Channel string `json:"channel" validate:"required"`
	ID      string `json:"id" validate:"required"`
}

type channelResponse struct {
	Channel   string `json:"channel"`
	Title     string `json:"title"`
	Owner     string `json:"owner"`
	CreatedAt string `json:"createdAt"`
	// Feed is the path of the channel's public snapshot.
	Feed string `json:"feed"`
}

type publisherResponse struct {
	Channel string `json:"channel"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	AddedAt string `json:"addedAt"`
}

type postResponse struct {
	ID       string `json:"id"`
	Channel  string `json:"channel"`
	Author   string `json:"author"`
	Message  string `json:"message"`
	Date     string `json:"date"`
	ClientID string `json:"clientId,omitempty"`
}

type deletedPostResponse struct {
	Channel string `json:"channel"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// FeedPath is the path readers poll for channel's snapshot, under the SPA's
// origin (CloudFront's /feeds/* behaviour, or the local server).
func FeedPath(channel string) string { return "/feeds/" + channel + ".json" }

func (h *Handler) createChannel(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in createChannelRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	c, err := h.service.CreateChannel(ctx, caller, core.CreateChannelInput{Channel: in.Channel, Title: in.Title, Name: in.Name})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, channelResponse{
		Channel: c.ID, Title: c.Title, Owner: c.Owner, CreatedAt: formatTime(c.CreatedAt), Feed: FeedPath(c.ID),
	}, nil
}

func (h *Handler) addPublisher(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in addPublisherRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	p, err := h.service.AddPublisher(ctx, caller, core.AddPublisherInput{Channel: in.Channel, Email: in.Email, Name: in.Name})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, publisherResponse{Channel: p.Channel, Email: p.Email, Name: p.Name, AddedAt: formatTime(p.AddedAt)}, nil
}

func (h *Handler) postToChannel(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in postToChannelRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	p, created, err := h.service.PostToChannel(ctx, caller, core.PostInput{Channel: in.Channel, Text: in.Message, ClientID: in.ClientID})
	if err != nil {
		return 0, nil, err
	}
	return createdOrOK(created), postResponse{
		ID: p.ID, Channel: p.Channel, Author: p.AuthorName, Message: p.Text, Date: formatTime(p.Date), ClientID: p.ClientID,
	}, nil
}

func (h *Handler) deletePost(ctx context.Context, caller core.Caller, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in deletePostRequest
	if err := h.decode(req.Body, &in); err != nil {
		return 0, nil, err
	}
	if err := h.service.DeletePost(ctx, caller, in.Channel, in.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, deletedPostResponse{Channel: in.Channel, ID: in.ID, Deleted: true}, nil
}
