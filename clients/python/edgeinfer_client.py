#!/usr/bin/env python3
"""A one-file client for the edgeinfer agent's socket API, standard library only.

The agent speaks HTTP/1.1 on a Unix socket with the KServe v2 / Open
Inference Protocol paths. This module opens that socket, sends JSON or
binary tensors (the binary tensor extension) and decodes the answers into
Tensor objects. Copy the file next to your app; it needs Python 3.8+.

    from edgeinfer_client import Client, Tensor
    c = Client()                                   # the agent's default socket
    meta = c.model("mobilenet")                    # inputs, outputs, shapes
    image = open("input.bin", "rb").read()         # raw tensor bytes
    out = c.infer("mobilenet", [Tensor("input", "UINT8", [1, 224, 224, 3], image)])
    scores = out["MobilenetV1/Predictions/Reshape_1"].values()

Or send the photo itself (JPEG, PNG, BMP; or a WAV file): the agent
prepares it as the model's metadata or configuration says and answers
with what the outputs say (classes, detections, segments, landmarks):

    decoded = c.infer_file("mobilenet", "cat.jpg", top_k=3)
    for cls in decoded["classes"]:
        print(cls["score"], cls.get("label"))

As a command (like `edgeinfer infer`):

    python3 edgeinfer_client.py models
    python3 edgeinfer_client.py infer mobilenet --input input.bin [--json] [--output-dir DIR]
    python3 edgeinfer_client.py infer mobilenet --image cat.jpg [--top 3] [--mask out.png] [--json]
"""

import argparse
import base64
import http.client
import json
import os
import socket
import struct
import sys
import urllib.parse

SOCKET_ENV = "EDGEINFER_SOCKET"
SYSTEM_SOCKET = "/run/edgeinfer/edgeinfer.sock"
HEADER_INFERENCE_LENGTH = "Inference-Header-Content-Length"

# KServe v2 datatypes and their struct codes (little-endian).
_CODES = {
    "BOOL": "?", "UINT8": "B", "INT8": "b", "UINT16": "H", "INT16": "h",
    "UINT32": "I", "INT32": "i", "UINT64": "Q", "INT64": "q",
    "FP16": "e", "FP32": "f", "FP64": "d",
}

# Content types of the encoded files the agent prepares itself.
MEDIA_TYPES = ("image/jpeg", "image/png", "image/bmp", "audio/wav")

# The largest answer read, as the Go client bounds it (bytes).
MAX_ANSWER_BYTES = 256 << 20


def default_socket():
    """The socket the agent listens on when none is given, by the agent's rules:
    $EDGEINFER_SOCKET; else the system service's socket for root or when it
    exists; else $XDG_RUNTIME_DIR/edgeinfer/edgeinfer.sock; else
    $TMPDIR/edgeinfer-UID/edgeinfer.sock."""
    env = os.environ.get(SOCKET_ENV)
    if env:
        return env
    if os.geteuid() == 0 or os.path.exists(SYSTEM_SOCKET):
        return SYSTEM_SOCKET
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    if runtime_dir:
        return os.path.join(runtime_dir, "edgeinfer", "edgeinfer.sock")
    tmp = os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(tmp, "edgeinfer-%d" % os.geteuid(), "edgeinfer.sock")


