// Package mqttlink is edgeinfer's MQTT connection: it connects to a broker
// (mqtt:// or mqtts:// with a CA, a client certificate and key, and a
// username and password), reconnects by itself with backoff, subscribes
// again to every filter after each reconnect, and sets a retained last-will
// message. It is the only package that imports eclipse/paho.mqtt.golang, so
// callers see plain topics, payloads and contexts.
package mqttlink
