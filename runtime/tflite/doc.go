// Package tflite loads TensorFlow Lite flatbuffer models and runs them with
// edgeinfer's own Go kernels.
//
// Open maps a .tflite file read-only and validates every offset, index,
// shape, type and buffer length before anything uses it: model files arrive
// over the network, so a malformed or hostile file yields an error wrapping
// runtime.ErrInvalidModel, never a panic or an out-of-range read. Operators
// are prepared at load: an operator without a kernel is refused then, with
// its name and index (runtime.ErrUnsupported), never at run time. Constant
// DEQUANTIZE operators (float16 or int8 weights) are folded into float32
// constants at load.
//
// A Model is immutable and shared by any number of Sessions. Each Session
// owns one arena whose tensor offsets are planned from tensor lifetimes, so
// tensors that are never alive together share memory; Session.Run
// allocates nothing in steady state.
package tflite