def media_type(data):
    """The content type of an encoded file by its first bytes (not its
    name): image/jpeg, image/png, image/bmp or audio/wav; None for others."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:2] == b"BM":
        return "image/bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    return None


class AgentError(Exception):
    """An error answer of the agent: its HTTP status and message."""

    def __init__(self, status, message):
        super().__init__("agent: %s (HTTP %d)" % (message, status))
        self.status = status
        self.message = message


class Tensor:
    """A tensor: name, KServe datatype (FP32, UINT8, ...), shape and raw
    little-endian bytes in row-major order."""

    def __init__(self, name, datatype, shape, data):
        if datatype not in _CODES:
            raise ValueError("tensor %s: unknown datatype %r" % (name, datatype))
        self.name = name
        self.datatype = datatype
        self.shape = [int(d) for d in shape]
        self.data = bytes(data)
        want = _count(self.shape) * struct.calcsize(_CODES[datatype])
        if len(self.data) != want:
            raise ValueError("tensor %s: %d bytes, but %s%s needs %d"
                             % (name, len(self.data), datatype, self.shape, want))

    @classmethod
    def from_values(cls, name, datatype, shape, values):
        """A tensor from a flat list of numbers."""
        return cls(name, datatype, shape, struct.pack("<%d%s" % (len(values), _CODES[datatype]), *values))

    def values(self):
        """The elements as a flat list of numbers."""
        n = _count(self.shape)
        return list(struct.unpack("<%d%s" % (n, _CODES[self.datatype]), self.data))

    def __repr__(self):
        return "Tensor(%r, %s%s, %d bytes)" % (self.name, self.datatype, self.shape, len(self.data))


def _count(shape):
    n = 1
    for d in shape:
        if d < 0:
            raise ValueError("shape %s has a negative dimension" % (shape,))
        n *= d
    return n


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("agent", timeout=timeout)
        self._path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        try:
            s.connect(self._path)
        except OSError as e:
            s.close()
            raise ConnectionError("agent socket %s: %s (is the agent running?)" % (self._path, e.strerror or e)) from e
        self.sock = s


class Client:
    """A client of one agent socket. Each call opens its own connection."""

    def __init__(self, socket_path=None, timeout=60.0):
        self.socket = socket_path or default_socket()
        self.timeout = timeout

    def _request(self, method, path, body=None, headers=None):
        conn = _UnixConnection(self.socket, self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            length = resp.getheader("Content-Length")
            if length is not None and int(length) > MAX_ANSWER_BYTES:
                raise AgentError(resp.status, "answer of %s bytes is over the client's limit" % length)
            data = resp.read(MAX_ANSWER_BYTES + 1)
            if len(data) > MAX_ANSWER_BYTES:
                raise AgentError(resp.status, "answer is over the client's limit of %d bytes" % MAX_ANSWER_BYTES)
            if resp.status >= 400:
                try:
                    message = json.loads(data)["error"]
                except (ValueError, KeyError, TypeError):
                    message = data.decode("utf-8", "replace").strip() or resp.reason
                raise AgentError(resp.status, message)
            return resp, data
        finally:
            conn.close()

    def _get_json(self, path):
        _, data = self._request("GET", path)
        return json.loads(data)

    def live(self):
        """True when the agent answers GET /v2/health/live."""
        self._request("GET", "/v2/health/live")
        return True

    def models(self):
        """GET /v1/models: every model with its version and state."""
        return self._get_json("/v1/models")

    def model(self, name):
        """GET /v2/models/NAME: the model's inputs and outputs."""
        return self._get_json("/v2/models/%s" % _quote(name))

    def infer(self, name, inputs, outputs=None, binary=True, cache=True):
        """Runs model NAME on inputs (a list of Tensor) and returns a dict of
        output name to Tensor. outputs names the outputs wanted (all when
        None). binary sends and receives the tensors as raw bytes after
        the JSON header (the binary tensor extension); binary=False sends
        them as JSON lists."""
        req = {"inputs": [], "parameters": {}}
        tail = []
        for t in inputs:
            entry = {"name": t.name, "datatype": t.datatype, "shape": t.shape}
            if binary:
                entry["parameters"] = {"binary_data_size": len(t.data)}
                tail.append(t.data)
            else:
                entry["data"] = t.values()
            req["inputs"].append(entry)
        if outputs:
            req["outputs"] = [{"name": n} for n in outputs]
        if binary:
            req["parameters"]["binary_data_output"] = True
        if not cache:
            req["parameters"]["cache"] = False
        header = json.dumps(req).encode()
        headers = {"Content-Type": "application/json"}
        if binary:
            headers["Content-Type"] = "application/octet-stream"
            headers[HEADER_INFERENCE_LENGTH] = str(len(header))
        resp, data = self._request("POST", "/v2/models/%s/infer" % _quote(name), header + b"".join(tail), headers)
        return _decode_answer(resp.getheader(HEADER_INFERENCE_LENGTH), data)


    def infer_file(self, name, file, content_type=None, top_k=None, mask=False, cache=True):
        """Sends an encoded image or WAV file (a path, or its bytes) to model
        NAME as one BYTES input, and returns the agent's decoded answer, a
        dict: kind (classification, detection, ssd, segmentation or
        landmarks), classes [{index, label, score}], detections [{xmin,
        ymin, xmax, ymax, class, label, score, keypoints}] in the image's
        pixels, segments [{class, label, share}], landmarks [{x, y}],
        width, height, windows; with mask=True, mask_png holds the
        segmentation mask as PNG bytes. content_type None names it from the
        file's first bytes; top_k is how many classes to list."""
        if isinstance(file, (bytes, bytearray)):
            data = bytes(file)
        else:
            with open(file, "rb") as f:
                data = f.read()
        content_type = content_type or media_type(data)
        if content_type is None:
            raise ValueError("the file is none of %s (by its first bytes)" % ", ".join(MEDIA_TYPES))
        req = {"inputs": [{"name": "file", "datatype": "BYTES", "shape": [1],
                           "parameters": {"content_type": content_type, "binary_data_size": len(data)}}],
               "parameters": {}}
        if top_k:
            req["parameters"]["top_k"] = int(top_k)
        if mask:
            req["parameters"]["mask"] = True
        if not cache:
            req["parameters"]["cache"] = False
        header = json.dumps(req).encode()
        headers = {"Content-Type": "application/octet-stream", HEADER_INFERENCE_LENGTH: str(len(header))}
        _, body = self._request("POST", "/v2/models/%s/infer" % _quote(name), header + data, headers)
        decoded = json.loads(body).get("decoded")
        if decoded is None:
            raise ValueError("answer of model %s has no decoded result" % name)
        if "mask_png" in decoded:
            decoded["mask_png"] = base64.b64decode(decoded["mask_png"])
        return decoded


