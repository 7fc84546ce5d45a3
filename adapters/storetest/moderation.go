package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

func testReporting(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ReportIsSetOnTheContactAndKeptWithEvidence", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddEachOther(t, alice, bob)
		var sent []core.Message
		for i := range core.ReportEvidenceLength + 3 {
			sent = append(sent, f.MustSend(t, bob, alice, fmt.Sprintf("spam %d", i)))
		}

		contact, err := f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "  sends spam  ")
		require.NoError(t, err)
		assert.Equal(t, "sends spam", contact.Report)

		reports, err := f.Store.Reports(ctx, bob)
		require.NoError(t, err)
		require.Len(t, reports, 1)
		report := reports[0]
		assert.Equal(t, alice, report.Reporter)
		assert.Equal(t, bob, report.Reported)
		assert.Equal(t, "sends spam", report.Text)
		assert.Equal(t, f.Now(), report.Date)
		assert.Equal(t, sent[len(sent)-core.ReportEvidenceLength:], report.Evidence)
	})

	t.Run("ErrNotFoundReportingAStranger", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		_, err := f.Service.ReportContact(ctx, f.Caller(t, f.Email("alice")), f.Email("bob"), "who is this")
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		reports, err := f.Store.Reports(ctx, f.Email("bob"))
		require.NoError(t, err)
		assert.Empty(t, reports)
	})
}

// testReportQueue is the contract of the operators' queue of reports and of suspensions.
// Long by design: a contract suite is a list of independent subtests, each read alone.
func testReportQueue(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	// mine pages through every open report and keeps f's.
	mine := func(t *testing.T, f *Fixture, moderator *core.Moderator) []core.Report {
		t.Helper()
		var reports []core.Report
		after := ""
		for range 1000 {
			page, err := moderator.OpenReports(ctx, after, 3)
			require.NoError(t, err)
			for _, r := range page {
				if r.Reported == f.Email("bob") || r.Reported == f.Email("carol") {
					reports = append(reports, r)
				}
			}
			if len(page) < 3 {
				return reports
			}
			after = page[len(page)-1].ID
		}
		t.Fatal("open reports never ended")
		return nil
	}
	ids := func(reports []core.Report) []string {
		out := make([]string, len(reports))
		for i, r := range reports {
			out[i] = r.ID
		}
		return out
	}
	report := func(t *testing.T, f *Fixture, reporter, reported, text string) core.Report {
		t.Helper()
		f.MustAddContact(t, reporter, reported)
		_, err := f.Service.ReportContact(ctx, f.Caller(t, reporter), reported, text)
		require.NoError(t, err)
		got, err := f.Store.Reports(ctx, reported)
		require.NoError(t, err)
		for _, r := range got {
			if r.Reporter == reporter && r.Text == text {
				return r
			}
		}
		t.Fatalf("report %q not kept", text)
		return core.Report{}
	}

	t.Run("OpenReportsOldestFirstThenDismissed", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		moderator := core.NewModerator(budgetOf(t, f), f.Now)
		alice, bob, carol, dave := f.Email("alice"), f.Email("bob"), f.Email("carol"), f.Email("dave")
		f.MustAddContact(t, bob, alice)
		f.MustSend(t, bob, alice, "buy my stuff")
		first := report(t, f, alice, bob, "spam")
		second := report(t, f, dave, bob, "spam too")
		third := report(t, f, alice, carol, "rude")
		_, err := f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "spam")
		require.NoError(t, err, "a retried report")

		open := mine(t, f, moderator)
		assert.Equal(t, []string{first.ID, second.ID, third.ID}, ids(open), "each report once, oldest first")
		for _, r := range open {
			assert.Empty(t, r.Resolution)
		}

		shown, err := moderator.Report(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, alice, shown.Reporter)
		assert.Equal(t, bob, shown.Reported)
		assert.Equal(t, "spam", shown.Text)
		require.Len(t, shown.Evidence, 1)
		assert.Equal(t, "buy my stuff", shown.Evidence[0].Text)

		f.Advance(time.Minute)
		require.NoError(t, moderator.Dismiss(ctx, first.ID))
		assert.Equal(t, []string{second.ID, third.ID}, ids(mine(t, f, moderator)))
		dismissed, err := moderator.Report(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, core.ResolutionDismissed, dismissed.Resolution)
		assert.True(t, dismissed.Closed.Equal(f.Now()), "closed at %v", dismissed.Closed)
		assert.Len(t, dismissed.Evidence, 1, "a closed report keeps its evidence")
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(moderator.Dismiss(ctx, first.ID)), "dismissed twice")
	})

	t.Run("UnknownReports", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		moderator := core.NewModerator(budgetOf(t, f), f.Now)
		_, err := moderator.Report(ctx, "no-such-report-"+f.runID)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(moderator.Dismiss(ctx, "no-such-report-"+f.runID)))
		_, err = moderator.Report(ctx, "not an id")
		assert.Equal(t, core.EINVALID, core.ErrorCode(err))
		_, err = moderator.OpenReports(ctx, "", core.MaxOpenReportsPage+1)
		assert.Equal(t, core.EINVALID, core.ErrorCode(err))
	})

	t.Run("SuspendingClosesTheReportsAboutThatAccount", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		moderator := core.NewModerator(budgetOf(t, f), f.Now)
		alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
		first := report(t, f, alice, bob, "spam")
		other := report(t, f, alice, carol, "rude")

		suspension, err := moderator.Suspend(ctx, upper(bob), "sent spam to "+fmt.Sprint(1)+" person")
		require.NoError(t, err)
		assert.Equal(t, bob, suspension.Email)
		got, err := moderator.Suspension(ctx, bob)
		require.NoError(t, err)
		assert.Equal(t, suspension, got)
		assert.Equal(t, []string{other.ID}, ids(mine(t, f, moderator)))
		closed, err := moderator.Report(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, core.ResolutionSuspended, closed.Resolution)

		require.NoError(t, moderator.Reinstate(ctx, bob))
		_, err = moderator.Suspension(ctx, bob)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(moderator.Reinstate(ctx, bob)))
		_, err = moderator.Suspend(ctx, bob, " ")
		assert.Equal(t, core.EINVALID, core.ErrorCode(err), "a suspension names its reason")
	})
}
