package tflite_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// negativeWant says how each shared negative model must be refused: the
// sentinel the error wraps and text it must contain. A file not listed must
// still be refused with one of the two sentinels.
var negativeWant = map[string]struct {
	err  error
	want []string
}{
	"coral_mobilenet_v1_025_128_quant_edgetpu.tflite": {runtime.ErrUnsupported, []string{"operator 0: CUSTOM:edgetpu-custom-op", "Coral Edge TPU"}},
	"coral_model_invoking_error.tflite":               {runtime.ErrUnsupported, []string{"operator 0: CUSTOM:fake-op-double"}},
	"litert_invalid_model.tflite":                     {runtime.ErrInvalidModel, []string{"not a TFLite flatbuffer"}},
	// An old flatbuffer without the TFL3 file identifier.
	"litert_test_model_broken.tflite":             {runtime.ErrInvalidModel, []string{"file identifier", "not a TFLite flatbuffer"}},
	"tflm_person_detect_vela.tflite":              {runtime.ErrUnsupported, []string{"operator 0: CUSTOM:ethos-u", "Vela", "Ethos-U"}},
	"tfls_nl_classifier_custom_string_ops.tflite": {runtime.ErrUnsupported, []string{"operator 0: CUSTOM:CUSTOM_OP_STRING_TO_FLOATS"}},
	"tfls_sentencepiece_flex.tflite":              {runtime.ErrUnsupported, []string{"CUSTOM:FlexSentencepieceOp", "Flex delegate"}},
	"tfls_whitespace_tokenizer_flex.tflite":       {runtime.ErrUnsupported, []string{"CUSTOM:FlexUnicodeDecodeWithOffsets", "Flex delegate"}},
}

// TestNegativeModels checks that every model in shared/models/negative is
// refused with an error that names the file and the problem, and prints
// the table of errors.
func TestNegativeModels(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models", "negative")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatalf("no files in %s", dir)
	}
	var table []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		m, err := tflite.Open(path)
		if err == nil {
			m.Close()
			t.Errorf("%s: loaded, want it refused", e.Name())
			continue
		}
		table = append(table, fmt.Sprintf("%-50s %s", e.Name(), strings.TrimPrefix(err.Error(), "tflite: "+path+": ")))
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error does not name the file: %v", e.Name(), err)
		}
		want, ok := negativeWant[e.Name()]
		if !ok {
			if !errors.Is(err, runtime.ErrInvalidModel) && !errors.Is(err, runtime.ErrUnsupported) {
				t.Errorf("%s: error wraps neither ErrInvalidModel nor ErrUnsupported: %v", e.Name(), err)
			}
			continue
		}
		if !errors.Is(err, want.err) {
			t.Errorf("%s: error does not wrap %v: %v", e.Name(), want.err, err)
		}
		for _, s := range want.want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error does not say %q: %v", e.Name(), s, err)
			}
		}
	}
	fmt.Println("negative models (file, error):\n" + strings.Join(table, "\n"))
}