def _print_decoded(d, path, mask):
    """Prints a decoded answer as `edgeinfer infer --image` does."""
    print("%s: %s" % (path, d["kind"]))
    for c in d.get("classes", []):
        print("  %6.3f  %s" % (c["score"], c.get("label") or "class %d" % c["index"]))
    for det in d.get("detections", []):
        line = "  %6.3f  %s at (%.0f, %.0f)-(%.0f, %.0f)" % (
            det["score"], det.get("label") or "class %d" % det["class"], det["xmin"], det["ymin"], det["xmax"], det["ymax"])
        if det.get("keypoints"):
            line += ", keypoints " + " ".join("(%.0f, %.0f)" % (p["x"], p["y"]) for p in det["keypoints"])
        print(line)
    for seg in d.get("segments", []):
        print("  %5.1f%%  %s" % (100 * seg["share"], seg.get("label") or "class %d" % seg["class"]))
    for i, p in enumerate(d.get("landmarks", [])):
        print("  %2d  (%.0f, %.0f)" % (i, p["x"], p["y"]))
    if mask:
        print("mask: %s (%dx%d)" % (mask, d.get("width", 0), d.get("height", 0)))


def _quote(name):
    return urllib.parse.quote(name, safe="")


def _decode_answer(header_length, body):
    json_len = len(body) if header_length is None else int(header_length)
    if json_len < 0 or json_len > len(body):
        raise ValueError("answer: %s header of %d is outside the body's %d bytes" % (HEADER_INFERENCE_LENGTH, json_len, len(body)))
    answer = json.loads(body[:json_len])
    offset = json_len
    result = {}
    for out in answer.get("outputs", []):
        size = (out.get("parameters") or {}).get("binary_data_size")
        if size is not None:
            if offset + size > len(body):
                raise ValueError("answer: output %s claims %d bytes past the body's end" % (out["name"], size))
            data = body[offset:offset + size]
            offset += size
            result[out["name"]] = Tensor(out["name"], out["datatype"], out["shape"], data)
        else:
            result[out["name"]] = Tensor.from_values(out["name"], out["datatype"], out["shape"], _flatten(out.get("data", [])))
    return result


