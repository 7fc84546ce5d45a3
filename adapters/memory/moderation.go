package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/parley-chat/parley/core"
)

var _ core.ModerationBackend = (*Store)(nil)

// Suspension implements core.SendBudget.
func (s *Store) Suspension(_ context.Context, email string) (core.Suspension, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	suspension, ok := s.suspensions[email]
	if !ok {
		return core.Suspension{}, core.Errorf(core.ENOTFOUND, "%s is not suspended.", email)
	}
	return suspension, nil
}

// Suspend implements core.Suspensions.
func (s *Store) Suspend(_ context.Context, suspension core.Suspension) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suspensions[suspension.Email] = suspension
	return nil
}

// Reinstate implements core.Suspensions.
func (s *Store) Reinstate(_ context.Context, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.suspensions[email]; !ok {
		return core.Errorf(core.ENOTFOUND, "%s is not suspended.", email)
	}
	delete(s.suspensions, email)
	return nil
}

// OpenReports implements core.ReportQueue.
func (s *Store) OpenReports(_ context.Context, after string, limit int) ([]core.Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	open := []core.Report{}
	for _, reports := range s.reports {
		for _, r := range reports {
			if r.Resolution == "" && r.ID > after {
				open = append(open, r)
			}
		}
	}
	slices.SortFunc(open, func(a, b core.Report) int { return cmp.Compare(a.ID, b.ID) })
	return open[:min(limit, len(open))], nil
}

// Report implements core.ReportQueue.
func (s *Store) Report(_ context.Context, id string) (core.Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, _, ok := s.findReport(id)
	if !ok {
		return core.Report{}, core.Errorf(core.ENOTFOUND, "There is no report %s.", id)
	}
	r.Evidence = s.evidence(r)
	return r, nil
}

// CloseReport implements core.ReportQueue.
func (s *Store) CloseReport(_ context.Context, id string, resolution core.Resolution, date time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, i, ok := s.findReport(id)
	if !ok || r.Resolution != "" {
		return core.Errorf(core.ENOTFOUND, "There is no open report %s.", id)
	}
	r.Resolution, r.Closed = resolution, date
	s.reports[r.Reported][i] = r
	return nil
}

// evidence reads r's evidence (core.Report.EvidenceQuery), or the evidence
// kept with it when a message of its conversation was erased, for a caller
// that holds s.mu.
func (s *Store) evidence(r core.Report) []core.Message {
	if r.Evidence != nil {
		return r.Evidence
	}
	q := r.EvidenceQuery()
	return s.messages(q.Reader, q.With, q.Before, q.Limit)
}

// keepEvidence keeps, with every report of u's conversation filed after
// message u.ID, its evidence as it is now, before u erases a message, for a
// caller that holds s.mu.
func (s *Store) keepEvidence(u core.Unsend) {
	for _, reported := range []string{u.Sender, u.Recipient} {
		for i, r := range s.reports[reported] {
			if r.Evidence == nil && (r.Reporter == u.Sender || r.Reporter == u.Recipient) && r.HoldsAsEvidence(u.ID) {
				s.reports[reported][i].Evidence = s.evidence(r)
			}
		}
	}
}

// findReport returns the report with id and its index among the reports
// about the same person, for a caller that holds s.mu.
func (s *Store) findReport(id string) (core.Report, int, bool) {
	for _, reports := range s.reports {
		if i := slices.IndexFunc(reports, func(r core.Report) bool { return r.ID == id }); i >= 0 {
			return reports[i], i, true
		}
	}
	return core.Report{}, 0, false
}

// ReportContact implements core.ContactStore.
func (s *Store) ReportContact(_ context.Context, r core.Report) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{r.Reporter, r.Reported}
	contact, ok := s.contacts[key]
	if !ok {
		return core.Contact{}, core.ErrNotAContact(r.Reported)
	}
	contact.Report = r.Text
	s.contacts[key] = contact
	if !slices.ContainsFunc(s.reports[r.Reported], func(kept core.Report) bool { return kept.Reporter == r.Reporter && kept.Text == r.Text }) {
		r.Evidence = nil
		s.reports[r.Reported] = append(s.reports[r.Reported], r)
	}
	return contact, nil
}

// Reports implements core.ModerationStore.
func (s *Store) Reports(_ context.Context, reported string) ([]core.Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reports := make([]core.Report, 0, len(s.reports[reported]))
	for _, r := range s.reports[reported] {
		r.Evidence = s.evidence(r)
		reports = append(reports, r)
	}
	return reports, nil
}
