module github.com/edgeinfer/edgeinfer

go 1.26

require (
	github.com/hashicorp/go-retryablehttp v0.7.8
	go.etcd.io/bbolt v1.4.3
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/sys v0.29.0
)

require github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