def _flatten(data):
    flat = []
    stack = [iter(data)]
    while stack:
        for v in stack[-1]:
            if isinstance(v, list):
                stack.append(iter(v))
                break
            flat.append(v)
        else:
            stack.pop()
    return flat


def _main(argv):
    p = argparse.ArgumentParser(prog="edgeinfer_client.py", description="Talk to the edgeinfer agent over its Unix socket.")
    p.add_argument("--socket", help="the agent's socket (default: $%s, else the agent's default)" % SOCKET_ENV)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="list the agent's models")
    inf = sub.add_parser("infer", help="run a model on raw tensor files, one per input, in the model's order, or on an image or WAV file")
    inf.add_argument("model")
    inf.add_argument("--input", action="append", default=[], metavar="FILE", help="raw little-endian tensor bytes (repeat per input)")
    inf.add_argument("--image", metavar="FILE", help="an image (JPEG, PNG, BMP) for the agent to prepare and decode")
    inf.add_argument("--audio", metavar="FILE", help="a WAV file for the agent to prepare and decode")
    inf.add_argument("--top", type=int, default=5, metavar="K", help="classes to list (with --image or --audio)")
    inf.add_argument("--mask", metavar="OUT.png", help="write a segmentation model's mask here (with --image)")
    inf.add_argument("--json", action="store_true",
                     help="send and receive JSON tensors instead of binary ones; with --image or --audio, print the decoded answer as JSON")
    inf.add_argument("--output-dir", help="write out_K.bin per output here instead of printing a summary")
    args = p.parse_args(argv)
    c = Client(args.socket)
    try:
        if args.command == "models":
            for m in c.models():
                print("%-20s %-12s %s" % (m.get("name"), m.get("version", ""), m.get("state", "")))
            return 0
        media = args.image or args.audio
        if media and (args.input or (args.image and args.audio)):
            print("edgeinfer_client.py infer: give one of --input, --image or --audio", file=sys.stderr)
            return 2
        if media:
            d = c.infer_file(args.model, media, top_k=args.top, mask=bool(args.mask))
            if args.mask:
                with open(args.mask, "wb") as f:
                    f.write(d["mask_png"])
            if args.json:
                if "mask_png" in d:
                    d["mask_png"] = base64.b64encode(d["mask_png"]).decode()
                print(json.dumps(d, indent=2))
            else:
                _print_decoded(d, media, args.mask)
            return 0
        meta = c.model(args.model)
        if len(args.input) != len(meta["inputs"]):
            print("edgeinfer_client.py infer: the model takes %d inputs, %d given with --input"
                  % (len(meta["inputs"]), len(args.input)), file=sys.stderr)
            return 2
        inputs = []
        for spec, path in zip(meta["inputs"], args.input):
            with open(path, "rb") as f:
                inputs.append(Tensor(spec["name"], spec["datatype"], spec["shape"], f.read()))
        out = c.infer(args.model, inputs, binary=not args.json)
        for k, spec in enumerate(meta["outputs"]):
            t = out[spec["name"]]
            if args.output_dir:
                with open(os.path.join(args.output_dir, "out_%d.bin" % k), "wb") as f:
                    f.write(t.data)
            else:
                vals = t.values()
                print("%s %s%s: %s%s" % (t.name, t.datatype, t.shape, vals[:8], " ..." if len(vals) > 8 else ""))
        return 0
    except (AgentError, ConnectionError, OSError, ValueError) as e:
        print("edgeinfer_client.py %s: %s" % (args.command, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
