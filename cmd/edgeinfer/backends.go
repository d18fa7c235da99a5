package main

// The engines edgeinfer links: each registers itself as a runtime backend,
// and runtime.Open (the agent's way to open a model) picks one by the
// file's identifier. A new model format is one more import here.
import _ "github.com/edgeinfer/edgeinfer/runtime/tflite"
