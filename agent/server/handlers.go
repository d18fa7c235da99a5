package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/runtime"
)

func (h *handler) live(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]bool{"live": true})
	return nil
}

func (h *handler) ready(w http.ResponseWriter, r *http.Request) error {
	if !h.b.Ready() {
		return errorf(http.StatusServiceUnavailable, "not ready: a configured model has no working version (see GET /v1/models)")
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ready": true})
	return nil
}

func (h *handler) server(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, api.ServerMetadata{
		Name:       "edgeinfer",
		Version:    h.o.Version,
		Extensions: []string{api.ExtensionBinary},
	})
	return nil
}

// model looks up the model of the request's path, and checks the version
// when the path names one.
func (h *handler) model(r *http.Request) (agent.ModelStatus, error) {
	name, version := r.PathValue("name"), r.PathValue("version")
	st, err := h.b.Model(name)
	if err != nil {
		return st, err
	}
	if version != "" && version != st.Version {
		return st, fmt.Errorf("%w: model %q has no version %q (active: %q)", agent.ErrNoModel, name, version, st.Version)
	}
	return st, nil
}

func (h *handler) metadata(w http.ResponseWriter, r *http.Request) error {
	st, err := h.model(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, modelMetadata(st))
	return nil
}

func modelMetadata(st agent.ModelStatus) api.ModelMetadata {
	md := api.ModelMetadata{
		Name:     st.Name,
		Versions: []string{},
		Platform: st.Backend,
		Inputs:   tensorMetadata(st.Inputs),
		Outputs:  tensorMetadata(st.Outputs),
	}
	if st.Version != "" {
		md.Versions = append(md.Versions, st.Version)
	}
	return md
}

func tensorMetadata(infos []runtime.TensorInfo) []api.TensorMetadata {
	out := make([]api.TensorMetadata, len(infos))
	for i, t := range infos {
		out[i] = api.TensorMetadata{Name: t.Name, Datatype: api.Datatype(t.DType), Shape: api.Shape(t.Shape)}
	}
	return out
}

func (h *handler) modelReady(w http.ResponseWriter, r *http.Request) error {
	st, err := h.model(r)
	if err != nil {
		return err
	}
	if st.State != agent.StateReady {
		msg := fmt.Sprintf("model %q is %s", st.Name, st.State)
		if st.Error != "" {
			msg += ": " + st.Error
		}
		return fmt.Errorf("%w: %s", agent.ErrNotReady, msg)
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": st.Name, "ready": true})
	return nil
}

func (h *handler) models(w http.ResponseWriter, r *http.Request) error {
	list := h.b.Models()
	out := make([]api.ModelStatus, len(list))
	for i, st := range list {
		out[i] = modelStatus(st)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func modelStatus(st agent.ModelStatus) api.ModelStatus {
	return api.ModelStatus{
		Name:        st.Name,
		Version:     st.Version,
		Digest:      st.Digest,
		State:       st.State,
		Error:       st.Error,
		Queue:       st.Queue,
		QueueCap:    st.QueueCap,
		Sessions:    st.Sessions,
		MaxBatch:    st.MaxBatch,
		Resizable:   st.Resizable,
		Stateful:    st.Stateful,
		Streams:     st.Streams,
		Requests:    st.Requests,
		Errors:      st.Errors,
		CacheHits:   st.CacheHits,
		CacheMisses: st.CacheMisses,
		P50MS:       millis(st.P50),
		P99MS:       millis(st.P99),
		LoadedAt:    st.LoadedAt.UTC(),
		OTA:         st.OTA,
	}
}

// millis is d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// install is POST /v1/models/{name} {"fd": true}, with the model file's
// descriptor passed on the socket (SCM_RIGHTS; client.Install does it):
// admins only; 201 for a new model, 200 for a replaced one, 422 when the
// file does not load. The agent reads only what the caller could open, so
// its answers tell the caller nothing about files it cannot read.
func (h *handler) install(w http.ResponseWriter, r *http.Request) error {
	f := passedFile(r.Context())
	if f != nil {
		defer f.Close()
	}
	if err := h.checkAdmin(r); err != nil {
		return err
	}
	name := r.PathValue("name")
	body, release, err := h.readBody(r, smallBodyBytes)
	if err != nil {
		return err
	}
	defer release()
	var req api.InstallRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return badRequest("install request: %v (want {\"fd\": true} with the model file's descriptor passed on the socket)", err)
	}
	if req.Path != "" {
		return badRequest("install request: installing by path is not supported: the agent would read the file with its own rights; pass the open file instead (client.Install does)")
	}
	if !req.FD || f == nil {
		return badRequest("install request: no file descriptor came with the request: open the model file and pass it on the socket with SCM_RIGHTS (client.Install does)")
	}
	_, err = h.b.Model(name)
	created := errors.Is(err, agent.ErrNoModel)
	st, err := h.b.Install(r.Context(), name, f)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	h.o.Logger.Info("model installed", "model", name, "version", st.Version, "digest", st.Digest)
	writeJSON(w, status, modelStatus(st))
	return nil
}

func (h *handler) metrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	h.b.WritePrometheus(w)
	fmt.Fprintf(w, "# HELP edgeinfer_request_body_bytes_in_flight Memory reserved by the request bodies being read or served (three times their size).\n"+
		"# TYPE edgeinfer_request_body_bytes_in_flight gauge\nedgeinfer_request_body_bytes_in_flight %d\n"+
		"# HELP edgeinfer_request_body_bytes_in_flight_max The bound of edgeinfer_request_body_bytes_in_flight (max_inflight_body_bytes).\n"+
		"# TYPE edgeinfer_request_body_bytes_in_flight_max gauge\nedgeinfer_request_body_bytes_in_flight_max %d\n",
		h.inflight.inUse(), h.inflight.limit)
	return nil
}
