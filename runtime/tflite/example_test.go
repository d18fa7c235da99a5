package tflite_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// tinyModel is a 600-byte TFLite model with one FULLY_CONNECTED operator:
// y = W x + b, x float32[1,4], W = [[1 2 3 4] [-1 -2 -3 -4]], b = [0.5 -0.5].
const tinyModel = "GAAAAFRGTDMOABgABAAIAAwAEAAUAAAAEAAAAAMAAAAQAAAANAAAAKQBAACwAQAAAQAAABQAAAAM" +
	"ABAABAAAAAgADAAAAAAAEAAAAAkAAAABAAAACQAAAAEAAAAUAAAADgAYAAQACAAMABAAFAAAABAA" +
	"AAAUAAAA+AAAAPwAAAAAAQAAPAEAAAQAAAAcAAAAUAAAAIQAAACwAAAADAAUAAQACAAMABAADAAA" +
	"ABAAAAAAAAAAAAAAABAAAAACAAAAAQAAAAQAAAABAAAAeAAMABQABAAIAAwAEAAAAAAAAAASAAAA" +
	"EAAAAAAAAAABAAAAEAAAAAIAAAACAAAABAAAAAEAAAB3AAwAFAAEAAgADAAQAAAAAAAAABIAAAAQ" +
	"AAAAAAAAAAIAAAAMAAAAAQAAAAIAAAABAAAAYgAMABQABAAIAAwAEAAAAA4AAAAQAAAAAAAAAAAA" +
	"AAAQAAAAAgAAAAEAAAACAAAAAQAAAHkAAAABAAAAAAAAAAEAAAADAAAAAQAAABQAAAAKABAABAAI" +
	"AAwAAAAAAAAAEAAAAAAAAAAIAAAAFAAAAAMAAAAAAAAAAQAAAAIAAAABAAAAAwAAAAQAAABtYWlu" +
	"AAAAAAoAAAB0ZXN0IG1vZGVsAAADAAAAEAAAABwAAABQAAAABAAEAAQAAAAGAAgABAAAAAAAAAAM" +
	"AAAACAAAAAAAAAAgAAAAAACAPwAAAEAAAEBAAACAQAAAgL8AAADAAABAwAAAgMAGAAgABAAAAAgA" +
	"AAAQAAAAAAAAAAAAAAAAAAAACAAAAAAAAD8AAAC/"

func ExampleOpen() {
	model, _ := base64.StdEncoding.DecodeString(tinyModel)
	dir, err := os.MkdirTemp("", "edgeinfer-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiny.tflite")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		fmt.Println(err)
		return
	}

	m, err := tflite.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	fmt.Println("inputs:", m.Inputs())
	fmt.Println("outputs:", m.Outputs())

	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	in := s.Input(0)
	for i, v := range []float32{1, 1, 1, 1} {
		binary.LittleEndian.PutUint32(in[4*i:], math.Float32bits(v))
	}
	if err := s.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	out := s.Output(0)
	fmt.Println("y =", math.Float32frombits(binary.LittleEndian.Uint32(out)), math.Float32frombits(binary.LittleEndian.Uint32(out[4:])))
	// Output:
	// inputs: [x float32[1,4]]
	// outputs: [y float32[1,2]]
	// y = 10.5 -10.5
}
