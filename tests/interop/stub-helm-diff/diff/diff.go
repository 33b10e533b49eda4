// Package diff is the part of helm-diff's API that atmos calls.
package diff

import (
	"io"

	"github.com/databus23/helm-diff/v3/manifest"
)

// Options are the report options atmos sets.
type Options struct {
	OutputFormat  string
	OutputContext int
	ShowSecrets   bool
}

// Manifests panics; atmos recovers and reports an error (ErrHelmDiffFailed).
func Manifests(_, _ map[string]*manifest.MappingResult, _ *Options, _ io.Writer) bool {
	panic("helm-diff is not part of this interop build of atmos")
}
