package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/client"
)

// TestInferMedia sends files to the fake agent, whose model "classify"
// answers one class: the file's size mod 10, labelled with the content
// type it got.
func TestInferMedia(t *testing.T) {
	var c client.Client
	ctx := context.Background()
	png := []byte("\x89PNG\r\n\x1a\n-----") // 13 bytes
	for _, tc := range []struct {
		name        string
		model       string
		contentType string
		data        []byte
		opts        []client.InferOption
		wantLabel   string
		wantErr     string
	}{
		{"sniffed", "classify", "", png, []client.InferOption{client.TopK(3), client.Mask(), client.NoCache()}, "image/png", ""},
		{"given", "classify", "audio/wav", png, nil, "audio/wav", ""},
		{"version", "classify", "", png, []client.InferOption{client.Version("1")}, "image/png", ""},
		{"not media", "classify", "", []byte("hello"), nil, "", "none of image/jpeg"},
		{"negative top", "classify", "", png, []client.InferOption{client.TopK(-1)}, "", "top K -1 is negative"},
		{"model takes no files", "double", "", png, nil, "", "agent: bad request: model double takes no encoded files (HTTP 400"},
		{"no model", "nope", "", png, nil, "", "HTTP 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := c.InferMedia(ctx, tc.model, tc.contentType, tc.data, tc.opts...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != "classification" || len(d.Classes) != 1 || d.Classes[0].Index != len(tc.data)%10 || d.Classes[0].Label != tc.wantLabel {
				t.Errorf("decoded %+v", d)
			}
			m := fake.LastMedia()
			if string(m.Data) != string(tc.data) || m.ContentType != tc.wantLabel {
				t.Errorf("the agent got %q as %q", m.Data, m.ContentType)
			}
			if tc.name == "sniffed" && (m.TopK != 3 || !m.Mask || !m.NoCache) {
				t.Errorf("the agent got top %d, mask %v, no-cache %v", m.TopK, m.Mask, m.NoCache)
			}
			if tc.name == "version" && m.Version != "1" {
				t.Errorf("the agent got version %q", m.Version)
			}
		})
	}
}
