// An example of calling the edgeinfer agent from Node.js, with no package
// beyond Node's own: it reads the model's inputs from GET /v2/models/NAME,
// sends raw tensor files as binary tensors (the KServe v2 binary tensor
// extension) over the agent's Unix socket and writes each output's raw
// bytes to DIR/out_K.bin, or prints a summary.
//
//   node infer.mjs MODEL --input in_0.bin [--input in_1.bin ...] [--output-dir DIR] [--socket PATH]
//
// The socket is --socket, else $EDGEINFER_SOCKET, else the agent's default
// ($XDG_RUNTIME_DIR/edgeinfer/edgeinfer.sock, /run/edgeinfer/edgeinfer.sock
// for root or when the system service runs, else $TMPDIR/edgeinfer-UID/).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const HEADER_LENGTH = 'inference-header-content-length';
const MAX_ANSWER_BYTES = 256 << 20;

function defaultSocket() {
  if (process.env.EDGEINFER_SOCKET) return process.env.EDGEINFER_SOCKET;
  const system = '/run/edgeinfer/edgeinfer.sock';
  if (process.geteuid() === 0 || fs.existsSync(system)) return system;
  if (process.env.XDG_RUNTIME_DIR) return path.join(process.env.XDG_RUNTIME_DIR, 'edgeinfer', 'edgeinfer.sock');
  return path.join(process.env.TMPDIR || os.tmpdir(), `edgeinfer-${process.geteuid()}`, 'edgeinfer.sock');
}

// request sends one HTTP request on the socket and resolves to
// {status, headers, body}; an error answer rejects with the agent's message.
function request(socketPath, method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, headers }, (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (c) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          req.destroy(new Error(`answer over ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        if (res.statusCode >= 400) {
          let msg = buf.toString().trim();
          try { msg = JSON.parse(msg).error; } catch { /* not JSON: keep the text */ }
          reject(new Error(`agent: ${msg} (HTTP ${res.statusCode})`));
          return;
        }
        resolve({ status: res.statusCode, headers: res.headers, body: buf });
      });
    });
    req.on('error', (e) => reject(new Error(`agent socket ${socketPath}: ${e.message}`)));
    if (body) req.write(body);
    req.end();
  });
}

async function main(argv) {
  let model;
  let outDir;
  let socketPath = defaultSocket();
  const inputs = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--input') inputs.push(argv[++i]);
    else if (a === '--output-dir') outDir = argv[++i];
    else if (a === '--socket') socketPath = argv[++i];
    else if (!a.startsWith('--') && model === undefined) model = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!model) throw new Error('usage: node infer.mjs MODEL --input FILE ... [--output-dir DIR] [--socket PATH]');

  const name = encodeURIComponent(model);
  const meta = JSON.parse((await request(socketPath, 'GET', `/v2/models/${name}`)).body);
  if (inputs.length !== meta.inputs.length) {
    throw new Error(`the model takes ${meta.inputs.length} inputs, ${inputs.length} given with --input`);
  }
  const tensors = inputs.map((file) => fs.readFileSync(file));
  const header = Buffer.from(JSON.stringify({
    inputs: meta.inputs.map((spec, k) => ({
      name: spec.name, datatype: spec.datatype, shape: spec.shape,
      parameters: { binary_data_size: tensors[k].length },
    })),
    parameters: { binary_data_output: true },
  }));
  const answer = await request(socketPath, 'POST', `/v2/models/${name}/infer`, Buffer.concat([header, ...tensors]), {
    'Content-Type': 'application/octet-stream',
    'Inference-Header-Content-Length': String(header.length),
  });

  const jsonLen = Number(answer.headers[HEADER_LENGTH] ?? answer.body.length);
  if (!(jsonLen >= 0 && jsonLen <= answer.body.length)) throw new Error(`answer: bad ${HEADER_LENGTH} ${jsonLen}`);
  const outputs = JSON.parse(answer.body.subarray(0, jsonLen)).outputs;
  let offset = jsonLen;
  const byName = new Map();
  for (const out of outputs) {
    const size = out.parameters?.binary_data_size;
    if (size === undefined || offset + size > answer.body.length) throw new Error(`answer: output ${out.name} has no binary data`);
    byName.set(out.name, { ...out, data: answer.body.subarray(offset, offset + size) });
    offset += size;
  }
  meta.outputs.forEach((spec, k) => {
    const out = byName.get(spec.name);
    if (outDir) fs.writeFileSync(path.join(outDir, `out_${k}.bin`), out.data);
    else console.log(`${out.name} ${out.datatype}[${out.shape}]: ${out.data.length} bytes`);
  });
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`infer.mjs: ${e.message}`);
  process.exit(1);
});
