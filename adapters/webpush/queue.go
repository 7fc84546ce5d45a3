package webpush

import (
	"context"
	"sync"
)

// Queue notifies in the background, for the local server: what the notify
// Lambda does from the table's stream in AWS. A send, an ack or an unsend
// only hands its job over (core.WithSentMessages, WithReadConversations,
// WithUnsentMessages), so neither a slow push service nor a failing one
// slows or fails it; when the queue is full the job is dropped, as a record
// the stream gave up on would be.
type Queue struct {
	jobs    chan func(context.Context)
	dropped func(what string)
	done    sync.WaitGroup
}

// NewQueue starts workers that run each job handed over, holding at most
// size waiting; dropped hears what each job that found the queue full was.
// Close stops them.
func NewQueue(size, workers int, dropped func(what string)) *Queue {
	q := &Queue{jobs: make(chan func(context.Context), size), dropped: dropped}
	for range workers {
		q.done.Go(func() {
			for job := range q.jobs {
				job(context.Background())
			}
		})
	}
	return q
}

// Add hands job over without waiting; what names it if it is dropped.
func (q *Queue) Add(what string, job func(context.Context)) {
	select {
	case q.jobs <- job:
	default:
		q.dropped(what)
	}
}

// Close stops taking jobs and waits for the workers to run those already
// queued.
func (q *Queue) Close() {
	close(q.jobs)
	q.done.Wait()
}
