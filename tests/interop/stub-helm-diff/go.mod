// Stands in for github.com/databus23/helm-diff/v3, which the Go module proxy
// reachable here does not serve.  atmos imports it only for `atmos helm diff`
// (pkg/component/helm/diff.go), which the interop tests never run.
module github.com/databus23/helm-diff/v3

go 1.22
