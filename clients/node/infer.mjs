// An example of calling the edgeinfer agent from Node.js, with no package
// beyond Node's own: it reads the model's inputs from GET /v2/models/NAME,
// sends raw tensor files as binary tensors (the KServe v2 binary tensor
// extension) over the agent's Unix socket and writes each output's raw
// bytes to DIR/out_K.bin, or prints a summary. With --image or --audio it
// sends the encoded file itself (JPEG, PNG, BMP or WAV, its content type
// named by its first bytes) as one BYTES input; the agent prepares it as
// the model says and answers with what the outputs say, printed like
// `edgeinfer infer --image` prints it (--json: the decoded answer as JSON).
//
//   node infer.mjs MODEL --input in_0.bin [--input in_1.bin ...] [--output-dir DIR] [--socket PATH]
//   node infer.mjs MODEL --image cat.jpg [--top K] [--mask out.png] [--json] [--socket PATH]
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

// mediaType names an encoded file's content type by its first bytes.
function mediaType(b) {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WAVE') return 'audio/wav';
  return undefined;
}

// inferFile sends an encoded image or WAV file to the model and resolves
// to the agent's decoded answer (kind, classes, detections, segments,
// landmarks, width, height, windows; mask_png in base64 when asked).
async function inferFile(socketPath, model, data, { topK, mask } = {}) {
  const contentType = mediaType(data);
  if (!contentType) throw new Error('the file is none of image/jpeg, image/png, image/bmp, audio/wav (by its first bytes)');
  const parameters = {};
  if (topK) parameters.top_k = topK;
  if (mask) parameters.mask = true;
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'file', datatype: 'BYTES', shape: [1], parameters: { content_type: contentType, binary_data_size: data.length } }],
    parameters,
  }));
  const answer = await request(socketPath, 'POST', `/v2/models/${encodeURIComponent(model)}/infer`, Buffer.concat([header, data]), {
    'Content-Type': 'application/octet-stream',
    'Inference-Header-Content-Length': String(header.length),
  });
  const decoded = JSON.parse(answer.body).decoded;
  if (!decoded) throw new Error(`the answer of model ${model} has no decoded result`);
  return decoded;
}

function printDecoded(d, file, mask) {
  const label = (l, i) => l || `class ${i}`;
  const f = (v, w, p) => v.toFixed(p).padStart(w);
  console.log(`${file}: ${d.kind}`);
  for (const c of d.classes ?? []) console.log(`  ${f(c.score, 6, 3)}  ${label(c.label, c.index)}`);
  for (const b of d.detections ?? []) {
    let line = `  ${f(b.score, 6, 3)}  ${label(b.label, b.class)} at (${f(b.xmin, 0, 0)}, ${f(b.ymin, 0, 0)})-(${f(b.xmax, 0, 0)}, ${f(b.ymax, 0, 0)})`;
    if (b.keypoints?.length) line += `, keypoints ${b.keypoints.map((p) => `(${f(p.x, 0, 0)}, ${f(p.y, 0, 0)})`).join(' ')}`;
    console.log(line);
  }
  for (const s of d.segments ?? []) console.log(`  ${f(100 * s.share, 5, 1)}%  ${label(s.label, s.class)}`);
  (d.landmarks ?? []).forEach((p, i) => console.log(`  ${String(i).padStart(2)}  (${f(p.x, 0, 0)}, ${f(p.y, 0, 0)})`));
  if (mask) console.log(`mask: ${mask} (${d.width}x${d.height})`);
}

async function main(argv) {
  let model;
  let outDir;
  let file;
  let mask;
  let topK = 5;
  let asJSON = false;
  let socketPath = defaultSocket();
  const inputs = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--input') inputs.push(argv[++i]);
    else if (a === '--image' || a === '--audio') {
      if (file !== undefined) throw new Error('give one --image or --audio');
      file = argv[++i];
    } else if (a === '--top') topK = Number(argv[++i]);
    else if (a === '--mask') mask = argv[++i];
    else if (a === '--json') asJSON = true;
    else if (a === '--output-dir') outDir = argv[++i];
    else if (a === '--socket') socketPath = argv[++i];
    else if (!a.startsWith('--') && model === undefined) model = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!model) throw new Error('usage: node infer.mjs MODEL (--input FILE ... [--output-dir DIR] | --image FILE | --audio FILE [--top K] [--mask OUT.png] [--json]) [--socket PATH]');
  if (file !== undefined) {
    if (inputs.length) throw new Error('--image and --audio take the place of --input');
    if (!(Number.isInteger(topK) && topK >= 0)) throw new Error('--top wants a count');
    const d = await inferFile(socketPath, model, fs.readFileSync(file), { topK, mask: mask !== undefined });
    if (mask !== undefined) fs.writeFileSync(mask, Buffer.from(d.mask_png, 'base64'));
    if (asJSON) console.log(JSON.stringify(d, null, 2));
    else printDecoded(d, file, mask);
    return;
  }

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
