package webpush

import (
	"context"
	"sync"

	"github.com/parley-chat/parley/core"
)

// Queue notifies sent messages in the background, for the local server:
// what the notify Lambda does from the table's stream in AWS. A send only
// hands its message over (core.WithSentMessages), so neither a slow push
// service nor a failing one slows or fails it; when the queue is full the
// message notifies nobody, as a record the stream gave up on would.
type Queue struct {
	messages chan core.Message
	notify   func(context.Context, core.Message)
	dropped  func(core.Message)
	done     sync.WaitGroup
}

// NewQueue starts workers that call notify for each message handed over,
// holding at most size waiting; dropped hears of each message that found
// the queue full. Close stops them.
func NewQueue(size, workers int, notify func(context.Context, core.Message), dropped func(core.Message)) *Queue {
	q := &Queue{messages: make(chan core.Message, size), notify: notify, dropped: dropped}
	for range workers {
		q.done.Go(func() {
			for m := range q.messages {
				q.notify(context.Background(), m)
			}
		})
	}
	return q
}

// Add hands m over without waiting: the option core.WithSentMessages takes.
func (q *Queue) Add(m core.Message) {
	select {
	case q.messages <- m:
	default:
		q.dropped(m)
	}
}

// Close stops taking messages and waits for the workers to notify those
// already queued.
func (q *Queue) Close() {
	close(q.messages)
	q.done.Wait()
}
