module github.com/edgeinfer/edgeinfer

go 1.26

require (
	github.com/eclipse/paho.mqtt.golang v1.5.1
	github.com/hashicorp/go-retryablehttp v0.7.8
	go.etcd.io/bbolt v1.4.3
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/sys v0.36.0
)

require (
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	golang.org/x/net v0.44.0 // indirect
	golang.org/x/sync v0.17.0 // indirect
)
