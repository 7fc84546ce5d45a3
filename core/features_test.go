package core_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// featureMapDoc is the document whose feature map this test keeps true.
var featureMapDoc = filepath.Join("..", "docs", "architecture.md")

// storeLayers are the columns of the map where a feature's file is named
// after the feature, with the folder each names.
var storeLayers = map[string]string{
	"core":      "core",
	"memory":    "adapters/memory",
	"dynamodb":  "adapters/dynamodb",
	"storetest": "adapters/storetest",
}

// goColumns are the columns of the map this test reads: every Go layer, and
// the SPA's.
var goColumns = []string{"core", "memory", "dynamodb", "storetest", "lambdas", "other adapters", "SPA"}

// spaFeatures is the folder of the SPA's features, each named after one.
const spaFeatures = "frontend/src/features"

// featureRow is one feature of the map: the paths it names in each column.
type featureRow struct {
	feature string
	cells   map[string][]string
}

var backticked = regexp.MustCompile("`([^`]+)`")

// readFeatureMap parses the table under "## The feature map" of the doc.
func readFeatureMap(t *testing.T) []featureRow {
	t.Helper()
	doc, err := os.ReadFile(featureMapDoc)
	require.NoError(t, err)
	_, section, found := strings.Cut(string(doc), "\n## The feature map\n")
	require.True(t, found, "%s has a section \"The feature map\"", featureMapDoc)
	var header []string
	var rows []featureRow
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "## ") {
			break
		}
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case header == nil:
			header = cells
		case strings.HasPrefix(cells[0], "---"):
		default:
			row := featureRow{feature: cells[0], cells: map[string][]string{}}
			for i, cell := range cells[1:] {
				for _, m := range backticked.FindAllStringSubmatch(cell, -1) {
					row.cells[header[i+1]] = append(row.cells[header[i+1]], m[1])
				}
			}
			rows = append(rows, row)
		}
	}
	for _, column := range goColumns {
		require.Contains(t, header, column, "the feature map has a column %q", column)
	}
	require.NotEmpty(t, rows, "the feature map has rows")
	return rows
}

// TestFeatureMapNamesEveryFileOfEveryLayer keeps docs/architecture.md's
// feature map true: every file it names exists, a feature's file in core and
// in each store layer bears the feature's name, and every production file of
// those layers and every Lambda is in the map.
func TestFeatureMapNamesEveryFileOfEveryLayer(t *testing.T) {
	rows := readFeatureMap(t)
	mapped := map[string]bool{}
	for _, row := range rows {
		t.Run(row.feature, func(t *testing.T) {
			for _, column := range goColumns {
				for _, path := range row.cells[column] {
					mapped[strings.TrimSuffix(path, "/")] = true
					_, err := os.Stat(filepath.Join("..", path))
					assert.NoError(t, err, "%s names %s for %s, which is missing", featureMapDoc, path, row.feature)
				}
			}
			if row.feature == "shared" {
				return
			}
			if spa := row.cells["SPA"]; len(spa) > 0 && row.feature != "feed" {
				assert.Equal(t, []string{spaFeatures + "/" + row.feature + "/"}, spa,
					"the SPA layer of %s is its folder named after it", row.feature)
			}
			for column, folder := range storeLayers {
				paths := row.cells[column]
				if len(paths) == 0 {
					continue
				}
				assert.Equal(t, []string{folder + "/" + row.feature + ".go"}, paths,
					"the %s layer of %s is one file named after it", column, row.feature)
			}
		})
	}

	t.Run("EveryProductionFileIsMapped", func(t *testing.T) {
		for _, folder := range append(slices.Collect(maps.Values(storeLayers)), "lambdas") {
			files, err := filepath.Glob(filepath.Join("..", folder, "*.go"))
			require.NoError(t, err)
			for _, file := range files {
				if strings.HasSuffix(file, "_test.go") {
					continue
				}
				path := folder + "/" + filepath.Base(file)
				assert.True(t, mapped[path], "%s is in no row of the feature map of %s", path, featureMapDoc)
			}
		}
	})

	t.Run("EverySPAFeatureIsMapped", func(t *testing.T) {
		folders, err := os.ReadDir(filepath.Join("..", spaFeatures))
		require.NoError(t, err)
		require.NotEmpty(t, folders)
		for _, folder := range folders {
			path := spaFeatures + "/" + folder.Name()
			assert.True(t, mapped[path], "%s is in no row of the feature map of %s", path, featureMapDoc)
		}
	})

	t.Run("EveryLambdaIsMapped", func(t *testing.T) {
		mains, err := filepath.Glob(filepath.Join("..", "lambdas", "*", "main.go"))
		require.NoError(t, err)
		require.NotEmpty(t, mains)
		for _, main := range mains {
			path := "lambdas/" + filepath.Base(filepath.Dir(main))
			assert.True(t, mapped[path], "%s is in no row of the feature map of %s", path, featureMapDoc)
		}
	})
}
