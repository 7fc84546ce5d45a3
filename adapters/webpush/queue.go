package webpush

import (
	"context"
	"sync"

	"github.com/parley-chat/parley/core"
)

// Queue notifies sent messages and read conversations in the background,
// for the local server: what the notify Lambda does from the table's stream
// in AWS. A send or an ack only hands its message or read over
// (core.WithSentMessages, core.WithReadConversations), so neither a slow
// push service nor a failing one slows or fails it; when the queue is full
// it notifies nobody, as a record the stream gave up on would.
type Queue struct {
	jobs       chan func(context.Context)
	notify     func(context.Context, core.Message)
	notifyRead func(context.Context, core.ConversationRead)
	dropped    func(what string)
	done       sync.WaitGroup
}

// NewQueue starts workers that call notify for each message handed over and
// notifyRead for each read, holding at most size waiting; dropped hears of
// each (its message ID, or "read") that found the queue full. Close stops
// them.
func NewQueue(size, workers int, notify func(context.Context, core.Message), notifyRead func(context.Context, core.ConversationRead), dropped func(what string)) *Queue {
	q := &Queue{jobs: make(chan func(context.Context), size), notify: notify, notifyRead: notifyRead, dropped: dropped}
	for range workers {
		q.done.Go(func() {
			for job := range q.jobs {
				job(context.Background())
			}
		})
	}
	return q
}

// Add hands m over without waiting: the option core.WithSentMessages takes.
func (q *Queue) Add(m core.Message) {
	q.add(m.ID, func(ctx context.Context) { q.notify(ctx, m) })
}

// AddRead hands r over without waiting: the option
// core.WithReadConversations takes.
func (q *Queue) AddRead(r core.ConversationRead) {
	q.add("read", func(ctx context.Context) { q.notifyRead(ctx, r) })
}

func (q *Queue) add(what string, job func(context.Context)) {
	select {
	case q.jobs <- job:
	default:
		q.dropped(what)
	}
}

// Close stops taking messages and waits for the workers to notify those
// already queued.
func (q *Queue) Close() {
	close(q.jobs)
	q.done.Wait()
}
